"""Shown while no content is installed (a new kiosk, before its first download): a friendly
message in all three languages instead of empty lists."""
from __future__ import annotations

from screens.base import KioskScreen


class GettingReadyScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
