"""Wakes the held broadcast polls of this server process when a mall's broadcasts change.

A long poll (`GET /api/v1/kiosk/broadcasts?wait=S` with the ETag the kiosk has) waits here
instead of asking the database itself: one watcher per process and event loop reads the
broadcasts in force every CHECK_SECONDS, whichever process (console, shell, another worker)
changed them, and wakes the polls of the malls whose broadcasts changed. So 200 kiosks
waiting cost four small queries a second, and an emergency reaches every held poll within
CHECK_SECONDS. Expiry counts as a change: "in force" is read against the clock each time.

The watcher runs only while polls wait; it reads on the database threads
(server/core/database_threads.py), and held polls keep no connection of their own.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Awaitable, Callable, TypeVar

from django.utils import timezone

from server.broadcasts.models import Broadcast
from server.core.database_threads import on_database_thread

log = logging.getLogger(__name__)

CHECK_SECONDS = 0.25
T = TypeVar("T")


def broadcasts_in_force() -> dict[str, tuple]:
    """Per mall, what identifies the broadcasts in force now (any change in it wakes the polls)."""
    now = timezone.now()
    rows = (Broadcast.objects.filter(ended_at__isnull=True, starts_at__lte=now, expires_at__gt=now)
            .order_by("mall_id", "id").values_list("mall_id", "id", "expires_at", "target_level_ids"))
    in_force: dict[str, list] = {}
    for mall_id, broadcast_id, expires_at, level_ids in rows:
        in_force.setdefault(mall_id, []).append((broadcast_id, expires_at, tuple(level_ids or ())))
    return {mall_id: tuple(items) for mall_id, items in in_force.items()}


class BroadcastWatch:
    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}
        self._waiting = 0
        self._task: asyncio.Task | None = None
        self._watching = asyncio.Event()
        """Set once the running watcher has read what is in force: changes after that wake."""

    async def hold(self, mall_id: str, timeout: float,
                   read_state: Callable[[], Awaitable[tuple[T, str]]], unchanged: Callable[[str], bool]) -> tuple[T, str]:
        """The mall's state and ETag from `read_state` as soon as `unchanged(etag)` is false,
        or when `timeout` seconds have passed, whichever comes first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._waiting += 1
        try:
            self._start()
            try:  # state read before the watcher's first read could miss a change in between
                await asyncio.wait_for(self._watching.wait(), timeout)
            except asyncio.TimeoutError:
                pass
            while True:
                changed = self._changed.setdefault(mall_id, asyncio.Event())
                state, etag = await read_state()
                remaining = deadline - loop.time()
                if not unchanged(etag) or remaining <= 0:
                    return state, etag
                try:
                    await asyncio.wait_for(changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass  # read once more: something this watch does not see (the kiosk moved) may differ
        finally:
            self._waiting -= 1

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._watching = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        known: dict[str, tuple] | None = None
        while self._waiting:
            try:
                now_in_force = await on_database_thread(broadcasts_in_force)
            except Exception:
                log.exception("reading the broadcasts in force failed; the held polls end at their timeout")
            else:
                if known is not None:
                    for mall_id in set(known) | set(now_in_force):
                        if known.get(mall_id) != now_in_force.get(mall_id):
                            self._wake(mall_id)
                known = now_in_force
                self._watching.set()
            await asyncio.sleep(CHECK_SECONDS)

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
