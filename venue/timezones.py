"""A mall's time zone by name, with one fallback for the kiosk and the server alike."""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sync.protocol import DEFAULT_TIMEZONE


def is_known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_named(name: str) -> ZoneInfo:
    """A mall's time zone; the default zone for an empty or unknown name (one rule for the kiosk
    and the server, so both read a kiosk's clock the same way)."""
    return ZoneInfo(name) if name and is_known_zone(name) else ZoneInfo(DEFAULT_TIMEZONE)
