"""Where the kiosk keeps its data and how its window behaves."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "CONCIERGE_KIOSK_DIR"
DATABASE_FILENAME = "kiosk.db"


def default_data_dir() -> Path:
    """`$CONCIERGE_KIOSK_DIR`, else the XDG data home: one directory per kiosk install."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg_data_home = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg_data_home).expanduser() if xdg_data_home else Path.home() / ".local" / "share"
    return base / "concierge-kiosk"


@dataclass
class KioskConfig:
    """Settings of one kiosk process; the persistent state lives in the store under data_dir."""

    data_dir: Path
    idle_timeout_s: float = 90
    """After this long without a touch the kiosk returns to the home screen (and drops drafts)."""
    receipt_timeout_s: float = 60
    """How long a case receipt (with its QR code) stays on screen before it is cleared."""
    fullscreen: bool = True
    window_width: int = 1080
    window_height: int = 1920
    """Portrait full-HD: the common mall kiosk panel."""

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_FILENAME

    @property
    def window_size(self) -> tuple[int, int]:
        return (self.window_width, self.window_height)
