"""Lost property at the kiosk, one form for both directions: "I found something" and "I lost
something". Step 1 is touch only (what it is by pictogram, its colour, where, when); step 2
takes the brand and the features on the on-screen keyboard, and, for a lost item, an optional
phone number with consent.

A found item's receipt is the hand-in screen (where the service desk is, the route, the QR
code); a lost report gets the ordinary receipt, whose tracking page will say when a possible
match waits at the desk. Checks: `kiosk.items.validate_item`, then the case checks.
"""
from __future__ import annotations

import logging

from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

import screens.widgets.item_icons  # noqa: F401 - ItemPictogram, named in the .kv file
from kiosk.cases import DraftError, DraftInvalid, submit_case, validate_draft
from kiosk.i18n import N_, message_for
from kiosk.items import (
    COLOUR_SWATCHES,
    ITEM_CATEGORY_LABELS,
    ITEM_COLOUR_LABELS,
    ITEM_ERROR_MESSAGES,
    WHEN_CHOICES,
    WHEN_DETAIL,
    WHEN_LABELS,
    ItemDraft,
    occurred_at_for,
    to_case_draft,
    validate_item,
)
from screens import theme
from screens.base import KioskScreen
from screens.places import unit_label
from screens.widgets.common import ChoiceButton, discard_children
from sync.protocol import CaseKind, ItemCategory, ItemColour

log = logging.getLogger(__name__)

TITLES = {CaseKind.FOUND_ITEM.value: N_("I found something"), CaseKind.LOST_REPORT.value: N_("I lost something")}
PRIVACY_HINTS = {
    CaseKind.FOUND_ITEM.value: N_("Please don't write what is inside (cards, cash, names): staff check that "
                                  "with the owner."),
    CaseKind.LOST_REPORT.value: N_("Keep one detail to yourself (what is inside, the wallpaper, an engraving): "
                                   "staff will ask you for it to check that the item is yours."),
}
"""Hidden details stay hidden: they are how the desk tells the owner from anyone else."""
ERROR_PROPERTIES = {
    "item_category": "category_error",
    "item_brand": "describe_error",
    "description": "describe_error",
    "details": "describe_error",
    "store_id": "category_error",
    "occurred_at": "category_error",
    "contact_phone": "phone_error",
    "contact_consent": "phone_error",
}
"""Which message label shows the errors of each field."""
STEP_ONE_FIELDS = {"item_category", "store_id", "occurred_at"}


class CategoryTile(ButtonBehavior, BoxLayout):
    value = StringProperty("")
    text = StringProperty("")
    selected = BooleanProperty(False)


class ColourChip(ButtonBehavior, BoxLayout):
    value = StringProperty("")
    text = StringProperty("")
    swatch = ColorProperty((1, 1, 1, 1))
    selected = BooleanProperty(False)


