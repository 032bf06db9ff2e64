"""Back up and restore a small site's SQLite database while the server runs.

    concierge_sqlite_backup.py backup  --database /var/lib/concierge/server.sqlite3
    concierge_sqlite_backup.py restore --database /var/lib/concierge/server.sqlite3 BACKUP_FILE

`backup` copies the live database with SQLite's online backup API (a consistent snapshot even
while the server writes, WAL included), checks the copy with `PRAGMA integrity_check`, and only
then gives it its final name in $CONCIERGE_BACKUP_DIR; the newest $CONCIERGE_BACKUP_KEEP stay.
`restore` checks the backup the same way and copies it into the database through the same API,
so the WAL and shared-memory files stay consistent; stop the server first (docs/deploy.md).
Only the standard library: it runs with any Python 3.11, in or out of the project's venv.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

PAGES_PER_STEP = 1024
"""Pages copied per step: between steps the server's writers get the database back."""
NAME_PREFIX = "concierge-"
NAME_SUFFIX = ".sqlite3"


class BackupError(Exception):
    """A backup or restore that must not be used; the message says why."""


def integrity_problem(path: Path) -> str | None:
    """What `PRAGMA integrity_check` finds wrong with the database at `path`, or None."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    answer = "; ".join(str(row[0]) for row in rows)
    return None if answer == "ok" else answer


def copy_database(source: Path, target: Path) -> None:
    """Copy `source` into `target` with the online backup API."""
    with closing(sqlite3.connect(source, timeout=30)) as reader, closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer, pages=PAGES_PER_STEP)


def backup(database: Path, into: Path, keep: int, now: datetime) -> Path:
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    into.mkdir(parents=True, exist_ok=True)
    final = into / f"{NAME_PREFIX}{now:%Y%m%dT%H%M%S%fZ}{NAME_SUFFIX}"
    partial = final.with_name(final.name + ".partial")
    try:
        copy_database(database, partial)
        # A snapshot needs no WAL of its own: one self-contained file.
        with closing(sqlite3.connect(partial)) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        problem = integrity_problem(partial)
        if problem:
            raise BackupError(f"the copy of {database} failed its integrity check: {problem}")
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    for old in sorted(into.glob(f"{NAME_PREFIX}*{NAME_SUFFIX}"), reverse=True)[keep:]:
        old.unlink()
        print(f"removed old backup {old.name}")
    return final


def restore(backup_file: Path, database: Path) -> None:
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    problem = integrity_problem(backup_file)
    if problem:
        raise BackupError(f"{backup_file} failed its integrity check, nothing restored: {problem}")
    copy_database(backup_file, database)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    backup_command = commands.add_parser("backup", help="copy the live database into the backup directory")
    backup_command.add_argument("--database", type=Path, required=True)
    backup_command.add_argument("--into", type=Path,
                                default=Path(os.environ.get("CONCIERGE_BACKUP_DIR") or "/var/backups/concierge"))
    # A string default goes through `type` too, so a bad $CONCIERGE_BACKUP_KEEP is a usage error.
    backup_command.add_argument("--keep", type=_positive, default=os.environ.get("CONCIERGE_BACKUP_KEEP") or "14")
    restore_command = commands.add_parser("restore", help="put a backup back (stop the server first)")
    restore_command.add_argument("--database", type=Path, required=True)
    restore_command.add_argument("backup_file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            written = backup(args.database, args.into, args.keep, datetime.now(UTC))
            print(f"backed up to {written} ({written.stat().st_size} bytes)")
        else:
            restore(args.backup_file, args.database)
            print(f"restored {args.database} from {args.backup_file}")
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
