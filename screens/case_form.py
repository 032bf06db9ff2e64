"""The case form for complaints, praise and suggestions: the store involved (optional), when it
happened (touch choices, no typing), the visitor's words on the on-screen keyboard, and an
optional phone number with the consent PIPL asks for.

Checks come from `kiosk.cases.validate_draft` — the same limits the server applies — and each
error is shown in the visitor's language beside the field it concerns. Send files the case
durably in the outbox (`submit_case`) before the receipt appears, then wakes the sync agent.

In the accessibility mode's reach band of a portrait panel (1080 × 848 px: `narrow`) a keyboard
beside the form would leave neither wide enough: the form takes two columns without it, and a
tap on the description or the phone brings the keyboard up across the width under that field,
in place of the rest of the form, until Done (or Send).
"""
from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

from kivy.properties import BooleanProperty, StringProperty

from kiosk.cases import CaseDraft, DraftError, DraftInvalid, submit_case, validate_draft
from kiosk.i18n import CATEGORY_LABELS, KIND_LABELS, N_, message_for
from screens.base import KioskScreen
from screens.places import unit_label
from screens.widgets.common import ChoiceButton
from sync.protocol import MAX_DESCRIPTION_CHARS, CaseKind, ComplaintCategory

log = logging.getLogger(__name__)

DAYS = ("today", "yesterday")
SLOTS = ("now", "morning", "midday", "afternoon", "evening")
SLOT_TIMES = {"morning": time(10, 0), "midday": time(12, 30), "afternoon": time(15, 30), "evening": time(19, 30)}
"""The moment recorded for a part of the day; staff also see the choice itself in the details."""
SLOT_STARTS = {"morning": time(0, 0), "midday": time(11, 30), "afternoon": time(14, 0), "evening": time(18, 0)}
"""A part of today can be chosen once it has begun."""
DAY_LABELS = {"today": N_("Today"), "yesterday": N_("Yesterday")}
SLOT_LABELS = {"now": N_("Just now"), "morning": N_("Morning"), "midday": N_("Midday"),
               "afternoon": N_("Afternoon"), "evening": N_("Evening")}
DESCRIPTION_PROMPTS = {
    CaseKind.COMPLAINT: N_("What happened?"),
    CaseKind.PRAISE: N_("What would you like to praise?"),
    CaseKind.SUGGESTION: N_("What is your suggestion?"),
}
ERROR_PROPERTIES = {
    "category": "category_error",
    "store_id": "store_error",
    "occurred_at": "when_error",
    "description": "description_error",
    "details": "description_error",
    "contact_phone": "phone_error",
    "contact_consent": "consent_error",
}
"""Which message label shows the errors of each CaseDraft field."""


