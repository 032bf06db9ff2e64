"""`migrate`, safe to run from several servers at once.

Every server runs `migrate` as it starts (`serve`), so two starting together on a fresh database
would both create the same tables and one would fail. The whole command runs under a lock:
- PostgreSQL: a session advisory lock on the migrating connection; the second server waits,
  then finds every migration applied. The lock goes with the connection if the process dies.
- SQLite: an exclusive file lock beside the database file. SQLite serialises each write
  transaction, not the run: both processes would read "not applied" before either wrote, and the
  second would then fail on "table already exists". An in-memory database has a single process.
"""
from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import DEFAULT_DB_ALIAS, connections

# pg_advisory_lock takes a bigint; any fixed number the project uses for nothing else.
MIGRATE_LOCK_KEY = 0x636F6E6369657267  # "concierg"


@contextlib.contextmanager
def migrate_lock(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Hold the database's migrate lock (see the module's docstring) while the block runs."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
    elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
        lock_path = Path(f"{connection.settings_dict['NAME']}.migrate-lock")
        with lock_path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # released when the file closes, or the process ends
            yield
    else:
        yield


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Holds a lock so that servers starting together migrate one at a time."

    def handle(self, *args, **options):
        alias = options["database"]
        with migrate_lock(alias):
            super().handle(*args, **options)
