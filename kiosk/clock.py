"""The kiosk's time: its own clock, corrected by the server's when the two disagree.

A kiosk without a clock battery (a Raspberry Pi) can start in 1970 or hours off until network
time reaches it, and some mall networks block NTP. The times it stamps (when a case was filed,
when a promotion was shown) must still be right, or deadlines and proof of play are wrong.
Every HTTP answer from the server carries the server's time (the `Date` header, to the second);
the sync agent keeps the difference, and `now()` adds it when it is larger than the header's
precision allows to be noise. The server also refuses to date a case after its arrival.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from kiosk.store import LocalStore

OFFSET_KEY = "clock.server_offset_s"
NOISE_S = 5.0
"""Differences within this are the Date header's one-second steps and the request's own time."""


def server_offset(date_header: str | None, local_now: datetime) -> float | None:
    """Seconds the server's clock is ahead of this kiosk's (None without a usable header)."""
    if not date_header:
        return None
    try:
        server_time = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server_time.tzinfo is None:
        server_time = server_time.replace(tzinfo=UTC)
    return (server_time - local_now).total_seconds()


def save_offset(store: LocalStore, offset: float) -> None:
    """Keep the latest measured offset; a small one clears the correction."""
    if abs(offset) <= NOISE_S:
        if store.get_setting(OFFSET_KEY) is not None:
            store.delete_setting(OFFSET_KEY)
    elif store.get_setting(OFFSET_KEY) != round(offset, 1):
        store.set_setting(OFFSET_KEY, round(offset, 1))


def now(store: LocalStore) -> datetime:
    """The current time in UTC as the server would tell it."""
    return datetime.now(UTC) + timedelta(seconds=store.get_setting(OFFSET_KEY, 0.0))
