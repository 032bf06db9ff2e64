"""Feedback: the visitor chooses complaint, praise or suggestion. A complaint goes on to its
category; praise and suggestions go straight to the form. A kiosk that has not been enrolled
has no reference prefix and cannot file cases, so it says where to go instead."""
from __future__ import annotations

from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import N_
from screens.base import KioskScreen
from sync.protocol import CaseKind


class KindChoice(ButtonBehavior, BoxLayout):
    """One of complaint / praise / suggestion, as a large coloured card."""

    title = StringProperty("")
    subtitle = StringProperty("")
    icon = StringProperty("feedback")
    background = ColorProperty((0, 0, 0, 1))


class FeedbackScreen(KioskScreen):
    store_id = StringProperty("")
    """A store chosen before (feedback from a store page) — carried into the form."""
    can_file = BooleanProperty(True)
    emergency_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title_message = N_("Feedback")

    def prepare(self, store_id: str | None = None, returning: bool = False, **params) -> None:
        if not returning:
            self.store_id = store_id or ""
        self.refresh()

    def reset(self) -> None:
        self.store_id = ""

    def refresh(self) -> None:
        app = self.app
        self.can_file = app.identity is not None
        index = app.index
        phone = index.mall.phone if index else ""
        self.emergency_text = (
            app.tr("In an emergency, call the mall on {phone} or tell any member of staff.").format(phone=phone)
            if phone else app.tr("In an emergency, tell any member of staff right away.")
        )

    def choose(self, kind: str) -> None:
        kind = CaseKind(kind)
        if kind == CaseKind.COMPLAINT:
            self.app.show("complaint_category", store_id=self.store_id)
        else:
            self.app.show("case_form", kind=kind.value, category=None, store_id=self.store_id or None)
