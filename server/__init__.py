"""Concierge central server: a Django project (settings, urls, ASGI app) with one app per domain.

`python -m server ...` runs Django's management commands with these settings.
"""