class ItemFormScreen(KioskScreen):
    kind = StringProperty(CaseKind.FOUND_ITEM.value)
    step = NumericProperty(1)
    category = StringProperty("")
    colour = StringProperty("")
    level_id = StringProperty("")
    store_id = StringProperty("")
    store_text = StringProperty("")
    point_text = StringProperty("")
    """The spot tapped on the plan, in words; empty when none."""
    when = StringProperty("")
    focused_field = StringProperty("features")
    category_error = StringProperty("")
    describe_error = StringProperty("")
    phone_error = StringProperty("")
    form_error = StringProperty("")
    fields_in_error = ListProperty([])
    """The draft's fields with a problem: their controls are outlined in red (item_form.kv)."""
    privacy_hint = StringProperty("")
    sending = BooleanProperty(False)
    narrow = BooleanProperty(False)
    """Beside the form the keyboard's keys would be too narrow (a portrait panel's reach band): it
    comes up on demand across the width (set in item_form.kv)."""
    typing = BooleanProperty(False)
    """The visitor tapped a field: when narrow, the keyboard is up under it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._errors: list[DraftError] = []
        self._save_failed = False
        self._point: tuple[float, float] | None = None
        for category in ItemCategory:
            tile = CategoryTile(value=category.value)
            tile.bind(on_release=lambda tile: self.choose_category(tile.value))
            self.ids.categories.add_widget(tile)
        for colour in ItemColour:
            chip = ColourChip(value=colour.value, swatch=theme.rgba(COLOUR_SWATCHES[colour]))
            chip.bind(on_release=lambda chip: self.choose_colour(chip.value))
            self.ids.colours.add_widget(chip)
        for choice in WHEN_CHOICES:
            button = ChoiceButton(value=choice, design_size=theme.TEXT_SMALL)
            button.bind(on_release=lambda button: self.choose_when(button.value))
            self.ids.when.add_widget(button)
        for field_id in ("brand", "features", "phone"):
            self.ids[field_id].bind(value=self._typed)
        # Held here: `ids` only refer weakly, and these move in and out of the tree (_arrange).
        self._parts = {name: self.ids[name].__self__ for name in (
            "form_column", "keyboard_column", "brand_box", "features_box", "phone_box", "keyboard", "send_row",
            "done_row")}
        self.bind(narrow=self._arrange, typing=self._arrange, focused_field=self._arrange)
        self._aim_keyboard("features")
        self._arrange()

    def _arrange(self, *args) -> None:
        """Wide: the form beside the keyboard, Previous and Send. Narrow: the form across the width
        over Previous and Send; while typing, the field typed in over the keyboard and Done."""
        parts, step = self._parts, self.ids.step_two
        form, column = parts["form_column"], parts["keyboard_column"]
        for part in parts.values():
            if part.parent is not None:
                part.parent.remove_widget(part)
        # The form's own fields go back first, at its top; the phone at the top of the contact box.
        form.add_widget(parts["features_box"], index=len(form.children))
        form.add_widget(parts["brand_box"], index=len(form.children))
        contact = self.ids.contact_box
        contact.add_widget(parts["phone_box"], index=len(contact.children))
        if not self.narrow:
            arrangement = [(step, form), (step, column), (column, parts["keyboard"]), (column, parts["send_row"])]
        elif not self.typing:
            arrangement = [(step, form), (step, parts["send_row"])]
        else:
            typed = parts[f"{self.focused_field}_box"]
            typed.parent.remove_widget(typed)
            arrangement = [(step, typed), (step, parts["keyboard"]), (step, parts["done_row"])]
        for parent, child in arrangement:
            parent.add_widget(child, index=0)
        self._show_focus()

    def _show_focus(self) -> None:
        """The field typed in is outlined while the keyboard is there (narrow: only until Done)."""
        for field_id in ("brand", "features", "phone"):
            self.ids[field_id].focused = field_id == self.focused_field and (self.typing or not self.narrow)

    # ---------------------------------------------------------------- navigation hooks
    def prepare(self, kind: str | None = None, returning: bool = False, **params) -> None:
        if kind is not None and not returning:
            kind = CaseKind(kind).value
            if kind not in TITLES:
                raise ValueError(f"{kind!r} is not a lost-property kind")
            if kind != self.kind:
                self.reset()
            self.kind = kind
        self.title_message = TITLES[self.kind]
        self.refresh()

    def reset(self) -> None:
        self.step = 1
        self.category = self.colour = self.level_id = self.store_id = self.when = self.point_text = ""
        self._point = None
        for field_id in ("brand", "features", "phone"):
            self.ids[field_id].clear()
        self.ids.consent.checked = False
        self.ids.keyboard.start_over()
        self._errors = []
        self._save_failed = False
        self.sending = False
        self.typing = False
        self._aim_keyboard("features")
        self._render()

    def refresh(self) -> None:
        self._build_floor_buttons()
        self._update_store_text()
        self._render()

    # ---------------------------------------------------------------- step 1: touch choices
    def choose_category(self, category: str) -> None:
        self.category = ItemCategory(category).value
        self._clear_errors({"item_category"})

    def choose_colour(self, colour: str) -> None:
        self.colour = "" if self.colour == colour else ItemColour(colour).value
        self._render()

    def choose_level(self, level_id: str) -> None:
        self.level_id = "" if self.level_id == level_id else level_id
        self.clear_point()
        store = self.app.index.store(self.store_id) if (self.store_id and self.app.index) else None
        if store is not None and self.level_id and store.level_id != self.level_id:
            self.store_id = ""
            self._update_store_text()
        self._render()

    def choose_when(self, choice: str) -> None:
        self.when = "" if self.when == choice else choice
        self._clear_errors({"occurred_at"})

    def choose_store(self) -> None:
        self.app.show("store_picker", selected=self.store_id, chooser=self.name)

    def set_store(self, store_id: str | None) -> None:
        """The store picker's answer; the store's floor becomes the floor."""
        index = self.app.index
        store = index.store(store_id) if (store_id and index is not None) else None
        self.store_id = store.id if store is not None else ""
        if store is not None:
            if store.level_id != self.level_id:
                self.clear_point()
            self.level_id = store.level_id
        self._update_store_text()
        self._render()

    def clear_store(self) -> None:
        self.set_store(None)

    def choose_point(self) -> None:
        self.app.show("item_place", level_id=self.level_id or None, point=self._point)

    def set_point(self, level_id: str, point: tuple[float, float], text: str, store_id: str = "") -> None:
        """The place screen's answer: a spot on a floor, and the store when the spot is in one."""
        self.set_store(store_id or (self.store_id if self.level_id == level_id else None))
        self.level_id = level_id
        self._point = point
        self.point_text = text
        self._render()

    def clear_point(self) -> None:
        self._point = None
        self.point_text = ""

    def clear_place(self) -> None:
        """The × beside the store and the spot: forget both (the floor stays)."""
        self.clear_point()
        self.set_store(None)

    def next_step(self) -> None:
        problems = [e for e in validate_item(self.item_draft()) if e.field in STEP_ONE_FIELDS]
        if problems:
            self._errors = problems
            self._render()
            return
        self.step = 2
        self.typing = False
        self._aim_keyboard("features")
        self._render()

    def previous_step(self) -> None:
        self.step = 1
        self._render()

    def _build_floor_buttons(self) -> None:
        row = self.ids.floors
        discard_children(row)
        index = self.app.index
        if index is None:
            return
        for level in sorted(index.content.levels, key=lambda level: level.ordinal, reverse=True):
            button = ChoiceButton(value=level.id, text=level.short_name, design_size=theme.TEXT_SMALL)
            button.bind(on_release=lambda button: self.choose_level(button.value))
            row.add_widget(button)

    def _update_store_text(self) -> None:
        index = self.app.index
        store = index.store(self.store_id) if (self.store_id and index is not None) else None
        if store is None:
            self.store_text = ""
            return
        self.store_text = f"{self.app.text(store.name)} · {unit_label(index.level(store.level_id), store.unit)}"

    # ---------------------------------------------------------------- step 2: typing
    def focus(self, field: str) -> None:
        """The visitor taps a field: the keyboard types there (and comes up, when narrow)."""
        self._aim_keyboard(field)
        self.typing = True

    def stop_typing(self) -> None:
        """Done: the keyboard away, the whole form shown."""
        self.typing = False

    def _aim_keyboard(self, field: str) -> None:
        """Give the keyboard to a field: digits for the phone, letters for the rest."""
        self.focused_field = field
        keyboard = self.ids.keyboard
        self._show_focus()
        keyboard.reset_input()
        keyboard.target = self.ids[field]
        keyboard.layout = "numeric" if field == "phone" else "qwerty"
        keyboard.allow_newline = field == "features"

    def consent_changed(self) -> None:
        self._clear_errors({"contact_consent"})

    def _typed(self, field, value) -> None:
        if field is self.ids.phone:
            self._clear_errors({"contact_phone", "contact_consent"})
        else:
            self._clear_errors({"item_brand", "description", "details"})

    # ---------------------------------------------------------------- errors and texts
    def _clear_errors(self, fields: set[str]) -> None:
        self._errors = [error for error in self._errors if error.field not in fields]
        self._render()

    def _message(self, error: DraftError) -> str:
        if error.code in ITEM_ERROR_MESSAGES:
            return self.tr(ITEM_ERROR_MESSAGES[error.code])
        return message_for(error, self.app.translator)

    def _render(self) -> None:
        texts: dict[str, str] = {}
        for error in self._errors:
            shown_in = ERROR_PROPERTIES.get(error.field, "describe_error")
            message = self._message(error)
            texts[shown_in] = f"{texts[shown_in]} {message}" if shown_in in texts else message
        for name in set(ERROR_PROPERTIES.values()):
            setattr(self, name, texts.get(name, ""))
        if self._save_failed:
            self.form_error = self.tr("Sorry, your report could not be saved. Please tell the service desk.")
        elif self._errors:
            self.form_error = self.tr("Please check the items marked in red.")
        else:
            self.form_error = ""
        for tile in self.ids.categories.children:
            tile.text = self.tr(ITEM_CATEGORY_LABELS[tile.value])
            tile.selected = tile.value == self.category
        for chip in self.ids.colours.children:
            chip.text = self.tr(ITEM_COLOUR_LABELS[chip.value])
            chip.selected = chip.value == self.colour
        for button in self.ids.floors.children:
            button.selected = button.value == self.level_id
        for button in self.ids.when.children:
            button.text = self.tr(WHEN_LABELS[button.value])
            button.selected = button.value == self.when
        self.privacy_hint = self.tr(PRIVACY_HINTS[self.kind])
        self.ids.brand.hint = self.tr("For example Huawei, Coach")
        self.ids.features.hint = self.tr("Tap here, then type on the keyboard")
        self.ids.phone.hint = self.tr("For example 138 1234 5678")
        self.ids.consent.text = self.tr(
            "You may call me on this number about this report. "
            "The number is removed from this kiosk once the report is sent."
        )
        wrong = {error.field for error in self._errors}
        self.fields_in_error = sorted(wrong)
        self.ids.brand.error = "item_brand" in wrong
        self.ids.features.error = bool(wrong & {"description", "details"})
        self.ids.phone.error = "contact_phone" in wrong
        self.ids.consent.error = "contact_consent" in wrong

    # ---------------------------------------------------------------- sending
    def item_draft(self) -> ItemDraft:
        app = self.app
        extra = {WHEN_DETAIL: self.when} if self.when else {}
        return ItemDraft(
            kind=self.kind, category=self.category, colour=self.colour, brand=self.ids.brand.value,
            features=self.ids.features.value, level_id=self.level_id, store_id=self.store_id,
            occurred_at=occurred_at_for(self.when, app.local_now()) if self.when else None,
            contact_phone=self.ids.phone.value, contact_consent=self.ids.consent.checked,
            language=app.language, point=self._point if self.level_id else None, place_note=self.point_text,
            extra_details=extra,
        )

    def submit(self) -> None:
        """Check, file durably in the outbox, then show the receipt (or what to fix)."""
        if self.sending:
            return
        app = self.app
        item = self.item_draft()
        self._save_failed = False
        self._errors = validate_item(item)
        if not self._errors:
            self._errors = validate_draft(to_case_draft(item), now=app.now())
        if any(error.field in STEP_ONE_FIELDS for error in self._errors):
            self.step = 1
        if not self._errors and app.identity is None:
            if self.kind == CaseKind.FOUND_ITEM.value:
                self.reset()
                app.show("found")  # not enrolled: no receipt, but where to hand it in
                return
            self._save_failed = True
        self._render()
        if self._errors or self._save_failed:
            return
        self.sending = True
        try:
            receipt = submit_case(app.store, app.identity, to_case_draft(item), now=app.now())
        except DraftInvalid as invalid:
            self._errors = invalid.errors
            self.sending = False
            self._render()
            return
        except Exception:
            log.exception("the lost-property report could not be filed in the outbox")
            self._save_failed = True
            self.sending = False
            self._render()
            return
        kind = self.kind
        self.reset()
        if kind == CaseKind.FOUND_ITEM.value:
            app.show("found", receipt=receipt)
        else:
            app.show("receipt", receipt=receipt, kind=kind)
        app.wake_agent()
