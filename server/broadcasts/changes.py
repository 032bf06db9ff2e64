"""Where Redis is configured, every committed write to what the held broadcast polls answer from
(the broadcasts, the kiosk points, the console's commands) is announced on a Redis channel: the
counterpart of the PostgreSQL triggers of migrations 0004/0005, for SQLite as well, made by
whichever process writes through Django (a worker, a job, a `python -m server` tool). Each
worker's watcher subscribes there (server/broadcasts/watch.py).

The writes are recognised by their SQL, as the triggers see statements: saves, queryset
updates and deletes alike, without each call site having to remember to announce.
"""
from __future__ import annotations

import re

from django.db import connections

from server.broadcasts.models import Broadcast
from server.content.models import KioskPoint
from server.core import pubsub
from server.fleet.models import KioskCommand

WATCHED_TABLES = frozenset(model._meta.db_table for model in (Broadcast, KioskPoint, KioskCommand))
_WRITTEN_TABLE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def channel() -> str:
    """One channel per database: servers of other databases sharing the Redis are not woken."""
    database = connections["default"].settings_dict
    return f"concierge:broadcasts:{database.get('HOST') or ''}:{database.get('PORT') or ''}/{database['NAME']}"


def announce() -> None:
    pubsub.publish(channel())


def announce_watched_writes(execute, sql, params, many, context):
    """A database execute wrapper: once the transaction of a write to a watched table commits
    (at once outside a transaction; never if it rolls back), announce it."""
    result = execute(sql, params, many, context)
    written = _WRITTEN_TABLE.match(sql) if isinstance(sql, str) else None
    if written and written.group(1) in WATCHED_TABLES:
        context["connection"].on_commit(announce)
    return result


def announce_writes_on(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: wraps each connection once (the wrapper outlives reconnects)."""
    if announce_watched_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(announce_watched_writes)
