"""The public paths a kiosk hands to a phone by QR code, and the server routes them.

Both sides build them from here, so a link printed on a kiosk always opens a page.
"""
from __future__ import annotations

from urllib.parse import quote

TRACKING_PATH = "/t/{token}"
"""A case's tracking page; the token is the only key to it."""
ROUTE_PATH = "/r/{mall_id}/{origin_id}/{destination_id}"
"""A route from a kiosk point to a store or facility."""
STORE_PATH = "/s/{mall_id}/{store_id}"
"""A store's page."""


def _join(public_base_url: str, path: str) -> str:
    return public_base_url.rstrip("/") + path


def tracking_url(public_base_url: str, token: str) -> str:
    return _join(public_base_url, TRACKING_PATH.format(token=quote(token, safe="")))


def route_url(public_base_url: str, mall: str, origin: str, destination: str) -> str:
    return _join(public_base_url, ROUTE_PATH.format(
        mall_id=quote(mall, safe=""), origin_id=quote(origin, safe=""), destination_id=quote(destination, safe="")))


def store_url(public_base_url: str, mall: str, store: str) -> str:
    return _join(public_base_url, STORE_PATH.format(mall_id=quote(mall, safe=""), store_id=quote(store, safe="")))


def django_route(path: str) -> str:
    """The same path as a Django URL pattern: "/t/{token}" → "t/<str:token>"."""
    return path.lstrip("/").replace("{", "<str:").replace("}", ">")