class CaseFormScreen(KioskScreen):
    kind = StringProperty(CaseKind.COMPLAINT.value)
    category = StringProperty("")
    store_id = StringProperty("")
    store_text = StringProperty("")
    day = StringProperty("")
    slot = StringProperty("")
    focused_field = StringProperty("description")
    category_error = StringProperty("")
    store_error = StringProperty("")
    when_error = StringProperty("")
    description_error = StringProperty("")
    phone_error = StringProperty("")
    consent_error = StringProperty("")
    """The error messages shown beside each field, in the current language."""
    form_error = StringProperty("")
    counter_text = StringProperty("")
    over_limit = BooleanProperty(False)
    heading = StringProperty("")
    sending = BooleanProperty(False)
    narrow = BooleanProperty(False)
    """Side by side with the keyboard would be too narrow (a portrait panel's reach band): the
    keyboard comes up on demand (set in case_form.kv)."""
    typing = BooleanProperty(False)
    """The visitor tapped a field: when narrow, the keyboard is up under it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._errors: list[DraftError] = []
        self._save_failed = False
        # Held here: `ids` only refer weakly, and these move in and out of the tree (_arrange).
        ids = self.ids
        self._parts = {name: ids[name].__self__ for name in (
            "form_column", "contact_column", "description_box", "phone_box", "keyboard", "done_row", "send_row",
            "contact_spacer")}
        self.bind(narrow=self._arrange, typing=self._arrange, focused_field=self._arrange)
        self._arrange()
        self.ids.description.bind(value=self._description_changed)
        self.ids.phone.bind(value=self._phone_changed)
        self.bind(kind=self._update_heading, category=self._update_heading)
        self._aim_keyboard("description")
        self._update_counter()

    def _arrange(self, *args) -> None:
        """Wide: the form beside the phone, the keyboard and Send. Narrow: the store, when and
        Send beside the phone and the description; while typing, the field typed in over the
        keyboard and Done."""
        parts, body = self._parts, self.ids.body
        form, contact = parts["form_column"], parts["contact_column"]
        for part in parts.values():
            if part.parent is not None:
                part.parent.remove_widget(part)
        if not self.narrow:
            arrangement = [(body, form), (body, contact), (form, parts["description_box"]),
                           (contact, parts["phone_box"]), (contact, parts["keyboard"]), (contact, parts["send_row"])]
        elif not self.typing:
            arrangement = [(body, form), (body, contact), (form, parts["contact_spacer"]),
                           (form, parts["send_row"]), (contact, parts["phone_box"]),
                           (contact, parts["description_box"])]
        else:
            typed = parts["description_box" if self.focused_field == "description" else "phone_box"]
            arrangement = [(body, typed), (body, parts["keyboard"]), (body, parts["done_row"])]
        for parent, child in arrangement:
            parent.add_widget(child, index=0)

    # ---------------------------------------------------------------- navigation hooks
    def prepare(self, kind: str | None = None, category: str | None = None, store_id: str | None = None,
                **params) -> None:
        """From the feedback screens: kind, category and perhaps a store. What was typed stays
        unless the kind changes (a visitor who goes back to fix the category keeps the text)."""
        if kind is not None:
            kind = CaseKind(kind).value
            if kind != self.kind:
                self.reset()
            self.kind = kind
            self.category = ComplaintCategory(category).value if category else ""
            self._clear_error("category")
        if store_id:
            self.set_store(store_id)
        self.typing = False
        self.title_message = KIND_LABELS[CaseKind(self.kind)]
        self.refresh()

    def reset(self) -> None:
        """Forget everything typed or chosen (idle timeout, after sending)."""
        self.category = ""
        self.store_id = ""
        self.day = ""
        self.slot = ""
        self.ids.description.clear()
        self.ids.phone.clear()
        self.ids.consent.checked = False
        self.ids.keyboard.start_over()
        self._errors = []
        self._save_failed = False
        self._render_errors()
        self.sending = False
        self.typing = False
        self._aim_keyboard("description")

    def refresh(self) -> None:
        app = self.app
        index = app.index
        if self.store_id and (index is None or index.store(self.store_id) is None):
            self.store_id = ""
        self._update_store_text()
        self._update_heading()
        self._update_when_buttons()
        self._update_counter()
        self._render_errors()
        self.ids.description.hint = self.tr("Tap here, then type on the keyboard")
        self.ids.phone.hint = self.tr("For example 138 1234 5678")
        self.ids.consent.text = self.tr(
            "You may call me on this number about this case. "
            "The number is removed from this kiosk once the case is sent."
        )

    # ---------------------------------------------------------------- fields
    def _update_heading(self, *args) -> None:
        kind = CaseKind(self.kind)
        heading = self.tr(KIND_LABELS[kind])
        if kind == CaseKind.COMPLAINT and self.category:
            heading += " · " + self.tr(CATEGORY_LABELS[ComplaintCategory(self.category)])
        self.heading = heading
        self.ids.description_prompt.text = self.tr(DESCRIPTION_PROMPTS[kind])

    def change_category(self) -> None:
        if self.app.history and self.app.history[-1] == "complaint_category":
            self.app.go_back()
        else:
            self.app.show("complaint_category")

    def choose_store(self) -> None:
        self.app.show("store_picker", selected=self.store_id)

    def set_store(self, store_id: str | None) -> None:
        index = self.app.index
        self.store_id = store_id if (store_id and index is not None and index.store(store_id)) else ""
        self._clear_error("store_id")
        self._update_store_text()

    def clear_store(self) -> None:
        self.set_store(None)

    def _update_store_text(self) -> None:
        app = self.app
        store = app.index.store(self.store_id) if (self.store_id and app.index) else None
        if store is None:
            self.store_text = ""
            return
        level = app.index.level(store.level_id)
        self.store_text = f"{app.text(store.name)} · {unit_label(level, store.unit)}"

    def choose_day(self, day: str) -> None:
        self.day = "" if self.day == day else day
        if self.day == "yesterday" and self.slot == "now":
            self.slot = ""
        self._clear_error("occurred_at")
        self._update_when_buttons()

    def choose_slot(self, slot: str) -> None:
        self.slot = "" if self.slot == slot else slot
        if self.slot and not self.day:
            self.day = "today"
        self._clear_error("occurred_at")
        self._update_when_buttons()

    def _slot_available(self, slot: str) -> bool:
        if self.day == "yesterday":
            return slot != "now"
        if slot == "now":
            return True
        return self.app.local_now().time() >= SLOT_STARTS[slot]

    def _update_when_buttons(self) -> None:
        for button in self.when_buttons(self.ids.days):
            button.text = self.tr(DAY_LABELS[button.value])
            button.selected = button.value == self.day
        for button in self.when_buttons(self.ids.slots):
            button.text = self.tr(SLOT_LABELS[button.value])
            button.disabled = not self._slot_available(button.value)
            if button.disabled and self.slot == button.value:
                self.slot = ""
            button.selected = button.value == self.slot

    @staticmethod
    def when_buttons(row) -> list[ChoiceButton]:
        return [child for child in row.children if isinstance(child, ChoiceButton)]

    def occurred_at(self) -> datetime | None:
        """The moment the visitor chose, in the mall's timezone; None if they chose nothing."""
        if not self.day and not self.slot:
            return None
        local_now = self.app.local_now()
        day = local_now.date() - timedelta(days=1 if self.day == "yesterday" else 0)
        if self.slot == "now" or not self.slot and self.day == "today":
            return local_now.replace(second=0, microsecond=0)
        moment = datetime.combine(day, SLOT_TIMES.get(self.slot, time(12, 0)), tzinfo=local_now.tzinfo)
        return min(moment, local_now.replace(second=0, microsecond=0))

    # ---------------------------------------------------------------- typing
    def focus(self, field: str) -> None:
        """The visitor taps a field: the keyboard types there (and comes up, when narrow)."""
        self._aim_keyboard(field)
        self.typing = True

    def stop_typing(self) -> None:
        """Done: the keyboard away, the whole form shown."""
        self.typing = False

    def _aim_keyboard(self, field: str) -> None:
        """Give the keyboard to a field: letters for the description, digits for the phone."""
        self.focused_field = field
        description, phone, keyboard = self.ids.description, self.ids.phone, self.ids.keyboard
        description.focused = field == "description"
        phone.focused = field == "phone"
        keyboard.reset_input()
        keyboard.target = description if field == "description" else phone
        keyboard.layout = "qwerty" if field == "description" else "numeric"

    def _description_changed(self, *args) -> None:
        """The visitor is fixing the text: its error goes, the counter follows."""
        self._clear_error("description")
        self._clear_error("details")
        self._update_counter()

    def _phone_changed(self, *args) -> None:
        self._clear_error("contact_phone")
        self._clear_error("contact_consent")

    def consent_changed(self) -> None:
        self._clear_error("contact_consent")

    def _update_counter(self, *args) -> None:
        length = len(self.ids.description.value)
        translator = self.app.translator
        self.counter_text = self.tr("{count} / {limit}").format(
            count=translator.format_number(length), limit=translator.format_number(MAX_DESCRIPTION_CHARS)
        )
        self.over_limit = length > MAX_DESCRIPTION_CHARS

    # ---------------------------------------------------------------- errors
    def _clear_error(self, field: str) -> None:
        remaining = [error for error in self._errors if error.field != field]
        if len(remaining) != len(self._errors):
            self._errors = remaining
            self._render_errors()

    def _render_errors(self) -> None:
        translator = self.app.translator
        texts: dict[str, str] = {}
        for error in self._errors:
            message = message_for(error, translator)
            shown_in = ERROR_PROPERTIES.get(error.field, "description_error")
            texts[shown_in] = f"{texts[shown_in]} {message}" if shown_in in texts else message
        for name in set(ERROR_PROPERTIES.values()):
            setattr(self, name, texts.get(name, ""))
        if self._save_failed:
            self.form_error = self.tr("Sorry, your message could not be saved. Please tell the service desk.")
        elif self._errors:
            self.form_error = self.tr("Please check the items marked in red.")
        else:
            self.form_error = ""
        self.ids.description.error = bool(self.description_error)
        self.ids.phone.error = bool(self.phone_error)
        self.ids.consent.error = bool(self.consent_error)

    # ---------------------------------------------------------------- sending
    def draft(self) -> CaseDraft:
        details = {}
        if self.day:
            details["occurred_day"] = self.day
        if self.slot:
            details["occurred_part_of_day"] = self.slot
        return CaseDraft(
            kind=CaseKind(self.kind),
            category=ComplaintCategory(self.category) if self.category else None,
            store_id=self.store_id or None,
            occurred_at=self.occurred_at(),
            description=self.ids.description.value,
            contact_phone=self.ids.phone.value,
            contact_consent=self.ids.consent.checked,
            language=self.app.language,
            details=details,
        )

    def submit(self) -> None:
        """Check the draft; file it and show the receipt, or show what to fix."""
        if self.sending:
            return
        self.typing = False  # what to fix shows in the whole form
        app = self.app
        draft = self.draft()
        self._save_failed = False
        self._errors = validate_draft(draft, now=app.now())
        if not self._errors and app.identity is None:
            self._save_failed = True
        self._render_errors()
        if self._errors or self._save_failed:
            return
        self.sending = True
        try:
            receipt = submit_case(app.store, app.identity, draft, now=app.now())
        except DraftInvalid as invalid:
            self._errors = invalid.errors
            self.sending = False
            self._render_errors()
            return
        except Exception:
            log.exception("the case could not be filed in the outbox")
            self._save_failed = True
            self.sending = False
            self._render_errors()
            return
        kind = self.kind
        self.reset()
        app.show("receipt", receipt=receipt, kind=kind)
        app.wake_agent()
