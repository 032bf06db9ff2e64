"""The attract loop: after the idle timeout, today's promotions full screen, one after another,
with "touch to start" in all three languages. A touch anywhere goes to the home screen; a
touch on one of the three invitations starts in that language.

Slides cross-fade without a gap: the next picture is decoded into the hidden slide while the
current one is on screen. The slide shown is worked out from the wall clock (slide = seconds since the epoch divided by
the slide duration), not counted by a timer, so it never drifts and every kiosk in the mall
shows the same slide at the same moment.
"""
from __future__ import annotations

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from screens.base import KioskScreen
from kiosk.schedule import promotions_on

SLIDE_SECONDS = 8
FADE_SECONDS = 0.5
"""Short: each frame of a cross-fade redraws the whole panel (costly without a GPU)."""


class AttractScreen(KioskScreen):
    promotion_id = StringProperty("")
    """The promotion on screen now."""
    has_slides = BooleanProperty(False)
    slide_number = NumericProperty(-1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
        self.shows_chrome = False
        self._promotions = []
        self._front = "slide_a"
        self._timer = None

    def refresh(self) -> None:
        self._promotions = []
        self.slide_number = -1
        self._advance(animate=False)

    def on_pre_enter(self, *args) -> None:
        self.refresh()
        if self._timer is None:
            self._timer = Clock.schedule_interval(lambda dt: self._advance(), 0.5)

    def on_leave(self, *args) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _advance(self, animate: bool = True) -> None:
        app = self.app
        self._promotions = promotions_on(app.index, app.now(), app.kiosk_point()) if app.index is not None else []
        self.has_slides = bool(self._promotions)
        if not self._promotions:
            self.promotion_id = ""
            self.ids.slide_a.sha256 = ""
            self.ids.slide_b.sha256 = ""
            return
        number = int(self.app.now().timestamp() // SLIDE_SECONDS) % len(self._promotions)
        if number == self.slide_number:
            return
        self.slide_number = number
        promotion = self._promotions[number]
        self.promotion_id = promotion.id
        back = "slide_b" if self._front == "slide_a" else "slide_a"
        incoming, outgoing = self.ids[back], self.ids[self._front]
        incoming.sha256 = promotion.image_sha256  # preloaded: already set, nothing to decode now
        Animation.cancel_all(incoming)
        Animation.cancel_all(outgoing)
        self._front = back
        if animate:
            Animation(opacity=1, duration=FADE_SECONDS).start(incoming)
            fade_out = Animation(opacity=0, duration=FADE_SECONDS)
            fade_out.bind(on_complete=lambda *args: Clock.schedule_once(self._preload_next, 0))
            fade_out.start(outgoing)
        else:
            incoming.opacity, outgoing.opacity = 1, 0
            self._preload_next()
        self.app.record_event("promotion_shown", subject_id=promotion.id)

    def _preload_next(self, *args) -> None:
        """Give the hidden slide the next picture in the frame after it has faded out (not
        delaying the fade's last frame), so it is decoded while a still picture is on screen
        and the next cross-fade starts with both pictures ready."""
        if not self._promotions or self.slide_number < 0:
            return
        following = self._promotions[(self.slide_number + 1) % len(self._promotions)]
        hidden = self.ids["slide_b" if self._front == "slide_a" else "slide_a"]
        if hidden.opacity == 0:
            hidden.sha256 = following.image_sha256

    def start(self, language: str | None = None) -> None:
        """The visitor touched the screen: home, in the language they touched (if any)."""
        if language:
            self.app.set_language(language)
        self.app.show("home", remember=False)

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return False
        if super().on_touch_down(touch):
            return True
        touch.ud["attract_start"] = True
        return True

    def on_touch_up(self, touch):
        if super().on_touch_up(touch):
            return True
        if touch.ud.get("attract_start"):
            self.start()
            return True
        return False
