"""The kiosk's local store: one SQLite file plus content-addressed blob files beside it.

Everything the kiosk shows comes from here, so it keeps working without a network. A case is
durable once its transaction commits (WAL + synchronous=FULL, DESIGN decision 2), and data the
kiosk erases is overwritten on disk (secure_delete) rather than left in free pages.

A `LocalStore` wraps one sqlite3 connection, which belongs to the thread that opened it:
the sync agent opens its own `LocalStore` on the same file.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.config import DATABASE_FILENAME
from sync.private_files import private_dir, private_sqlite

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
BLOBS_DIRNAME = "blobs"


class StoreError(Exception):
    """The local store cannot be used (a newer schema, an unwritable directory)."""


class Database:
    """The store's connection (`store.db.conn`) with nested transactions as savepoints: all the
    kiosk needs of a database wrapper, where importing sqlite-utils for it cost the kiosk's first
    frame a tenth of a second or more."""

    _savepoints = itertools.count(1)

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A savepoint: rolled back alone on an error, inside a transaction already open (or
        as a transaction of its own when none is)."""
        name = f"kiosk_{next(self._savepoints)}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {name}")

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


class LocalStore:
    """One connection to the kiosk database, with the schema in place and the pragmas set."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.data_dir = self.path.parent
        self.blobs_dir = self.data_dir / BLOBS_DIRNAME
        private_dir(self.data_dir)
        private_dir(self.blobs_dir)
        private_sqlite(self.path)
        # isolation_level=None: no implicit transactions; `transaction()` opens them explicitly
        # with BEGIN IMMEDIATE so two threads never deadlock upgrading read locks to write locks.
        connection = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self.db = Database(connection)
        self._apply_pragmas()
        self._migrate()
        self.cache: dict[str, Any] = {}
        """Per-connection memo (parsed content); cleared whenever the active content changes."""

    @classmethod
    def in_dir(cls, data_dir: Path | str) -> LocalStore:
        """The store of the kiosk whose data directory is `data_dir`."""
        return cls(Path(data_dir) / DATABASE_FILENAME)

    # ---------------------------------------------------------------- connection
    def _apply_pragmas(self) -> None:
        execute = self.db.conn.execute
        execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        mode = execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StoreError(f"{self.path}: SQLite refused WAL mode (got {mode!r})")
        execute("PRAGMA synchronous = FULL")
        execute("PRAGMA secure_delete = ON")
        execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        with self.transaction():
            version = self.db.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}; this kiosk software knows "
                    f"up to {SCHEMA_VERSION}. Install the newer kiosk software."
                )
            if version < 1:
                self._create_schema_v1()
            self.db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _create_schema_v1(self) -> None:
        # sqlite3's executescript() COMMITs first, which would end the migration's
        # transaction, so the statements run one by one.
        for statement in _SCHEMA_V1:
            self.db.conn.execute(statement)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction (BEGIN IMMEDIATE), or a savepoint when one is already open."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def checkpoint_truncate(self, attempts: int = 3) -> bool:
        """Copy the WAL into the database file and truncate the WAL to zero bytes.

        Used after erasing personal data, so the old bytes do not linger in the WAL. SQLite
        waits for readers on other connections up to the busy timeout; returns False if they
        kept it from completing every time (the next erase checkpoints again).
        """
        for attempt in range(attempts):
            busy, _log_frames, _checkpointed = self.db.conn.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
            if not busy:
                return True
            time.sleep(0.05 * (attempt + 1))
        return False

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- settings
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.db.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self.db.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def delete_setting(self, key: str) -> None:
        with self.transaction():
            self.db.conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    # ---------------------------------------------------------------- blobs
    def blob_path(self, sha256: str) -> Path:
        if not _is_sha256(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.blobs_dir / sha256

    def has_blob(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()

    def write_blob(self, sha256: str, data: bytes) -> Path:
        """Write a blob atomically (temporary file, fsync, rename, fsync the directory).

        The caller has verified that `data` hashes to `sha256`; a crash leaves either no file
        or the whole file, never a torn one that a later run would trust.
        """
        final = self.blob_path(sha256)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{sha256[:16]}.", suffix=".tmp", dir=self.blobs_dir)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_directory(self.blobs_dir)
        return final

    def read_blob(self, sha256: str) -> bytes:
        return self.blob_path(sha256).read_bytes()


_SCHEMA_V1 = [
    """CREATE TABLE IF NOT EXISTS settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS content_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mall_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        document_sha256 TEXT NOT NULL,
        manifest TEXT NOT NULL,
        etag TEXT,
        source TEXT NOT NULL,
        installed_at TEXT NOT NULL,
        UNIQUE (mall_id, version, document_sha256)
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        case_id TEXT PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        rejected_status INTEGER,
        sent_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at)",
    """CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        subject_id TEXT,
        value TEXT,
        batch_id TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS events_batch ON events (batch_id)",
]


def _is_sha256(value: str) -> bool:
    return len(value) == 64 and all(ch in "0123456789abcdef" for ch in value)


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable: the directory entry itself must reach the disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
