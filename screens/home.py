"""Home: the mall's name, today's hours, and five large tiles for what visitors come for."""
from __future__ import annotations

from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from screens.base import KioskScreen


class HomeTile(ButtonBehavior, BoxLayout):
    title = StringProperty("")
    subtitle = StringProperty("")
    icon = StringProperty("directory")
    background = ColorProperty((0, 0, 0, 1))
    target = StringProperty("")


class HomeScreen(KioskScreen):
    refreshes_each_minute = True

    hours_text = StringProperty("")
    hours_open = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False

    def prepare(self, **params) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = self.app
        index = app.index
        if index is None:
            self.hours_text = ""
            return
        now = app.now()
        if index.is_open(None, now):
            closes = index.closes_at(None, now)
            self.hours_open = "open"
            self.hours_text = (
                self.tr("Open now · closes at {time}").format(time=app.format_time(closes))
                if closes is not None else self.tr("Open now")
            )
        else:
            opens = index.opens_at(None, now)
            self.hours_open = "closed"
            self.hours_text = (
                self.tr("Closed now · opens at {time}").format(time=app.format_time(opens))
                if opens is not None else self.tr("Closed now")
            )

    def open_tile(self, tile: HomeTile) -> None:
        self.app.show(tile.target)
