"""Accessibility mode: the reach band of the stated panel, contrast maths, the accessibility
button (the international symbol, drawn on the canvas) and read-aloud of the screen shown.

The panel is a 32-inch 16:9 display (a picture of 708.4 × 398.5 mm, 2.71 px/mm at 1920×1080)
mounted with the picture's bottom edge `PANEL_BOTTOM_MM` above the floor. Everything a visitor
touches while the mode is on lies between `REACH_LOW_MM` and `REACH_HIGH_MM` above the floor:
the ADA 2010 Standards (308.2.1 forward reach, 308.3.1 side reach) put a wheelchair user's
reach between 15 in (380 mm) and 48 in (1220 mm); the band stops 20 mm below the top for
mounting tolerance. docs/accessibility.md gives the reasoning and the numbers in pixels.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget

from kiosk.speech import Speaker, SpeechError, SpeechSettings

log = logging.getLogger(__name__)

PANEL_DIAGONAL_MM = 32 * 25.4
PANEL_LONG_MM = PANEL_DIAGONAL_MM * 16 / math.hypot(16, 9)  # 708.4 mm
PANEL_SHORT_MM = PANEL_DIAGONAL_MM * 9 / math.hypot(16, 9)  # 398.5 mm
PANEL_BOTTOM_MM = 800
"""The panel's lower edge above the floor: a floor-standing kiosk whose portrait picture then
reaches 1.51 m, a standing adult's eye height."""
REACH_LOW_MM = 380
REACH_HIGH_MM = 1200
"""The reachable band above the floor (ADA 308.2.1 / 308.3.1: 380–1220 mm, 20 mm kept spare)."""
MIN_TARGET_MM = 15
"""The smallest touch target in the mode, on the stated panel."""
MIN_CONTRAST = 7.0
"""WCAG 2 AAA contrast for text (1.4.6)."""
DEFAULT_SPEECH_VOLUME = 70
"""Read-aloud volume (0–100) until the console sets the kiosk's `speech_volume`."""

_MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def px_per_mm(window_size: tuple[float, float]) -> float:
    """Pixels per millimetre of the stated panel showing a window of `window_size`."""
    return max(window_size) / PANEL_LONG_MM


def reach_band(window_size: tuple[float, float]) -> tuple[float, float]:
    """(lowest, highest) window y in pixels (Kivy's y grows upwards from the panel's bottom
    edge) that a visitor in a wheelchair reaches."""
    scale = px_per_mm(window_size)
    height = window_size[1]
    low = min(height, max(0.0, (REACH_LOW_MM - PANEL_BOTTOM_MM) * scale))
    high = max(low, min(height, (REACH_HIGH_MM - PANEL_BOTTOM_MM) * scale))
    return low, high


def min_target_px(window_size: tuple[float, float]) -> float:
    return MIN_TARGET_MM * px_per_mm(window_size)


