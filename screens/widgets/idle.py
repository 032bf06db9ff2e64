"""Idle handling: when nobody has touched the kiosk for a while, forget the visitor.

Timeouts are measured on the monotonic clock between the last touch and now, checked by a
Clock interval; counting ticks would drift (~0.5 ms a tick) and miss time the UI spent
blocked. Shortly before the timeout an overlay warns, with the seconds left counting down in
large figures and a bar, so a visitor who is reading or thinking can keep what they typed with
one touch, or ask for more time.

"I need more time" adds another full timeout to this visit, up to MAX_EXTENSIONS times (WCAG
2.2.1 Timing Adjustable asks that a time limit can be extended at least ten times with a simple
action); the extensions end with the visit.

In the accessibility mode (`app.accessible`) the timeout and the warning are ACCESSIBLE_FACTOR
times longer. Why three: the screen is read aloud there, and a screen's words take 20–40 s to
hear at the speaking rate of kiosk/speech.py before the visitor can act; a visitor in a
wheelchair may need to move to reach the low band, and one with low vision or a tremor takes
longer to type. 90 s becomes 270 s, which still forgets a visitor who walked away within five
minutes; the 20 s warning becomes 60 s, time to hear it and reach the button.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from kivy.app import App
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.floatlayout import FloatLayout

WARNING_SECONDS = 20.0
ACCESSIBLE_FACTOR = 3.0
MAX_EXTENSIONS = 10


def _app_is_accessible() -> bool:
    return bool(getattr(App.get_running_app(), "accessible", False))


class IdleWatcher:
    """Tracks the last activity; `check()` says whether to warn or to reset, and how soon."""

    def __init__(self, timeout_s: float, monotonic: Callable[[], float] = time.monotonic,
                 warning_s: float = WARNING_SECONDS, accessible: Callable[[], bool] = _app_is_accessible):
        self.base_timeout_s = float(timeout_s)
        self.base_warning_s = float(warning_s)
        self.monotonic = monotonic
        self.accessible = accessible
        """Whether the accessibility mode is on now (read at every check: it may change any time)."""
        self.extensions = 0
        """How many times this visitor asked for more time."""
        self.last_activity = monotonic()

    @property
    def factor(self) -> float:
        return ACCESSIBLE_FACTOR if self.accessible() else 1.0

    @property
    def timeout_s(self) -> float:
        """The time without a touch after which the visitor is forgotten, as it stands now."""
        return self.base_timeout_s * self.factor * (1 + self.extensions)

    @property
    def warning_s(self) -> float:
        return min(self.base_warning_s * self.factor, self.timeout_s / 3)

    def touched(self) -> None:
        self.last_activity = self.monotonic()

    def more_time(self) -> bool:
        """The visitor asked for more time: one more full timeout for this visit. False when
        MAX_EXTENSIONS were given already (the touch still counts as activity)."""
        self.touched()
        if self.extensions >= MAX_EXTENSIONS:
            return False
        self.extensions += 1
        return True

    def visitor_left(self) -> None:
        """The visit ended: the next visitor starts with the plain timeout."""
        self.extensions = 0
        self.touched()

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
    """A dimmed layer over the whole screen: "Are you still there?" with a countdown, "Continue"
    and "I need more time".

    Any touch on it counts as activity (the app records every touch before dispatching it),
    so the visitor can tap anywhere, or the big button, to continue.
    """

    shown = BooleanProperty(False)
    seconds_left = NumericProperty(0)
    warning_s = NumericProperty(WARNING_SECONDS)
    """How long the warning lasts (the countdown bar's full length)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        app = App.get_running_app()
        if app is not None:
            app.bind(screen_name=self._on_screen)

    def _on_screen(self, app, name: str) -> None:
        if name == "attract" and getattr(app, "idle", None) is not None:
            app.idle.visitor_left()  # the attract loop: the visit is over

    def on_shown(self, instance, shown: bool) -> None:
        app = App.get_running_app()
        if shown and app is not None and getattr(app, "idle", None) is not None:
            self.warning_s = app.idle.warning_s

    def more_time(self) -> None:
        app = App.get_running_app()
        if app is not None:
            app.idle.more_time()
        self.shown = False

    def on_touch_down(self, touch):
        if not self.shown:
            return False
        more = self.ids.get("more_time_button")
        if more is not None and more.collide_point(*touch.pos):
            self.more_time()
            return True
        self.shown = False
        return True

    def on_touch_move(self, touch):
        return self.shown

    def on_touch_up(self, touch):
        return self.shown
