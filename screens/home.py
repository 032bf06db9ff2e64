"""Home: the mall's name, today's hours, a search field, and large tiles for what visitors come
for. A tap on the search field puts the keyboard where the tiles were (it starts in the
visitor's language); Search opens the directory with what was typed, the letters still being
composed included, so `xishoujian` finds the toilets as it would in the directory."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens.base import KioskScreen

SEARCH_HINT = N_("Search stores and facilities")
MAX_ZHUYIN_COMMITS = 8
"""Candidates taken one after another when Search is pressed mid-Zhuyin (each covers a word)."""


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
    searching = BooleanProperty(False)
    """The keyboard is up in place of the tiles."""
    search_hint = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
        # Held here: `ids` only refer weakly, and the one out of the tree would be collected.
        self._keyboard, self._tiles = self.ids.keyboard.__self__, self.ids.tiles.__self__
        keyboard = self._keyboard
        keyboard.target = self.ids.search_field
        keyboard.allow_newline = False
        keyboard.bind(pending=self._show_hint)
        self.ids.panel.remove_widget(keyboard)

    def on_searching(self, instance, searching: bool) -> None:
        panel, shown, hidden = self.ids.panel, self._keyboard, self._tiles
        if not searching:
            shown, hidden = hidden, shown
        if hidden.parent is not None:
            hidden.parent.remove_widget(hidden)
        if shown.parent is None:
            panel.add_widget(shown)

    def prepare(self, **params) -> None:
        self.stop_search()
        self.refresh()

    def reset(self) -> None:
        self.stop_search()

    # ---------------------------------------------------------------- search
    def start_search(self) -> None:
        """The keyboard in place of the tiles, in the visitor's language (the Chinese input
        methods load their dictionaries only now, not while the kiosk starts)."""
        self._keyboard.chinese_default = True
        self.searching = True
        self.ids.search_field.focused = True

    def stop_search(self) -> None:
        self.searching = False
        self.ids.search_field.focused = False
        self.ids.search_field.clear()
        self._keyboard.reset_input()

    def submit_search(self) -> None:
        """The directory, searching what was typed (or the directory as it opens, when nothing was).
        Pinyin still composing is searched as letters (`xbk` finds by initials); Zhuyin is no
        text a visitor reads, so its best candidates are taken (ㄒㄧˇㄕㄡˇㄐㄧㄢ: 洗手間)."""
        keyboard = self._keyboard
        for _ in range(MAX_ZHUYIN_COMMITS):
            if keyboard.input_mode != "zhuyin" or not keyboard.candidates:
                break
            keyboard.choose_candidate(0)
        query = (self.ids.search_field.value + keyboard.pending).strip()
        self.stop_search()
        if query:
            self.app.show("directory", query=query)
        else:
            self.app.show("directory", category_id="")

    def _show_hint(self, *args) -> None:
        """The letters being composed show in the empty field, as in the directory."""
        self.search_hint = self._keyboard.composition or self.tr(SEARCH_HINT)

    def refresh(self) -> None:
        self._show_hint()
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
