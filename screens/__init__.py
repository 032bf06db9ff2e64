"""The kiosk's Kivy screens: one module and one .kv file per screen, loaded when first shown.

Importing this package must not start Kivy's argument parser (it would eat `python -m kiosk`'s
arguments), so it sets KIVY_NO_ARGS before anything imports Kivy.
"""
import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
