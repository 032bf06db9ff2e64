"""Files only the service's own user may read: folders 0700, files 0600.

The server's data directory (database, secret key) and the kiosk's (kiosk.db, its device key
and the visitors' queued cases) hold secrets and personal data; another account on the same
machine must not read them. Modes are set when a file or folder is made and tightened again on
every start, so an install from before this rule is fixed by restarting it.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""What SQLite keeps next to a database file; it creates them with the database file's mode."""


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner may enter, made (with its parents) if missing."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Tighten an existing file to 0600; a missing one is left missing."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, PRIVATE_FILE_MODE)


def private_sqlite(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (so its -wal and -shm come out 0600
    too) and tighten the files of a database made before."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        private_file(candidate)
