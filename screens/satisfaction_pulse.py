"""The satisfaction pulse: after a visitor finishes (a case filed, a route shown) four faces ask
how the kiosk served them. One tap records `satisfaction` with the face's value "1" (poor) to
"4" (great) in the kiosk's durable event queue; the reports count them per kiosk, hour and floor.

Repeated presses are filtered: after the first tap the strip thanks the visitor and ignores
taps until `reset()` (the next visitor). A touch screen that reports one tap twice, or a child
drumming on the faces, still counts once. Nothing about the visitor is recorded.
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from screens import theme
from screens.base import load_kv_once

FACES = (
    ("1", N_("Poor"), theme.rgba("#C8102E"), -1.0),
    ("2", N_("Fair"), theme.rgba("#D86B00"), -0.4),
    ("3", N_("Good"), theme.rgba("#5E8C1F"), 0.5),
    ("4", N_("Great"), theme.rgba("#17663A"), 1.0),
)
"""(value recorded, label, colour, mouth curve from frown -1 to smile 1)."""
QUESTION = N_("How did this kiosk do for you?")
THANKS = N_("Thank you for telling us!")


class PulseGate:
    """One vote per visitor: True for the first press, False until reset."""

    def __init__(self) -> None:
        self.voted = False

    def press(self) -> bool:
        if self.voted:
            return False
        self.voted = True
        return True

    def reset(self) -> None:
        self.voted = False


class Face(ButtonBehavior, Widget):
    """A drawn face (no emoji font needed): a coloured disc, two eyes, a mouth that smiles
    or frowns by `curve`."""

    value = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    curve = NumericProperty(0.0)
    chosen = BooleanProperty(False)
    mouth_points = ListProperty([])

    def on_size(self, *args) -> None:
        self._mouth()

    def on_pos(self, *args) -> None:
        self._mouth()

    def on_curve(self, *args) -> None:
        self._mouth()

    def _mouth(self) -> None:
        """A quadratic curve from mouth corner to corner; its middle dips for a smile."""
        radius = min(self.width, self.height) / 2
        cx, cy = self.center_x, self.center_y - radius * 0.32
        half = radius * 0.42
        points = []
        for step in range(13):
            t = step / 12
            x = cx - half + 2 * half * t
            y = cy - self.curve * radius * 0.22 * (1 - (2 * t - 1) ** 2)
            points += [x, y]
        self.mouth_points = points


class SatisfactionPulse(BoxLayout):
    """The strip itself; `subject` says where it was shown ("receipt", "route")."""

    subject = StringProperty("")
    voted = BooleanProperty(False)
    chosen_value = StringProperty("")

    def __init__(self, **kwargs):
        self.gate = PulseGate()
        load_kv_once(Path(__file__).with_suffix(".kv"))  # before the rules apply to this widget
        super().__init__(**kwargs)

    def choose(self, value: str) -> None:
        if not self.gate.press():
            return
        self.voted = True
        self.chosen_value = value
        app = App.get_running_app()
        if app is not None:
            app.record_event("satisfaction", subject_id=self.subject or None, value=value)

    def reset(self) -> None:
        self.gate.reset()
        self.voted = False
        self.chosen_value = ""

