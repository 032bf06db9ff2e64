"""The kiosk's log file: written from the first moment of `python -m kiosk run`, its last lines
shown on the maintenance screen.

Apart from the maintenance module on purpose: the kiosk starts logging before its first frame,
and the maintenance module brings the HTTP client and the sync protocol with it.
"""
from __future__ import annotations

import logging
import logging.handlers
from collections import deque
from pathlib import Path

LOG_DIRNAME = "logs"
LOG_FILENAME = "kiosk.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
LOG_EXCERPT_LINES = 40


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIRNAME / LOG_FILENAME


def log_to_file(data_dir: Path) -> logging.Handler:
    """Also write the kiosk's log to `<data dir>/logs/kiosk.log` (rotated at LOG_MAX_BYTES)."""
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    logging.getLogger().addHandler(handler)
    return handler


def log_excerpt(data_dir: Path, lines: int = LOG_EXCERPT_LINES) -> list[str]:
    """The last `lines` lines of the kiosk's log file (none when there is no file yet)."""
    try:
        with log_path(data_dir).open(encoding="utf-8", errors="replace") as handle:
            return [line.rstrip("\n") for line in deque(handle, maxlen=lines)]
    except OSError:
        return []
