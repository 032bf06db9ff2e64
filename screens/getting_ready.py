"""Shown while no content is installed (a new kiosk, before its first download): a friendly
message in all three languages instead of empty lists, and how far the first content version
has downloaded (`KioskApp.download_progress`)."""
from __future__ import annotations

from kivy.graphics import Color, RoundedRectangle
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget

from screens import theme
from screens.base import KioskScreen


class DownloadBar(Widget):
    """A bar filled to `value` (0–1): a content version's bytes downloaded so far."""

    value = NumericProperty(0.0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.canvas:
            Color(rgba=theme.LINE)
            self._track = RoundedRectangle()
            Color(rgba=theme.PRIMARY)
            self._fill = RoundedRectangle()
        self.bind(pos=self._redraw, size=self._redraw, value=self._redraw)

    def _redraw(self, *args) -> None:
        radius = [self.height / 2]
        self._track.pos, self._track.size, self._track.radius = self.pos, self.size, radius
        filled = self.width * min(max(self.value, 0.0), 1.0)
        self._fill.pos, self._fill.size, self._fill.radius = self.pos, (filled, self.height), radius


class GettingReadyScreen(KioskScreen):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
