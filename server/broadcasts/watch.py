"""Answers the held broadcast polls of this server process, and wakes them when a mall's
broadcasts change.

A long poll (`GET /api/v1/kiosk/broadcasts?wait=S` with the ETag the kiosk has) waits here
instead of asking the database itself: one watcher per process and event loop reads the
broadcasts in force (and which level each kiosk point is on) every CHECK_SECONDS, whichever
process (console, shell, another worker) changed them, and wakes the polls of the malls whose
broadcasts changed. The polls answer from that snapshot, so an emergency woken in 200 held polls
costs the database one read, not 200, and each kiosk gets its answer within CHECK_SECONDS plus
the time to send it. Expiry counts as a change: "in force" is read against the clock each time.

The watcher runs only while polls wait; it reads on the database threads
(server/core/database_threads.py), and held polls keep no connection of their own.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Awaitable, Callable

from django.utils import timezone

from server.broadcasts.models import Broadcast
from server.broadcasts.services import broadcast_state
from server.content.models import KioskPoint
from server.core.database_threads import on_database_thread
from sync.protocol import BroadcastState

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.25


@dataclass(frozen=True)
class Snapshot:
    """The broadcasts in force per mall (rows as read) and the level of each kiosk point."""

    read_at: datetime
    broadcasts: dict[str, tuple[Broadcast, ...]] = field(default_factory=dict)
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(mall id, kiosk point id) → level id."""

    def fingerprint(self, mall_id: str) -> tuple:
        """What identifies the mall's broadcasts in force (any change in it wakes the polls)."""
        return tuple((row.id, row.expires_at, tuple(row.target_level_ids or ()))
                     for row in self.broadcasts.get(mall_id, ()))

    def level_of(self, kiosk) -> str | None:
        return self.levels.get((kiosk.mall_id, kiosk.location_id)) if kiosk.location_id else None


def broadcasts_in_force() -> Snapshot:
    now = timezone.now()
    rows = (Broadcast.objects.filter(ended_at__isnull=True, starts_at__lte=now, expires_at__gt=now)
            .order_by("mall_id", "id"))
    in_force: dict[str, list[Broadcast]] = {}
    for row in rows:
        in_force.setdefault(row.mall_id, []).append(row)
    levels = {(mall_id, point): level for mall_id, point, level
              in KioskPoint.objects.values_list("mall_id", "content_id", "level__content_id")}
    return Snapshot(read_at=now, broadcasts={mall_id: tuple(items) for mall_id, items in in_force.items()},
                    levels=levels)


def state_from(snapshot: Snapshot, kiosk) -> tuple[BroadcastState, str]:
    """A kiosk's broadcast state and ETag from the snapshot, without the database."""
    return broadcast_state(snapshot.broadcasts.get(kiosk.mall_id, ()), snapshot.level_of(kiosk), timezone.now())


class BroadcastWatch:
    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}
        self._waiting = 0
        self._task: asyncio.Task | None = None
        self._watching = asyncio.Event()
        """Set once the running watcher has read what is in force: changes after that wake."""
        self.snapshot: Snapshot | None = None
        """The latest read, while the watcher runs (None before its first read)."""

    async def hold(self, kiosk, timeout: float, read_state: Callable[[], Awaitable[tuple[BroadcastState, str]]],
                   unchanged: Callable[[str], bool]) -> tuple[BroadcastState, str]:
        """The kiosk's state and ETag as soon as `unchanged(etag)` is false, or when `timeout`
        seconds have passed, whichever comes first. Answered from the watcher's snapshot;
        `read_state` (the database) only when the watcher could not read one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        mall_id = kiosk.mall_id
        self._waiting += 1
        try:
            self._start()
            try:  # a state read before the watcher's first read could miss a change in between
                await asyncio.wait_for(self._watching.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            while True:
                changed = self._changed.setdefault(mall_id, asyncio.Event())
                if self.snapshot is not None:
                    state, etag = state_from(self.snapshot, kiosk)
                else:
                    state, etag = await read_state()
                remaining = deadline - loop.time()
                if not unchanged(etag) or remaining <= 0:
                    return state, etag
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass  # answer once more: the kiosk gets a 304 (or what changed unnoticed)
        finally:
            self._waiting -= 1

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._watching = asyncio.Event()
            self.snapshot = None
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        known: Snapshot | None = None
        try:
            while self._waiting:
                try:
                    now_in_force = await on_database_thread(broadcasts_in_force)
                except Exception:
                    log.exception("reading the broadcasts in force failed; the held polls answer from the last read")
                else:
                    # No await from here to the wake: a poll reads the snapshot and registers
                    # for the next change without missing one in between.
                    self.snapshot = now_in_force
                    if known is not None:
                        for mall_id in set(known.broadcasts) | set(now_in_force.broadcasts):
                            if known.fingerprint(mall_id) != now_in_force.fingerprint(mall_id):
                                self._wake(mall_id)
                        if known.levels != now_in_force.levels:  # a kiosk point moved floors
                            for mall_id in {key[0] for key in set(known.levels) | set(now_in_force.levels)
                                            if known.levels.get(key) != now_in_force.levels.get(key)}:
                                self._wake(mall_id)
                    known = now_in_force
                    self._watching.set()
                await asyncio.sleep(CHECK_SECONDS)
        finally:
            self.snapshot = None  # stale once nobody watches

    def _wake(self, mall_id: str) -> None:
        event = self._changed.pop(mall_id, None)
        if event is not None:
            event.set()


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BroadcastWatch] = weakref.WeakKeyDictionary()


def watch() -> BroadcastWatch:
    """This event loop's watcher (an asyncio.Event belongs to one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        _watches[loop] = BroadcastWatch()
    return _watches[loop]
