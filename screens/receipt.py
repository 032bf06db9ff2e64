"""The receipt, shown only once the case is safely in the outbox: the QR code of the tracking
URL (the only place the tracking token ever appears), the short reference, big, to read out
at the desk or on the phone, and Done. It clears itself after the receipt timeout, so the
next visitor cannot scan someone else's case."""
from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import KIND_LABELS, N_
from screens.base import KioskScreen
from screens.satisfaction_pulse import SatisfactionPulse  # noqa: F401 - its kv rule, used in receipt.kv
from sync.protocol import CaseKind

CONFIRMATIONS = {
    CaseKind.COMPLAINT: N_("Your complaint has been registered."),
    CaseKind.PRAISE: N_("Your praise has been registered. We will pass it on."),
    CaseKind.SUGGESTION: N_("Your suggestion has been registered."),
    CaseKind.LOST_REPORT: N_("Your lost item report has been registered. We will look for it."),
}


class ReceiptScreen(KioskScreen):
    reference = StringProperty("")
    tracking_url = StringProperty("")
    kind = StringProperty(CaseKind.COMPLAINT.value)
    confirmation = StringProperty("")
    seconds_left = NumericProperty(0)
    narrow = BooleanProperty(False)
    """The column beside the QR code is too narrow for the faces (a portrait panel's reach band):
    they and Done go under the code and the reference, across the screen (set in receipt.kv)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
        self.title_message = N_("Thank you")
        self._timer = None
        self._pulse_row = self.ids.pulse_row.__self__  # held here: `ids` only refer weakly
        self.bind(narrow=self._place_pulse)
        self._place_pulse()

    def _place_pulse(self, *args) -> None:
        """The faces and Done at the foot of the column beside the code, or of the screen when narrow."""
        row = self._pulse_row
        if row.parent is not None:
            row.parent.remove_widget(row)
        (self.ids.page if self.narrow else self.ids.column).add_widget(row, index=0)

    def prepare(self, receipt=None, kind: str | None = None, **params) -> None:
        if receipt is not None:
            self.reference = receipt.reference
            self.tracking_url = receipt.tracking_url
        if kind is not None:
            self.kind = CaseKind(kind).value
        self.refresh()

    def refresh(self) -> None:
        kind = CaseKind(self.kind)
        self.confirmation = self.tr(CONFIRMATIONS.get(kind, KIND_LABELS[kind]))

    def on_enter(self, *args) -> None:
        self._count()
        if self._timer is None:
            self._timer = Clock.schedule_interval(self._count, 0.5)

    def on_leave(self, *args) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _count(self, *args) -> None:
        self.seconds_left = self.app.receipt_seconds_left()

    def reset(self) -> None:
        """Drop the reference and the tracking URL: the token must not outlive the receipt."""
        self.reference = ""
        self.tracking_url = ""
        if "pulse" in self.ids:
            self.ids.pulse.reset()  # the next visitor gets their own vote

    def done(self) -> None:
        self.app.finish_case()
