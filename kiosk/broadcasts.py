"""Notices and emergencies on the kiosk (no Kivy): what to show now, kept on disk, and the
"shown at" acknowledgements waiting to be uploaded.

The last list the server sent is stored, so a kiosk restarted during an emergency (a power
cut) shows it again at once, offline too, until it expires by the kiosk's wall clock or the
server's list no longer has it. Acknowledgements are queued durably and uploaded until the
server has them; the server ignores repeats.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from pydantic import TypeAdapter, ValidationError

from kiosk.store import LocalStore
from sync.protocol import Broadcast, BroadcastShown, MallContent
from venue.routing.router import route_to_nearest_exit
from venue.routing.wording import describe_step

STATE_KEY = "broadcasts.state"
ETAG_KEY = "broadcasts.etag"
PENDING_KEY = "broadcasts.shown_pending"
ACKNOWLEDGED_KEY = "broadcasts.shown_acknowledged"
MAX_REMEMBERED_ACKNOWLEDGEMENTS = 200

_broadcast_list = TypeAdapter(list[Broadcast])
_shown_list = TypeAdapter(list[BroadcastShown])


def save_state(store: LocalStore, broadcasts: list[Broadcast], etag: str | None) -> None:
    with store.transaction():
        store.set_setting(STATE_KEY, _broadcast_list.dump_python(broadcasts, mode="json"))
        store.set_setting(ETAG_KEY, etag)


def load_state(store: LocalStore) -> tuple[list[Broadcast], str | None]:
    """The last list from the server and its ETag (an unreadable list counts as none)."""
    try:
        broadcasts = _broadcast_list.validate_python(store.get_setting(STATE_KEY, []))
    except ValidationError:
        return [], None
    return broadcasts, store.get_setting(ETAG_KEY)


def photo_hashes(store: LocalStore) -> set[str]:
    """The blobs the stored broadcasts show (kept when old content is pruned)."""
    return {b.photo_sha256 for b in load_state(store)[0] if b.photo_sha256}


def current(broadcasts: list[Broadcast], now: datetime) -> list[Broadcast]:
    """Those not yet expired, emergencies first. The start time is not checked: a kiosk whose
    clock runs behind the server's must still show an emergency at once."""
    live = [b for b in broadcasts if now < b.expires_at]
    return sorted(live, key=lambda b: (b.kind != "emergency", -b.starts_at.timestamp()))


@dataclass(frozen=True)
class OnScreen:
    emergency: Broadcast | None
    notice: Broadcast | None


def on_screen(broadcasts: list[Broadcast], now: datetime) -> OnScreen:
    """The emergency that takes over the screen, and the notice in the banner (newest each)."""
    live = current(broadcasts, now)
    return OnScreen(
        emergency=next((b for b in live if b.kind == "emergency"), None),
        notice=next((b for b in live if b.kind == "notice"), None),
    )


def record_shown(store: LocalStore, broadcast_id: str, at: datetime) -> bool:
    """Queue "shown at" for a broadcast drawn for the first time; False if already known."""
    with store.transaction():
        pending = store.get_setting(PENDING_KEY, [])
        acknowledged = store.get_setting(ACKNOWLEDGED_KEY, [])
        if broadcast_id in acknowledged or any(item["broadcast_id"] == broadcast_id for item in pending):
            return False
        pending.append(BroadcastShown(broadcast_id=broadcast_id, shown_at=at).model_dump(mode="json"))
        store.set_setting(PENDING_KEY, pending)
    return True


def pending_acknowledgements(store: LocalStore) -> list[BroadcastShown]:
    try:
        return _shown_list.validate_python(store.get_setting(PENDING_KEY, []))
    except ValidationError:
        store.set_setting(PENDING_KEY, [])
        return []


def mark_acknowledged(store: LocalStore, broadcast_ids: list[str]) -> None:
    """The server has these: drop them from the queue, remember them (not to queue them again)."""
    done = set(broadcast_ids)
    with store.transaction():
        pending = [item for item in store.get_setting(PENDING_KEY, []) if item["broadcast_id"] not in done]
        acknowledged = [i for i in store.get_setting(ACKNOWLEDGED_KEY, []) if i not in done] + sorted(done)
        store.set_setting(PENDING_KEY, pending)
        store.set_setting(ACKNOWLEDGED_KEY, acknowledged[-MAX_REMEMBERED_ACKNOWLEDGEMENTS:])


def _step_line(step, language: str) -> str:
    """One step as one line (title and detail): the overlay lists them, it has no cards."""
    title, detail = describe_step(step, language)
    stop = ". " if language == "en" else "。"
    return f"{title}{stop}{detail}".strip() if detail else title


@dataclass(frozen=True)
class ExitDirections:
    """The way out shown on an emergency, from this kiosk to its nearest exit.

    The first direction is a word ("ahead", "left", "right", "behind", relative to the
    kiosk's facing) for the arrow and the screen's own sentence; the rest is the route's
    wording: the first walk, the turn after it, and the later steps."""

    exit_name: dict[str, str]
    floor: str
    metres: float
    start_direction: str
    walk: dict[str, str]
    """"Walk 29 m to South entrance (main)"."""
    then: dict[str, str]
    """"then turn left at the fountain." after the first direction, or ""."""
    later_steps: dict[str, list[str]]
    """The stairs and escalators after the first walk, one line each."""
    level_id: str
    """The kiosk's floor, which the small plan shows."""
    walk_points: list[tuple[float, float]]
    """The walk on the kiosk's floor, in metres."""
    onward_floor: str
    """The floor the first walk's stairs lead to ("" when the exit is on this floor)."""


def exit_directions(content: MallContent | None, kiosk_point_id: str | None,
                    languages: tuple[str, ...] = ("zh_CN", "en", "zh_TW")) -> ExitDirections | None:
    """Directions from the kiosk point to its nearest exit (no lifts), or None when the map
    has no exit this kiosk can reach."""
    if content is None or not kiosk_point_id:
        return None
    route = route_to_nearest_exit(content, kiosk_point_id)
    if route is None or not route.reachable or not route.steps or not route.legs:
        return None
    levels = {level.id: level.short_name for level in content.levels}
    first = route.steps[0]
    without_start = replace(first, start_direction="")
    first_leg = route.legs[first.leg]
    onward = next((step.to_floor for step in route.steps[1:]), "")
    return ExitDirections(
        exit_name={language: route.destination.name.get(language) for language in languages},
        floor=levels.get(route.destination.level_id, ""),
        metres=route.metres,
        start_direction=first.start_direction,
        walk={language: describe_step(first, language)[0] for language in languages},
        then={language: describe_step(without_start, language)[1] for language in languages},
        later_steps={language: [_step_line(step, language) for step in route.steps[1:]] for language in languages},
        level_id=first_leg.level_id,
        walk_points=list(first_leg.points),
        onward_floor=onward,
    )
