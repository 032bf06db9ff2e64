"""Starting on a damaged disk: a corrupt kiosk database or a full disk, found and mended at start.

A kiosk runs for years on SD cards and cheap SSDs. When its database is damaged (a card
wearing out, a write torn by a power cut on hardware that lies about fsync), refusing to start
would black the screen, and starting afresh would lose the cases and proof-of-play records
that wait to be uploaded. So at start the database is checked (`PRAGMA quick_check`); a
damaged one is moved aside, every row that can still be read from it is copied into a new
database, table by table, and the damaged file is kept for a technician. Cases keep their ids,
so a case the server already has is still taken only once when it is sent again.

A disk too full to write is cleared of what can be rebuilt: half-written downloads, content
no version needs, and the WAL; the kiosk then reports how much room is left.
"""
from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kiosk.config import DATABASE_FILENAME
from kiosk.content import PARTIAL_SUFFIX, prune_content
from kiosk.store import BLOBS_DIRNAME, LocalStore

log = logging.getLogger(__name__)

DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
"""The SQLite errors that mean the file itself is damaged (others: full, locked, I/O)."""

DAMAGED_DIRNAME = "damaged"
DAMAGED_COPIES_KEPT = 2
START_PROBLEMS_KEY = "recovery.start_problems"
LOW_DISK_BYTES = 64 * 1024 * 1024
"""Below this much free space the kiosk clears what it can rebuild (a content version is tens
of MB of pictures at most; cases and events are small)."""


@dataclass
class Recovery:
    """What the start-up check found and did; `problems` is empty when all was well."""

    problems: list[str] = field(default_factory=list)
    damaged_copy: Path | None = None
    rows_recovered: dict[str, int] = field(default_factory=dict)
    bytes_freed: int = 0
    free_bytes: int | None = None


def database_intact(path: Path) -> bool:
    """Whether the database at `path` opens and passes SQLite's quick check (absent counts as intact)."""
    if not path.exists():
        return True
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) in DAMAGE_CODES:
            return False
        raise  # a full disk or a locked file is not damage: moving the database aside would be wrong
    return rows == [("ok",)]


def recover_database(path: Path) -> Recovery:
    """Move the damaged database aside and rebuild it from whatever rows can still be read."""
    report = Recovery(problems=[f"the kiosk database {path.name} was damaged"])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    damaged_dir = path.parent / DAMAGED_DIRNAME
    damaged_dir.mkdir(mode=0o700, exist_ok=True)
    damaged = damaged_dir / f"{path.stem}-{stamp}{path.suffix}"
    for suffix in ("", "-wal", "-shm"):  # the WAL may hold the newest cases: it moves along
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.move(source, Path(f"{damaged}{suffix}"))
    report.damaged_copy = damaged
    for older in sorted(damaged_dir.glob(f"{path.stem}-*{path.suffix}"))[:-DAMAGED_COPIES_KEPT]:
        older.unlink(missing_ok=True)  # a kiosk that keeps failing must not fill its disk with copies
    with contextlib.closing(LocalStore(path)) as store:
        report.rows_recovered = _salvage_rows(store, damaged)
    if not any(report.rows_recovered.values()):
        report.problems.append("nothing could be read back from it: the kiosk starts with an empty database")
    log.error("kiosk database damaged, moved to %s; rows read back: %s", damaged, report.rows_recovered)
    return report


def _salvage_rows(store: LocalStore, damaged: Path) -> dict[str, int]:
    """Copy every row that can still be read from `damaged` into the fresh store, by column name.

    A damaged page ends a scan, so each table is read forwards and then backwards by rowid
    (as SQLite's own .dump does) and the two halves are joined: only rows on a damaged page
    are lost. Rows keep their keys, so nothing is taken twice.
    """
    copied: dict[str, int] = {}
    try:
        source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return copied
    with contextlib.closing(source):
        for table in store.db.table_names():
            try:
                old_columns = {row[1] for row in source.execute(f"PRAGMA table_info({table})")}
            except sqlite3.DatabaseError:
                old_columns = set()
            columns = [row[1] for row in store.db.conn.execute(f"PRAGMA table_info({table})")
                       if row[1] in old_columns]
            if not columns:
                copied[table] = 0
                continue
            rows = _readable_rows(source, table, columns)
            names, marks = ", ".join(columns), ", ".join("?" for _ in columns)
            with store.transaction() as db:
                before = db.conn.total_changes
                db.conn.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", rows)
                copied[table] = db.conn.total_changes - before
    return copied


def _readable_rows(source: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple]:
    found: dict[int, tuple] = {}
    names = ", ".join(columns)
    for order in ("ASC", "DESC"):
        try:
            cursor = source.execute(f"SELECT rowid, {names} FROM {table} ORDER BY rowid {order}")
            for row in cursor:
                found.setdefault(row[0], row[1:])
        except sqlite3.DatabaseError:
            continue  # the damaged page: what was read before it is kept
    return [found[rowid] for rowid in sorted(found)]


def free_space(data_dir: Path) -> int | None:
    with contextlib.suppress(OSError):
        return shutil.disk_usage(data_dir).free
    return None


def _remove_partial_downloads(data_dir: Path) -> int:
    """Half-written blobs (a download cut by the power): never trusted, always fetched again."""
    freed = 0
    blobs_dir = data_dir / BLOBS_DIRNAME
    leftovers = [*blobs_dir.glob(".*.tmp"), *blobs_dir.glob(f".*{PARTIAL_SUFFIX}")] if blobs_dir.is_dir() else []
    for partial in leftovers:
        with contextlib.suppress(OSError):
            freed += partial.stat().st_size
            partial.unlink()
    return freed


def _prune_unneeded_content(data_dir: Path) -> int:
    """Content versions other than the active and previous ones, and their pictures."""
    blobs_dir = data_dir / BLOBS_DIRNAME
    before = _directory_size(blobs_dir)
    try:
        with contextlib.closing(LocalStore(data_dir / DATABASE_FILENAME)) as store:
            prune_content(store)
            store.checkpoint_truncate()
    except (OSError, ValueError, sqlite3.Error) as exc:
        log.error("could not make room on the disk: %s", exc)
    return max(0, before - _directory_size(blobs_dir))


def _directory_size(directory: Path) -> int:
    if not directory.is_dir():
        return 0
    return sum(path.stat().st_size for path in directory.iterdir() if path.is_file())


def check_at_start(data_dir: Path) -> Recovery:
    """Run before anything opens the database: make room on a full disk (SQLite needs some to
    open a database at all), then recover a damaged database."""
    path = data_dir / DATABASE_FILENAME
    free = free_space(data_dir)
    low = free is not None and free < LOW_DISK_BYTES
    freed = _remove_partial_downloads(data_dir) if low else 0
    report = Recovery() if database_intact(path) else recover_database(path)
    if free is not None and low:
        report.problems.append(f"the disk was nearly full ({free // 1024} KiB free)")
        report.bytes_freed = freed + _prune_unneeded_content(data_dir)
    report.free_bytes = free_space(data_dir)
    if report.problems:
        with contextlib.suppress(OSError, sqlite3.Error), contextlib.closing(LocalStore(path)) as store:
            store.set_setting(START_PROBLEMS_KEY, report.problems)  # the sync agent reports them
    return report


def take_start_problems(store: LocalStore) -> list[str]:
    """What the last start found and mended, once: the sync agent sends it to the fleet console."""
    problems = store.get_setting(START_PROBLEMS_KEY) or []
    if problems:
        store.delete_setting(START_PROBLEMS_KEY)
    return list(problems)
