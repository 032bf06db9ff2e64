"""The list of stores used by the directory and the store picker: a RecycleView, so a mall
with hundreds of stores scrolls smoothly (a plain ScrollView of that many rows takes seconds
to build and hundreds of megabytes)."""
from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.recycleview import RecycleView

from screens.places import unit_label
from sync.protocol import Store
from venue.search import search_for


class StoreRow(ButtonBehavior, BoxLayout):
    store_id = StringProperty("")
    name = StringProperty("")
    detail = StringProperty("")
    place = StringProperty("")
    status = StringProperty("")
    is_open = BooleanProperty(False)
    selected = BooleanProperty(False)

    def on_release(self) -> None:
        parent = self.parent
        while parent is not None and not isinstance(parent, StoreList):
            parent = parent.parent
        if parent is not None:
            parent.dispatch("on_store_chosen", self.store_id)


class StoreList(RecycleView):
    """Rows from `rows_for(stores)`; tapping one fires on_store_chosen(store_id)."""

    __events__ = ("on_store_chosen",)

    def on_store_chosen(self, store_id: str) -> None:
        pass

    def row_for(self, store_id: str) -> StoreRow | None:
        """The visible row widget of a store (tests tap it)."""
        for row in self.layout_manager.children:
            if isinstance(row, StoreRow) and row.store_id == store_id:
                return row
        return None


def sorted_stores(stores: list[Store]) -> list[Store]:
    """Bottom floor first, then by unit as printed at the door (B1-02 before B1-10)."""
    app = App.get_running_app()
    index = app.index

    def key(store: Store):
        level = index.level(store.level_id) if index else None
        return (level.ordinal if level else 0, _unit_key(store.unit), store.id)

    return sorted(stores, key=key)


def _unit_key(unit: str) -> tuple:
    parts = []
    number = ""
    for character in unit:
        if character.isdigit():
            number += character
            continue
        if number:
            parts.append((0, int(number), ""))
            number = ""
        parts.append((1, 0, character))
    if number:
        parts.append((0, int(number), ""))
    return tuple(parts)


def rows_for(stores: list[Store], selected_id: str | None = None, with_status: bool = True,
             keep_order: bool = False) -> list[dict]:
    """RecycleView data for `stores`, in the current language, open status as of now
    (left out with `with_status=False`: the store picker asks where, not whether open).
    Stores are listed by floor and unit unless `keep_order` (search results, A–Z)."""
    app = App.get_running_app()
    index = app.index
    now = app.now()
    search = search_for(index)
    rows = []
    for store in (stores if keep_order else sorted_stores(stores)):
        level = index.level(store.level_id)
        category = index.category(store.category_id)
        is_open = search.is_open(store, now)
        rows.append({
            "store_id": store.id,
            "name": app.text(store.name),
            "detail": app.text(category.name) if category else "",
            "place": unit_label(level, store.unit),
            "status": (app.tr("Open") if is_open else app.tr("Closed")) if with_status else "",
            "is_open": is_open,
            "selected": store.id == selected_id,
        })
    return rows
