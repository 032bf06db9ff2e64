"""Choosing the store a case is about: filter by floor and category, or search as in the
directory (venue.search: Chinese, pinyin, initials — "xbk" finds 星巴克 — English, unit number,
one typo forgiven), then tap it.

In the accessibility mode's reach band of a portrait panel (1080 × 848 px: `narrow`) the list
keeps the whole width and the keyboard comes up under it, across the width, when the visitor
taps the field, in place of the floors and categories until Done."""
from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.widgets.common import ChoiceButton, discard_children, text_width
from screens.widgets.store_list import rows_for
from venue.search import search_for


class StorePickerScreen(KioskScreen):
    selected_id = StringProperty("")
    level_id = StringProperty("")
    category_id = StringProperty("")
    result_count = NumericProperty(0)
    chooser = StringProperty("case_form")
    narrow = BooleanProperty(False)
    """Side by side would be too narrow (a portrait panel's reach band): the keyboard comes up on
    demand (set in store_picker.kv)."""
    typing = BooleanProperty(False)
    """The visitor tapped the field: when narrow, the keyboard is up."""
    folded = BooleanProperty(False)
    """Narrow and typing: the floors, categories and "No particular store" fold away (kv)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Which store?")
        # Held here: `ids` only refer weakly, and the keyboard is out of the tree until needed (narrow).
        self._keyboard = keyboard = self.ids.keyboard.__self__
        keyboard.target = self.ids.query
        keyboard.allow_newline = False
        keyboard.chinese_default = True
        self.ids.query.bind(value=lambda *args: self._fill())
        keyboard.bind(pending=self._pending_changed)
        self.bind(narrow=self._arrange, typing=self._arrange)
        self._arrange()

    def _arrange(self, *args) -> None:
        """The keyboard under the field: always, or when narrow only while the visitor types."""
        keyboard, column = self._keyboard, self.ids.search_column
        shown = self.typing or not self.narrow
        self.ids.query.focused = shown
        if shown and keyboard.parent is None:
            column.add_widget(keyboard)
        elif not shown and keyboard.parent is not None:
            column.remove_widget(keyboard)

    def start_typing(self) -> None:
        self.typing = True

    def stop_typing(self) -> None:
        self.typing = False

    def prepare(self, selected: str | None = None, chooser: str | None = None, **params) -> None:
        """`chooser`: the screen whose set_store() receives the choice (the case form by default)."""
        self.selected_id = selected or ""
        if chooser:
            self.chooser = chooser
        elif not params.get("returning"):
            self.chooser = "case_form"
        if not params.get("returning"):
            self.typing = False
            self._start_afresh()
        self.refresh()

    def _start_afresh(self) -> None:
        """A new choice: nothing typed, and the keyboard back in the visitor's language (they may
        have switched to EN for a Latin name the last time)."""
        self.ids.query.clear()
        self.ids.keyboard.start_over()

    def reset(self) -> None:
        self.selected_id = ""
        self.level_id = ""
        self.category_id = ""
        self._start_afresh()

    def refresh(self) -> None:
        app = self.app
        index = app.index
        if index is None:
            return
        if self.level_id and index.level(self.level_id) is None:
            self.level_id = ""
        if self.category_id and index.category(self.category_id) is None:
            self.category_id = ""
        self._pending_changed()
        self._build_filters()
        self._fill()

    def _pending_changed(self, *args) -> None:
        """Pinyin being composed shows in the empty field, and already narrows the list."""
        self.ids.query.hint = self.ids.keyboard.pending or self.tr("Type part of the name")
        self._fill()

    def _build_filters(self) -> None:
        app = self.app
        levels = self.ids.levels
        discard_children(levels)
        for value, label in [("", app.tr("All floors"))] + [
            (level.id, level.short_name) for level in reversed(app.index.levels())
        ]:
            button = ChoiceButton(text=label, value=value, selected=value == self.level_id,
                                  size_hint_x=1 if value else 2)
            button.bind(on_release=self._choose_level)
            levels.add_widget(button)
        categories = self.ids.categories
        discard_children(categories)
        for value, label in [("", app.tr("All categories"))] + [
            (category.id, app.text(category.name)) for category in app.index.categories
            if app.index.stores_in_category(category.id)
        ]:
            width = text_width(label, app.u * theme.TEXT_BODY) + app.u * 64
            button = ChoiceButton(text=label, value=value, selected=value == self.category_id,
                                  size_hint_x=None, width=max(app.u * 150, width))
            button.bind(on_release=self._choose_category)
            categories.add_widget(button)

    def _choose_level(self, button: ChoiceButton) -> None:
        self.level_id = button.value
        for other in self.ids.levels.children:
            other.selected = other.value == self.level_id
        self._fill()

    def _choose_category(self, button: ChoiceButton) -> None:
        self.category_id = button.value
        for other in self.ids.categories.children:
            other.selected = other.value == self.category_id
        self._fill()

    def _fill(self) -> None:
        index = self.app.index
        if index is None:
            return
        query = (self.ids.query.value + self.ids.keyboard.pending).strip()
        candidates = [hit.store for hit in search_for(index).search(query)] if query else index.stores
        stores = [
            store for store in candidates
            if (not self.level_id or store.level_id == self.level_id)
            and (not self.category_id or store.category_id == self.category_id)
        ]
        self.ids.stores.data = rows_for(stores, selected_id=self.selected_id, with_status=False,
                                        keep_order=bool(query))
        self.ids.stores.scroll_y = 1
        self.result_count = len(stores)

    def choose(self, store_id: str | None) -> None:
        """Hand the choice back to the form it came from."""
        self.app.screen(self.chooser).set_store(store_id)
        self.app.go_back()