def relative_luminance(colour: Iterable[float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0–1 components."""
    channels = []
    for value in list(colour)[:3]:
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: Iterable[float], background: Iterable[float]) -> float:
    """WCAG 2 contrast ratio (1–21) of two opaque colours."""
    first, second = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def blend(top: Iterable[float], below: Iterable[float]) -> tuple[float, float, float, float]:
    """`top` (with its alpha) painted over the opaque colour `below`."""
    red, green, blue, alpha = (list(top) + [1.0])[:4]
    under = list(below)
    return (red * alpha + under[0] * (1 - alpha), green * alpha + under[1] * (1 - alpha),
            blue * alpha + under[2] * (1 - alpha), 1.0)


def plain_text(text: str) -> str:
    """Label text without Kivy markup tags, whitespace folded."""
    return " ".join(_MARKUP.sub("", text).split())


class AccessibilityButton(ButtonBehavior, Widget):
    """The footer's square button with the international symbol of access; it turns the mode
    on and off. `active` shows the mode is on (the square turns white, the figure blue)."""

    active = BooleanProperty(False)

    def on_release(self) -> None:
        app = App.get_running_app()
        if app is not None:
            app.accessible = not app.accessible


def spoken_text(screen, with_title: bool = True) -> str:
    """What read-aloud says for `screen`: its title, then its own words (`spoken_words()` when
    the screen has them, the route on the map, else its visible texts top to bottom, without
    buttons or keys)."""
    app = App.get_running_app()
    parts: list[str] = []
    title = getattr(screen, "title_message", "")
    title_text = app.tr(title) if title else ""
    if title_text and with_title:
        parts.append(title_text)
    own = getattr(screen, "spoken_words", None)
    if callable(own):
        words = own()
    elif getattr(screen, "name", "") == "map":
        words = _route_words(screen)
    else:
        words = visible_texts(screen)
    for word in words:
        if word and word not in parts and word != title_text:
            parts.append(word)
    return "\n".join(parts)


def visible_texts(root) -> list[str]:
    """The text of every label shown under `root`, top to bottom then left to right: not the
    buttons' own words, not the on-screen keyboard, nothing hidden or scrolled away."""
    from screens.widgets.common import KButton, TextField
    from screens.widgets.keyboard import OnScreenKeyboard

    found: list[tuple[float, float, str]] = []

    def visit(widget, shown: bool) -> None:
        if isinstance(widget, OnScreenKeyboard) or widget.opacity <= 0 or not shown:
            return
        if widget.width <= 0 or widget.height <= 0:
            return
        text = getattr(widget, "text", None)
        if isinstance(widget, TextField):  # what was typed, or the hint; not the caret
            text = widget.value or widget.hint
        if isinstance(text, str) and not isinstance(widget, KButton) and hasattr(widget, "texture_size"):
            words = plain_text(text)
            if any(character.isalnum() for character in words):  # not a lone "›" or "·"
                x, y = widget.to_window(widget.x, widget.top)
                found.append((-y, x, words))
        for child in reversed(widget.children):
            visit(child, shown)

    visit(root, True)
    found.sort()
    return [words for _, _, words in found]


def _route_words(screen) -> list[str]:
    """The map: the chosen place and how to get there, with the step being read."""
    from screens.floor_map import StepCard

    words = [getattr(screen, name, "") for name in ("route_title", "route_place", "route_summary",
                                                   "route_reason", "route_problem")]
    for card in screen.walk(restrict=True):
        if isinstance(card, StepCard) and card.active:
            words.extend((card.title, card.detail))
    return [plain_text(word) for word in words if word]


class ReadAloud:
    """Speaks a screen's words through kiosk.speech at the kiosk's `speech_volume` setting;
    a failure (no engine, no audio device) is logged, the kiosk goes on silently."""

    def __init__(self, store) -> None:
        self.store = store
        self.speaker: Speaker | None = None
        self.last_text = ""
        self.last_language = ""

    def volume(self) -> int:
        try:
            value = int(self.store.get_setting("speech_volume", DEFAULT_SPEECH_VOLUME))
        except (TypeError, ValueError):
            log.warning("speech_volume setting is not a number; using %s", DEFAULT_SPEECH_VOLUME)
            value = DEFAULT_SPEECH_VOLUME
        return max(0, min(100, value))

    def say(self, text: str, language: str) -> None:
        self.last_text, self.last_language = text, language
        settings = SpeechSettings(volume_percent=self.volume())
        if self.speaker is None:
            self.speaker = Speaker(settings)
        else:
            self.speaker.stop()
            self.speaker.settings = settings
        if settings.volume_percent == 0:
            return
        try:
            self.speaker.say(text, language)
        except (SpeechError, OSError, ValueError) as error:
            log.warning("cannot read aloud: %s", error)

    def repeat(self) -> None:
        if self.last_text:
            self.say(self.last_text, self.last_language)

    def stop(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()
        self.last_text = ""
