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
from server.fleet import key_cache
from server.fleet.models import Kiosk
from server.fleet.remote import adopt_rotated_key
from server.fleet.services import MAX_KEY_LENGTH, authenticate_device_key, hash_secret


class DeviceKeyAuth(HttpBearer):
    openapi_description = "The device key a kiosk received when it enrolled."

    def authenticate(self, request: HttpRequest, token: str) -> Kiosk | None:
        return authenticate_device_key(token) or adopt_rotated_key(token)


class PooledDeviceKeyAuth(DeviceKeyAuth):
    """The same check for the fleet's most frequent requests (async operations: heartbeats,
    broadcast polls and acknowledgements): a key checked in the last few seconds is answered
    from memory (server/fleet/key_cache.py), any other on the database threads
    (server/core/database_threads.py)."""

    is_async = True

    async def __call__(self, request: HttpRequest) -> Kiosk | None:
        token = bearer_token(request)
        if not token or len(token) > MAX_KEY_LENGTH:
            return None
        hashed = hash_secret(token)
        kiosk = key_cache.recent_kiosk(hashed)
        if kiosk is None:
            kiosk = await on_database_thread(self.authenticate, request, token)
            if kiosk is not None:
                key_cache.keep(hashed, kiosk)
        return kiosk


def bearer_token(request: HttpRequest) -> str | None:
    """The token of `Authorization: Bearer <token>`, as ninja's HttpBearer reads it."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None
