"""Idle handling: when nobody has touched the kiosk for a while, forget the visitor.

Timeouts are measured on the monotonic clock between the last touch and now, checked by a
Clock interval; counting ticks would drift (~0.5 ms a tick) and miss time the UI spent
blocked. Shortly before the timeout an overlay warns, so a visitor who is reading or
thinking can keep what they typed with one touch.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout

WARNING_SECONDS = 20.0


class IdleWatcher:
    """Tracks the last activity; `check()` says whether to warn or to reset, and how soon."""

    def __init__(self, timeout_s: float, monotonic: Callable[[], float] = time.monotonic,
                 warning_s: float = WARNING_SECONDS):
        self.timeout_s = float(timeout_s)
        self.warning_s = min(float(warning_s), self.timeout_s / 3)
        self.monotonic = monotonic
        self.last_activity = monotonic()

    def touched(self) -> None:
        self.last_activity = self.monotonic()

    def idle_for(self) -> float:
        return max(0.0, self.monotonic() - self.last_activity)

    def seconds_left(self) -> float:
        return max(0.0, self.timeout_s - self.idle_for())

    def expired(self) -> bool:
        return self.idle_for() >= self.timeout_s

    def warning(self) -> bool:
        """True in the last `warning_s` seconds before the timeout."""
        return not self.expired() and self.seconds_left() <= self.warning_s


class IdleOverlay(FloatLayout):
    """A dimmed layer over the whole screen: "Are you still there?" with a countdown.

    Any touch on it counts as activity (the app records every touch before dispatching it),
    so the visitor can tap anywhere, or the big button, to continue.
    """

    shown = BooleanProperty(False)
    seconds_left = NumericProperty(0)

    def on_touch_down(self, touch):
        if not self.shown:
            return False
        self.shown = False
        return True

    def on_touch_move(self, touch):
        return self.shown

    def on_touch_up(self, touch):
        return self.shown
