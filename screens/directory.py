"""Store directory: pick a category (left) and a floor (bottom, within reach); tap a store."""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.widgets.common import ChoiceButton
from screens.widgets.store_list import rows_for


class DirectoryScreen(KioskScreen):
    category_id = StringProperty("")
    level_id = StringProperty("")
    result_count = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Store directory")

    def prepare(self, category_id: str | None = None, **params) -> None:
        if category_id is not None:
            self.category_id = category_id
            self.level_id = ""
        self.refresh()

    def reset(self) -> None:
        self.category_id = ""
        self.level_id = ""
        self.ids.stores.scroll_y = 1

    def refresh(self) -> None:
        app = self.app
        index = app.index
        if index is None:
            return
        if self.category_id and index.category(self.category_id) is None:
            self.category_id = ""
        if self.level_id and index.level(self.level_id) is None:
            self.level_id = ""
        self._build_categories()
        self._build_levels()
        self._fill()

    def _build_categories(self) -> None:
        app = self.app
        box = self.ids.categories
        box.clear_widgets()
        choices = [("", app.tr("All stores"), len(app.index.stores))]
        for category in app.index.categories:
            count = len(app.index.stores_in_category(category.id))
            if count:
                choices.append((category.id, app.text(category.name), count))
        for value, label, count in choices:
            button = ChoiceButton(text=f"{label}  ({count})", value=value, selected=value == self.category_id,
                                  size_hint_y=None, height=app.u * 96, halign="left")
            button.bind(on_release=self._choose_category)
            box.add_widget(button)

    def _build_levels(self) -> None:
        app = self.app
        box = self.ids.levels
        box.clear_widgets()
        choices = [("", app.tr("All floors"))] + [(level.id, level.short_name) for level in reversed(app.index.levels())]
        for value, label in choices:
            button = ChoiceButton(text=label, value=value, selected=value == self.level_id,
                                  size_hint_x=1 if value else 1.6)
            button.bind(on_release=self._choose_level)
            box.add_widget(button)

    def _choose_category(self, button: ChoiceButton) -> None:
        self.category_id = button.value
        for other in self.ids.categories.children:
            other.selected = other.value == self.category_id
        self._fill()
        self.ids.stores.scroll_y = 1

    def _choose_level(self, button: ChoiceButton) -> None:
        self.level_id = button.value
        for other in self.ids.levels.children:
            other.selected = other.value == self.level_id
        self._fill()
        self.ids.stores.scroll_y = 1

    def _fill(self) -> None:
        index = self.app.index
        stores = index.stores_in_category(self.category_id) if self.category_id else index.stores
        if self.level_id:
            stores = [store for store in stores if store.level_id == self.level_id]
        self.ids.stores.data = rows_for(stores)
        self.result_count = len(stores)

    def open_store(self, store_id: str) -> None:
        self.app.show("store", store_id=store_id)
