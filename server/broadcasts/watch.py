"""Answers the held broadcast polls of this server process, and wakes them when a mall's
broadcasts change.

A long poll (`GET /api/v1/kiosk/broadcasts?wait=S` with the ETag the kiosk has) waits here
instead of asking the database itself: one watcher per process and event loop reads the
broadcasts in force (and which level each kiosk point is on) and wakes the polls of the malls
whose broadcasts changed. The polls answer from that snapshot, so an emergency woken in 200 held
polls costs the database one read, not 200. Expiry counts as a change: "in force" is read
against the clock each time.

When to read again:
* when told that something changed, whichever process, worker or tool made the change:
  - with Redis (CONCIERGE_REDIS_URL), by a message on the database's channel there: every
    committed write to the broadcasts, the kiosk points or the console's commands publishes one
    (server/broadcasts/changes.py), on SQLite as on PostgreSQL;
  - on PostgreSQL without Redis, by a notification on `concierge_broadcasts`: triggers on those
    tables (migrations 0004, 0005) notify it, and the watcher LISTENs on a connection of its own.
  It reads again also when the next broadcast in force expires, and every
  CONCIERGE_BROADCAST_RECHECK_SECONDS in case a message was lost with a connection. Idle
  workers do not read at all;
* on SQLite without Redis, or while the subscription is down, every
  CONCIERGE_BROADCAST_CHECK_SECONDS (a quarter second).

The watcher runs only while polls wait (its subscription stays); it reads on the database threads
(server/core/database_threads.py), and held polls keep no connection of their own.
"""
from __future__ import annotations

import asyncio
import logging
import random
import weakref
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Awaitable, Callable

import psycopg
import redis
from django.conf import settings
from django.db import connections
from django.utils import timezone

from server.broadcasts import changes
from server.broadcasts.models import Broadcast
from server.broadcasts.services import broadcast_state
from server.content.models import KioskPoint
from server.core import pubsub
from server.core.database_threads import on_database_thread
from server.fleet.models import CommandState, KioskCommand
from sync.protocol import BroadcastState

log = logging.getLogger(__name__)

CHANNEL = "concierge_broadcasts"
"""PostgreSQL's channel (the triggers' name for it)."""
LISTEN_RETRY_SECONDS = 5.0
WAKE_SPREAD_PER_POLL_SECONDS = 0.002
WAKE_SPREAD_MAX_SECONDS = 0.5
"""Polls woken together answer spread over up to this long (2 ms per poll held): all at once,
their responses take the event loop's every turn, and the request that caused the change (the
console's emergency form) waits behind hundreds of them for its own answer."""


@dataclass(frozen=True)
class Snapshot:
    """The broadcasts in force per mall (rows as read) and the level of each kiosk point."""

    read_at: datetime
    broadcasts: dict[str, tuple[Broadcast, ...]] = field(default_factory=dict)
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(mall id, kiosk point id) → level id."""
    commands_for: dict[str, frozenset[str]] = field(default_factory=dict)
    """mall id → the kiosks with a console command queued for them."""

    def fingerprint(self, mall_id: str) -> tuple:
        """What identifies the mall's broadcasts in force and its kiosks with commands waiting
        (any change in it wakes the polls)."""
        return (tuple((row.id, row.expires_at, tuple(row.target_level_ids or ()))
                      for row in self.broadcasts.get(mall_id, ())),
                tuple(sorted(self.commands_for.get(mall_id, ()))))

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
    commands: dict[str, set[str]] = {}
    for mall_id, kiosk_id in KioskCommand.objects.filter(state=CommandState.QUEUED).values_list("mall_id", "kiosk_id"):
        commands.setdefault(mall_id, set()).add(kiosk_id)
    return Snapshot(read_at=now, broadcasts={mall_id: tuple(items) for mall_id, items in in_force.items()},
                    levels=levels, commands_for={mall_id: frozenset(ids) for mall_id, ids in commands.items()})


def state_from(snapshot: Snapshot, kiosk) -> tuple[BroadcastState, str]:
    """A kiosk's broadcast state and ETag from the snapshot, without the database."""
    return broadcast_state(snapshot.broadcasts.get(kiosk.mall_id, ()), snapshot.level_of(kiosk), timezone.now(),
                           commands_waiting=kiosk.pk in snapshot.commands_for.get(kiosk.mall_id, ()))


