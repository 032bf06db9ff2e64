"""Store directory: browse by category or A–Z (pinyin initials for Chinese names), with the
floor buttons at the bottom, within reach, narrowing either; or type on the keyboard to search —
Chinese characters, pinyin, initials, English or a unit number.

Results update on every key, the pinyin being composed included: `xbk` finds 星巴克 before a
candidate is chosen. A query for a facility (洗手间, toilet, ATM, 母婴室) answers first with the
nearest one from this kiosk and a button to its route (venue.facility_search), above the stores.
When nothing matches, the screen suggests categories and the service desk.

On a portrait panel the search field goes on top and the keyboard under the list; while the
visitor types, the browse rows (faded and unused then) fold away so the results keep the room.
In the accessibility mode's reach band of a portrait panel (1080 × 848 px: `narrow`) a keyboard
beside the list would leave neither wide enough, and under a full list it would not fit: the
list has the whole width, and a tap on the field brings the keyboard up across the width in
place of the browse rows until Done.
"""
from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty

from kiosk.i18n import N_
from screens import theme
from screens.base import KioskScreen
from screens.widgets.common import ChoiceButton, KButton, discard_children, text_width
from screens.widgets.store_list import rows_for
from sync.protocol import Facility
from venue.facility_search import NearestFacility, facility_search_for
from venue.routing.router import RoutingError
from venue.search import Tier, browse_letter, fold, has_han, pinyin_syllables, search_for

log = logging.getLogger(__name__)

LETTERS = [chr(code) for code in range(ord("A"), ord("Z") + 1)] + ["#"]
SUGGESTED_CATEGORIES = 6
"""How many categories the empty search result offers as a way out."""
MODE_LABELS = {"category": N_("By category"), "letter": N_("A–Z")}
MIN_FACILITY_LETTERS = 2
"""A single Latin letter is the start of too many words to answer with a facility."""
FACILITY_TIERS = (Tier.EXACT, Tier.PREFIX, Tier.WORD_START, Tier.CONTAINS, Tier.RELATED)
"""Matches good enough to answer with the nearest facility (not a sound-alike or a typo)."""


