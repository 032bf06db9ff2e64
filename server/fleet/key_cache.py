"""The kiosks whose device keys this process checked in the last few seconds.

A kiosk's heartbeat, broadcast polls and acknowledgements each present its device key; at
hundreds of kiosks, looking each one up in the database was the largest part of those requests
(server/fleet/auth.py). A key found here within CONCIERGE_DEVICE_KEY_CACHE_SECONDS opens the API
without the database. So a revoked or rotated-out key keeps working at most that long in the
other worker processes; in this one, revoking or rotating forgets the kiosk at once.

The kiosk kept is the row as read then; what this process writes to it later (a stored
heartbeat, the screen's state) is written to the kept instance too, so later requests judge on it.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from server.fleet.models import Kiosk

MAX_KEPT = 20_000
"""More keys than any fleet has; past it the expired ones are dropped."""

_kept: dict[str, tuple[float, Kiosk]] = {}
_lock = threading.Lock()


def recent_kiosk(key_sha256: str) -> Kiosk | None:
    """The kiosk this key opened within the last CONCIERGE_DEVICE_KEY_CACHE_SECONDS, else None."""
    found = _kept.get(key_sha256)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def keep(key_sha256: str, kiosk: Kiosk) -> None:
    seconds = settings.CONCIERGE_DEVICE_KEY_CACHE_SECONDS
    if seconds <= 0:
        return
    now = time.monotonic()
    with _lock:
        if len(_kept) >= MAX_KEPT:
            for stale in [key for key, (until, _kiosk) in _kept.items() if until < now]:
                del _kept[stale]
        _kept[key_sha256] = (now + seconds, kiosk)


def forget(kiosk_id: str) -> None:
    """Stop opening the API for any key of this kiosk from memory (revoked, key rotated)."""
    with _lock:
        for key in [key for key, (_until, kiosk) in _kept.items() if kiosk.pk == kiosk_id]:
            del _kept[key]
