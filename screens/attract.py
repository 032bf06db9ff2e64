"""The attract loop: after the idle timeout, today's promotions full screen, one after another,
with "touch to start" in all three languages. A touch anywhere goes to the home screen (a touch
on the picture counts as a touch on its promotion, for proof of play); a touch on one of the
three invitations starts in that language. Each slide put on screen counts one impression; none
count while the loop is hidden or an emergency covers it.

Slides cross-fade without a gap: the next picture is decoded into the hidden slide while the
current one is on screen, and the impression is written then too, after the fade. The slide
shown is worked out from the wall clock (slide = seconds since the epoch divided by the slide
duration), not counted by a timer, so it never drifts and every kiosk in the mall
shows the same slide at the same moment.
"""
from __future__ import annotations

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    NumericProperty,
    StringProperty,
)

from screens.base import KioskScreen
from sync.protocol import LANGUAGES
from venue.schedule import promotions_on

SLIDE_SECONDS = 8
FADE_SECONDS = 0.5
"""Short: each frame of a cross-fade redraws the whole panel (costly without a GPU)."""
PORTRAIT_TOP_SHARE = 0.26
"""On a portrait panel, the share of its height above the picture (the mall and the time)."""
PORTRAIT_SLIDE_RATIO = 9 / 16
"""Height over width of the picture's band on a portrait panel: promotions are made 16:9."""


class AttractScreen(KioskScreen):
    promotion_id = StringProperty("")
    """The promotion on screen now."""
    has_slides = BooleanProperty(False)
    slide_number = NumericProperty(-1)
    fade = NumericProperty(1.0)
    """Progress of the cross-fade to the slide in front (1: done)."""
    slide_titles = DictProperty({})
    """The title of the promotion on screen, by language (shown under it on a portrait panel)."""
    mall_names = DictProperty({})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shows_back = False
        self.shows_chrome = False
        self._promotions = []
        self._front = "slide_a"
        self._timer = None
        self._pair = None
        """(incoming, outgoing) slides of the latest cross-fade."""

    def refresh(self) -> None:
        """Start over from the slide due now. Only while the loop is on screen: the app refreshes
        every screen on a language switch or a new content version, and a hidden loop must
        neither decode pictures nor count impressions (entering it refreshes it anyway)."""
        if not self._on_screen():
            return
        name = self.app.index.mall.name if self.app.index is not None else None
        self.mall_names = {language: name.get(language) for language in LANGUAGES} if name else {}
        self._promotions = []
        self.slide_number = -1
        self._advance(animate=False)

    def _on_screen(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def _covered(self) -> bool:
        """An emergency is over the whole window: no slide is seen, none changes or counts."""
        overlay = getattr(self.app, "broadcast_overlay", None)
        return bool(overlay is not None and overlay.emergency_shown)

    def on_pre_enter(self, *args) -> None:
        self.refresh()
        if self._timer is None:
            self._timer = Clock.schedule_interval(lambda dt: self._advance(), 0.5)

    def on_leave(self, *args) -> None:
        self.hold()

    def hold(self) -> None:
        """Keep the slide on screen until the loop is entered again (the tour's screenshots)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _advance(self, animate: bool = True) -> None:
        app = self.app
        if self._covered():
            self.slide_number = -1  # once it is over, the slide due then is shown (and counted) afresh
            return
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
        self.slide_titles = {language: promotion.title.get(language) for language in LANGUAGES}
        back = "slide_b" if self._front == "slide_a" else "slide_a"
        incoming, outgoing = self.ids[back], self.ids[self._front]
        incoming.sha256 = promotion.image_sha256  # preloaded: already set, nothing to decode now
        self._front = back
        self._cross_fade(incoming, outgoing, promotion.id, animate)

    def _cross_fade(self, incoming, outgoing, promotion_id: str, animate: bool) -> None:
        """One animation drives both slides (`fade`: the incoming's opacity, the outgoing's is
        its complement), so whatever the frame rate or a fade cut short by the next slide, the
        slide in front ends fully shown and the other fully hidden."""
        Animation.cancel_all(self, "fade")
        self._pair = (incoming, outgoing)
        self.fade = 0.0 if animate else 1.0
        self.on_fade(self, self.fade)
        if not animate:
            self._shown(promotion_id)
            return
        fading = Animation(fade=1.0, duration=FADE_SECONDS)
        fading.bind(on_complete=lambda *args: Clock.schedule_once(lambda dt: self._shown(promotion_id), 0))
        fading.start(self)

    def _shown(self, promotion_id: str) -> None:
        """The slide is on screen in full: count the impression (proof of play; a durable write)
        and decode the next picture, both in a still frame, never in one of the fade's."""
        self.app.record_event("promotion_shown", subject_id=promotion_id)
        self._preload_next()

    def on_fade(self, _instance, value: float) -> None:
        if self._pair is not None:
            incoming, outgoing = self._pair
            incoming.opacity, outgoing.opacity = value, 1.0 - value

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
            if self.has_slides and self.promotion_id and not self._covered():
                self.app.record_event("promotion_touched", subject_id=self.promotion_id)
            self.start()
            return True
        return False