class BroadcastWatch:
    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}
        self._waiting = 0
        self._task: asyncio.Task | None = None
        self._watching = asyncio.Event()
        """Set once the running watcher has read what is in force: changes after that wake."""
        self.snapshot: Snapshot | None = None
        """The latest read, while the watcher runs (None before its first read)."""
        self.notified = asyncio.Event()
        """Set by the listener on each notification (PostgreSQL); cleared before each read."""
        self.listening = False
        """Whether the listener's LISTEN is in place now (reads then wait for notifications)."""
        self.notifications = 0
        """Notifications received since this watcher was made."""
        self._listener: asyncio.Task | None = None

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
                else:  # woken with the others: answer at a random moment of the spread
                    spread = min(WAKE_SPREAD_MAX_SECONDS, self._waiting * WAKE_SPREAD_PER_POLL_SECONDS)
                    await asyncio.sleep(min(random.uniform(0, spread), max(0.0, deadline - loop.time())))
        finally:
            self._waiting -= 1
            if not self._waiting:
                self.notified.set()  # the watcher stops now

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._watching = asyncio.Event()
            self.snapshot = None
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        known: Snapshot | None = None
        if self._listener is None:
            # Started with the first held poll and kept for the life of the process: one idle
            # connection, and no gap in listening between one watch and the next.
            told_by = self._told_by()
            if told_by is not None:
                self._listener = asyncio.get_running_loop().create_task(self._listen(*told_by))
                with suppress(asyncio.TimeoutError):  # until listening (or failed): no change missed
                    await asyncio.wait_for(self.notified.wait(), LISTEN_RETRY_SECONDS)
        try:
            while self._waiting:
                self.notified.clear()  # a notification during the read below means: read again
                try:
                    now_in_force = await on_database_thread(broadcasts_in_force)
                except Exception:
                    log.exception("reading the broadcasts in force failed; the held polls answer from the last read")
                else:
                    # No await from here to the wake: a poll reads the snapshot and registers
                    # for the next change without missing one in between.
                    self.snapshot = now_in_force
                    if known is not None:
                        for mall_id in (set(known.broadcasts) | set(now_in_force.broadcasts)
                                        | set(known.commands_for) | set(now_in_force.commands_for)):
                            if known.fingerprint(mall_id) != now_in_force.fingerprint(mall_id):
                                self._wake(mall_id)
                        if known.levels != now_in_force.levels:  # a kiosk point moved floors
                            for mall_id in {key[0] for key in set(known.levels) | set(now_in_force.levels)
                                            if known.levels.get(key) != now_in_force.levels.get(key)}:
                                self._wake(mall_id)
                    known = now_in_force
                    self._watching.set()
                await self._until_next_read(known)
        finally:
            self.snapshot = None  # stale once nobody watches

    async def _until_next_read(self, known: Snapshot | None) -> None:
        if not self.listening:
            await asyncio.sleep(settings.CONCIERGE_BROADCAST_CHECK_SECONDS)
            return
        wait = settings.CONCIERGE_BROADCAST_RECHECK_SECONDS
        if known is not None:  # the next expiry is a change no notification announces
            expiries = [row.expires_at for rows in known.broadcasts.values() for row in rows]
            if expiries:
                wait = min(wait, max(0.0, (min(expiries) - timezone.now()).total_seconds()) + 0.01)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.notified.wait(), wait)

    def _told_by(self) -> tuple[Callable[[], AbstractAsyncContextManager[AsyncIterator[Any]]], tuple, str] | None:
        """How this process learns of changes: (subscribe, its errors, what it is), or None
        (SQLite without Redis: read every CONCIERGE_BROADCAST_CHECK_SECONDS)."""
        if pubsub.configured():
            return (lambda: pubsub.subscription(changes.channel()), (redis.RedisError, OSError),
                    "Redis channel " + changes.channel())
        if connections["default"].vendor == "postgresql":
            return _postgresql_notifications, (psycopg.Error,), "PostgreSQL channel " + CHANNEL
        return None

    async def _listen(self, subscribe: Callable[[], AbstractAsyncContextManager[AsyncIterator[Any]]],
                      errors: tuple, what: str) -> None:
        """Set `notified` at each message; subscribe again after a failure (meanwhile the watcher
        reads every CONCIERGE_BROADCAST_CHECK_SECONDS). Runs until cancelled."""
        while True:
            try:
                async with subscribe() as messages:
                    self.listening = True
                    self.notified.set()  # read now: changes before the subscription were not announced
                    async for _message in messages:
                        self.notifications += 1
                        self.notified.set()
            except errors as failed:
                log.warning("listening for broadcast changes on the %s failed (%s); reading every %s s meanwhile",
                            what, failed, settings.CONCIERGE_BROADCAST_CHECK_SECONDS)
            finally:
                self.listening = False
            self.notified.set()  # stop waiting for notifications: poll until listening again
            await asyncio.sleep(LISTEN_RETRY_SECONDS)

    def _wake(self, mall_id: str) -> None:
        event = self._changed.pop(mall_id, None)
        if event is not None:
            event.set()


@asynccontextmanager
async def _postgresql_notifications() -> AsyncIterator[AsyncIterator[psycopg.Notify]]:
    """LISTENing on a connection of its own once entered, yielding the notifications."""
    settings_dict = connections["default"].settings_dict
    conninfo = psycopg.conninfo.make_conninfo(
        dbname=settings_dict["NAME"], user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None, host=settings_dict.get("HOST") or None,
        port=str(settings_dict["PORT"]) if settings_dict.get("PORT") else None,
        application_name="concierge broadcast watch")
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as listening:
        await listening.execute(f"LISTEN {CHANNEL}")
        yield listening.notifies()


_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BroadcastWatch] = weakref.WeakKeyDictionary()


def watch() -> BroadcastWatch:
    """This event loop's watcher (an asyncio.Event belongs to one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        _watches[loop] = BroadcastWatch()
    return _watches[loop]
