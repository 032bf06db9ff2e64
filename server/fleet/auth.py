"""Kiosk authentication for the kiosk API: `Authorization: Bearer <device key>`.

Use it on any kiosk-facing ninja operation or router:

    from server.fleet.auth import DeviceKeyAuth
    router = Router(auth=DeviceKeyAuth())

and the authenticated kiosk (a `server.fleet.models.Kiosk`, with `.mall` loaded) is
`request.auth`. A missing, unknown or revoked key gets 401 with a JSON error body. A key being
rotated in (server/fleet/remote.py) opens the API too, and from that first use on it is the only one.
"""
from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from server.core.database_threads import on_database_thread
from server.fleet.models import Kiosk
from server.fleet.remote import adopt_rotated_key
from server.fleet.services import authenticate_device_key


class DeviceKeyAuth(HttpBearer):
    openapi_description = "The device key a kiosk received when it enrolled."

    def authenticate(self, request: HttpRequest, token: str) -> Kiosk | None:
        return authenticate_device_key(token) or adopt_rotated_key(token)


class PooledDeviceKeyAuth(DeviceKeyAuth):
    """The same check for async operations, on the database threads (server/core/database_threads.py)."""

    is_async = True

    async def __call__(self, request: HttpRequest) -> Kiosk | None:
        return await on_database_thread(super().__call__, request)