class DirectoryScreen(KioskScreen):
    mode = OptionProperty("category", options=("category", "letter"))
    category_id = StringProperty("")
    level_id = StringProperty("")
    letter = StringProperty("")
    query = StringProperty("")
    """What the visitor has typed, the pinyin still being composed included."""
    result_count = NumericProperty(0)
    heading = StringProperty("")
    desk_text = StringProperty("")
    desk_id = StringProperty("")
    """The service desk the empty result offers the way to ("" when the mall has none)."""
    facility_id = StringProperty("")
    """The nearest facility the query asks for ("" when it names none): answered first."""
    facility_name = StringProperty("")
    facility_detail = StringProperty("")
    browsing = BooleanProperty(True)
    """The browse rows are shown: always in landscape, in portrait while nothing is typed (set in
    directory.kv)."""
    narrow = BooleanProperty(False)
    """Side by side would be too narrow (a portrait panel's reach band): the keyboard comes up on
    demand, under the list (set in directory.kv)."""
    typing = BooleanProperty(False)
    """The visitor tapped the field: when narrow, the keyboard is up in place of the browse rows."""
    field_button_shown = BooleanProperty(False)
    """Done (while typing) or × (a search shown) beside the field, when narrow (set in directory.kv)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Store directory")
        self._letter_order: dict[tuple, list] = {}
        # Held here: `ids` only refer weakly, and the search column is out of the tree in portrait
        # (the keyboard too, when narrow, until the visitor types).
        self._search_column = self.ids.search_column.__self__
        self._keyboard = self.ids.keyboard.__self__
        keyboard = self.ids.keyboard
        keyboard.target = self.ids.query_field
        keyboard.allow_newline = False
        keyboard.chinese_default = True
        self.ids.query_field.bind(value=self._query_changed)
        keyboard.bind(pending=self._query_changed)
        self.app.bind(landscape=self._arrange)
        self.bind(narrow=self._arrange, typing=self._arrange)
        self._arrange()

    # ---------------------------------------------------------------- navigation hooks
    def prepare(self, category_id: str | None = None, query: str | None = None, returning: bool = False,
                **params) -> None:
        if category_id is not None or query is not None:
            self.typing = False
            self.mode = "category"
            self.category_id = category_id or ""
            self.ids.query_field.clear()
            self.ids.keyboard.reset_input()
        if query:
            self.ids.query_field.insert(query.strip())
        self.refresh()

    def _arrange(self, *args) -> None:
        """Landscape: the field above the keyboard, beside the list. Portrait: the field on top,
        the list under it, the keyboard at the bottom (no search column); narrow, the keyboard
        only while the visitor types."""
        ids, column = self.ids, self._search_column
        field, keyboard, browse, body = ids.field_box.__self__, self._keyboard, ids.browse, ids.body
        for widget in (field, keyboard):
            if widget.parent is not None:
                widget.parent.remove_widget(widget)
        ids.query_field.focused = self.typing or not self.narrow
        if self.app.landscape and not self.narrow:
            if column.parent is None:
                body.add_widget(column)
            column.add_widget(field, index=len(column.children))
            column.add_widget(keyboard)
        else:
            if column.parent is not None:
                body.remove_widget(column)
            browse.add_widget(field, index=len(browse.children))
            if self.typing or not self.narrow:
                browse.add_widget(keyboard)

    def start_typing(self) -> None:
        """The field tapped: the keyboard up (narrow), the results above it."""
        self.typing = True
        self._fill()

    def stop_typing(self) -> None:
        """Done: the keyboard away, what was typed searched in the whole list."""
        self.typing = False
        self._fill()

    def clear_search(self) -> None:
        """×: the search gone, browsing again."""
        self.ids.query_field.clear()
        self.ids.keyboard.reset_input()

    def reset(self) -> None:
        self.typing = False
        self.mode = "category"
        self.category_id = ""
        self.level_id = ""
        self.letter = ""
        self.ids.query_field.clear()
        self.ids.keyboard.start_over()
        self.ids.stores.scroll_y = 1

    def refresh(self) -> None:
        index = self.app.index
        if index is None:
            return
        if self.category_id and index.category(self.category_id) is None:
            self.category_id = ""
        if self.level_id and index.level(self.level_id) is None:
            self.level_id = ""
        self._show_hint()
        desk = index.service_desk()
        self.desk_id = desk.id if desk else ""
        level = index.level(desk.level_id) if desk else None
        self.desk_text = self.tr("Or ask at the service desk ({floor}): we are glad to help.").format(
            floor=level.short_name if level else "") if desk else ""
        self._build_modes()
        self._build_choices()
        self._fill()

    # ---------------------------------------------------------------- browsing
    def _build_modes(self) -> None:
        box = self.ids.modes
        discard_children(box)
        for mode, message in MODE_LABELS.items():
            button = ChoiceButton(text=self.tr(message), value=mode, selected=mode == self.mode,
                                  design_size=theme.TEXT_BODY)
            button.bind(on_release=self._choose_mode)
            box.add_widget(button)

    def _choose_mode(self, button: ChoiceButton) -> None:
        self.mode = button.value
        self.ids.query_field.clear()
        self.ids.keyboard.reset_input()
        self._build_modes()
        self._build_choices()
        self._fill()

    def _chip(self, label: str, value: str, selected: bool, enabled: bool = True, on_release=None) -> ChoiceButton:
        width = text_width(label, self.app.u * theme.TEXT_BODY) + self.app.u * 56
        button = ChoiceButton(text=label, value=value, selected=selected, disabled=not enabled,
                              design_size=theme.TEXT_BODY, size_hint_x=None,
                              width=max(self.app.u * 96, width), size_hint_y=None, height=self.app.u * 84)
        button.bind(on_release=on_release or self._choose)
        return button

    def _build_choices(self) -> None:
        """The chips of the current mode (categories or letters), and the floor buttons."""
        app, index = self.app, self.app.index
        categories, letters = self.ids.categories, self.ids.letters
        discard_children(categories)
        discard_children(letters)  # hidden chips must not catch taps: only the shown row has any
        if self.mode == "category":
            categories.add_widget(self._chip(app.tr("All"), "", not self.category_id))
            for category in index.categories:
                count = len(index.stores_in_category(category.id))
                if count:
                    categories.add_widget(self._chip(f"{app.text(category.name)} {count}", category.id,
                                                     category.id == self.category_id))
        else:
            present = {letter for letter, _ in self._by_letter()}
            letters.add_widget(self._chip(app.tr("All"), "", not self.letter))
            for letter in LETTERS:
                letters.add_widget(self._chip(letter, letter, letter == self.letter, letter in present))
        self.ids.choices_scroll.scroll_x = 0
        levels = self.ids.levels
        discard_children(levels)
        for value, label in [("", app.tr("All floors"))] + [(level.id, level.short_name)
                                                             for level in reversed(index.levels())]:
            button = ChoiceButton(text=label, value=value, selected=value == self.level_id,
                                  size_hint_x=1 if value else 1.6)
            button.bind(on_release=self._choose_level)
            levels.add_widget(button)

    def _choose(self, button: ChoiceButton) -> None:
        if self.mode == "category":
            self.category_id = button.value
        else:
            self.letter = button.value
        for chip in button.parent.children:
            chip.selected = chip.value == button.value
        self._leave_search()

    def _choose_level(self, button: ChoiceButton) -> None:
        self.level_id = button.value
        for other in self.ids.levels.children:
            other.selected = other.value == self.level_id
        self._leave_search()

    def _leave_search(self) -> None:
        """A browse choice shows the browse list again, whatever was typed."""
        if self.query:
            self.ids.query_field.clear()
            self.ids.keyboard.reset_input()
        self._fill()
        self.ids.stores.scroll_y = 1

    def choose_category(self, category_id: str) -> None:
        """From the empty result's suggestions: browse that category instead."""
        self.ids.query_field.clear()
        self.ids.keyboard.reset_input()
        self.mode = "category"
        self.category_id = category_id
        self._build_modes()
        self._build_choices()
        self._fill()

    def _by_letter(self) -> list:
        """(letter, store) in A–Z order for the current language: English names by their
        spelling, Chinese names by their pinyin."""
        app = self.app
        key = (app.content_version, app.language)
        if key not in self._letter_order:
            language = app.language

            def sort_key(store):
                name = store.name.get(language)
                spelled = "".join(pinyin_syllables(name)) if language != "en" else fold(name)
                return (browse_letter(store, language) == "#", browse_letter(store, language), spelled, store.id)

            ordered = sorted(app.index.stores, key=sort_key)
            self._letter_order = {key: [(browse_letter(store, language), store) for store in ordered]}
        return self._letter_order[key]

    # ---------------------------------------------------------------- searching
    def _show_hint(self) -> None:
        """Pinyin or Zhuyin being composed shows in the empty field (the strip offers characters)."""
        self.ids.query_field.hint = self.ids.keyboard.composition or self.tr("Store name, facility or unit number")

    def _query_changed(self, *args) -> None:
        self._show_hint()
        self.query = (self.ids.query_field.value + self.ids.keyboard.pending).strip()
        self._fill()
        self.ids.stores.scroll_y = 1

    def _fill(self) -> None:
        app = self.app
        index = app.index
        if index is None:
            return
        if self.query:
            hits = search_for(index).search(self.query, app.now())
            stores = [hit.store for hit in hits]
            self.ids.stores.data = rows_for(stores, keep_order=True)
            nearest = self._nearest_facility(self.query)
            self._show_facility(nearest)
            self.heading = self._search_heading(len(stores), nearest.facility if self.facility_id and nearest else None)
        elif self.mode == "letter":
            stores = [store for letter, store in self._by_letter()
                      if (not self.letter or letter == self.letter)
                      and (not self.level_id or store.level_id == self.level_id)]
            self.heading = app.trn("{count} store", "{count} stores", len(stores)).format(count=len(stores))
            self.ids.stores.data = rows_for(stores, keep_order=True)
        else:
            stores = index.stores_in_category(self.category_id) if self.category_id else index.stores
            if self.level_id:
                stores = [store for store in stores if store.level_id == self.level_id]
            self.heading = app.trn("{count} store", "{count} stores", len(stores)).format(count=len(stores))
            self.ids.stores.data = rows_for(stores)
        if not self.query:
            self._show_facility(None)
        self.result_count = len(stores) + (1 if self.facility_id else 0)
        short_of_room = self.narrow and self.typing  # the list is short above the keyboard
        self._build_suggestions(shown=bool(self.query) and not self.result_count and not short_of_room)
        self._build_desk_way(shown=not self.result_count and not short_of_room)

    def _search_heading(self, count: int, facility: Facility | None) -> str:
        """What the query found: the stores, or the facility answered above them and the stores
        when there are any (never "0 stores" over a facility that was found)."""
        app = self.app
        if facility is None:
            return app.trn("{count} store matches “{query}”", "{count} stores match “{query}”",
                           count).format(count=count, query=self.query)
        found = app.text(facility.name)
        if not count:
            return self.tr("“{query}”: {facility} found").format(query=self.query, facility=found)
        return app.trn("“{query}”: {facility} and {count} store found",
                       "“{query}”: {facility} and {count} stores found", count).format(
            query=self.query, facility=found, count=count)

    # ---------------------------------------------------------------- the nearest facility
    def _nearest_facility(self, query: str) -> NearestFacility | None:
        """The nearest facility a query asks for, when it clearly asks for one."""
        if not has_han(query) and len(fold(query)) < MIN_FACILITY_LETTERS:
            return None
        app = self.app
        kiosk = app.kiosk_point()
        search = facility_search_for(app.index)
        hits = search.search(query, limit=1)
        if kiosk is None or not hits or hits[0].tier not in FACILITY_TIERS:
            return None
        try:
            return search.nearest(query, kiosk.id)
        except RoutingError:
            log.exception("no route from kiosk point %s to a facility for %r", kiosk.id, query)
            return None

    def _show_facility(self, nearest: NearestFacility | None) -> None:
        if nearest is None or not nearest.route.reachable:
            self.facility_id = self.facility_name = self.facility_detail = ""
            return
        app = self.app
        facility = nearest.facility
        level = app.index.level(facility.level_id)
        self.facility_id = facility.id
        self.facility_name = self.tr("Nearest: {facility}").format(facility=app.text(facility.name))
        self.facility_detail = self.tr("{floor} · {minutes} min walk").format(
            floor=level.short_name if level else "", minutes=nearest.route.minutes)

    def open_facility_route(self) -> None:
        """The facility answer's button: the map with the route there, as a facility row opens it."""
        if self.facility_id:
            self.app.show("map", facility_id=self.facility_id)

    def _build_desk_way(self, shown: bool) -> None:
        """The way to the service desk, under an empty list (made only then, like the
        suggestions: a hidden button would catch taps meant for the list)."""
        box = self.ids.desk_way
        discard_children(box)
        if not shown or not self.desk_id:
            return
        label = self.tr("Take me to the service desk")
        width = text_width(label, self.app.u * theme.TEXT_BODY) + self.app.u * 64
        button = KButton(text=label, design_size=theme.TEXT_BODY, size_hint_x=None, width=width)
        button.bind(on_release=lambda *args: self.show_desk())
        box.add_widget(button)

    def show_desk(self) -> None:
        if self.desk_id:
            self.app.show("map", facility_id=self.desk_id)

    def _build_suggestions(self, shown: bool) -> None:
        """Categories to browse when a search finds nothing (the largest first); none while
        there are results, so the hidden chips cannot catch a tap meant for the list."""
        index = self.app.index
        box = self.ids.suggestions
        discard_children(box)
        if not shown:
            return
        categories = sorted((c for c in index.categories if index.stores_in_category(c.id)),
                            key=lambda c: -len(index.stores_in_category(c.id)))
        for category in categories[:SUGGESTED_CATEGORIES]:
            box.add_widget(self._chip(self.app.text(category.name), category.id, False,
                                      on_release=lambda chip: self.choose_category(chip.value)))

    def open_store(self, store_id: str) -> None:
        self.app.show("store", store_id=store_id)

    def open_facilities(self) -> None:
        self.app.show("facilities")
