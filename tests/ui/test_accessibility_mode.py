"""The accessibility mode, checked on every screen the tour shows, portrait and landscape.

The tour's own walk (screens/tour.py) drives the real app through every screen; at each of its
shots this file reads the real widget tree instead of writing a picture (or as well, with
ACCESSIBILITY_SHOTS=<dir>): every touchable widget that is shown and enabled lies in the reach
band of the stated panel and is at least 15 mm on both sides, and every label shown reaches
7:1 contrast against what is painted behind it (docs/accessibility.md).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior, ToggleButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.stencilview import StencilView
from kivy.uix.textinput import TextInput
from ui_helpers import type_on_keyboard

from screens import theme
from screens.widgets.accessibility import (
    MIN_CONTRAST,
    blend,
    contrast_ratio,
    min_target_px,
    plain_text,
    reach_band,
)

pytestmark = pytest.mark.ui

PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
MARKUP_COLOUR = re.compile(r"\[color=#([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?\]")
TOLERANCE_PX = 1


# ---------------------------------------------------------------- reading the widget tree
def _shown(widget) -> bool:
    """Drawn and taking touches: not transparent, not disabled, not folded to nothing."""
    while widget is not None and widget is not widget.parent:
        if widget.opacity <= 0 or widget.disabled:
            return False
        widget = widget.parent
    return True


def _window_rect(widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _visible_rect(widget):
    """The part of `widget` not clipped by a scrolling view around it or the window; None if none."""
    left, bottom, right, top = _window_rect(widget)
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, StencilView):
            p_left, p_bottom, p_right, p_top = _window_rect(parent)
            left, bottom, right, top = max(left, p_left), max(bottom, p_bottom), min(right, p_right), min(top, p_top)
        parent = parent.parent
    left, bottom, right, top = max(left, 0), max(bottom, 0), min(right, Window.width), min(top, Window.height)
    if right - left <= TOLERANCE_PX or top - bottom <= TOLERANCE_PX:
        return None
    return left, bottom, right, top


def _scrolls(widget) -> bool:
    """`widget` is in a scroll view (or other clipping view): cut there, it scrolls into view."""
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, StencilView):
            return True
        parent = parent.parent
    return False


def _handles_touch(widget) -> bool:
    """A button, a field, a scrolling view, or a widget of ours with its own touch handling."""
    if isinstance(widget, (ButtonBehavior, ToggleButtonBehavior, TextInput, ScrollView)):
        return True
    return any("on_touch_down" in vars(cls) or "on_touch_up" in vars(cls)
               for cls in type(widget).__mro__ if cls.__module__.startswith("screens."))


def _all_widgets():
    for top in Window.children:
        yield from top.walk(restrict=True)


def touchables():
    for widget in _all_widgets():
        if widget.width > 0 and widget.height > 0 and _handles_touch(widget) and _shown(widget):
            rect = _visible_rect(widget)
            if rect is not None:
                yield widget, rect


def _covering_fill(canvas_group, point):
    """The colour of the last filled shape of `canvas_group` that covers `point` (window
    coordinates; the canvas is drawn in `widget`'s parent space), or None."""
    from kivy.graphics import Color, Ellipse, Rectangle, RoundedRectangle

    colour, found = None, None
    for instruction in canvas_group.children:
        if isinstance(instruction, Color):
            colour = tuple(instruction.rgba)
        elif isinstance(instruction, (Rectangle, RoundedRectangle, Ellipse)) and colour is not None:
            x, y = instruction.pos
            width, height = instruction.size
            if x <= point[0] <= x + width and y <= point[1] <= y + height and colour[3] > 0:
                found = colour
    return found


def background_of(label) -> tuple[float, float, float, float]:
    """What is painted behind the middle of `label`: its own canvas.before, then the siblings
    drawn before it and its parent's canvas, up to the window, nearest first; translucent fills
    are blended over what is below; the window's clear colour at the bottom."""
    from kivy.uix.relativelayout import RelativeLayout

    layers: list[tuple[float, ...]] = []
    point = label.center  # in the space of label.parent's children
    widget = label
    groups = [label.canvas.before]
    while True:
        for group in groups:
            fill = _covering_fill(group, point)
            if fill is not None:
                layers.append(fill)
                if fill[3] >= 1:
                    return _blended(layers)
        parent = widget.parent
        if parent is None or parent is widget:
            return _blended(layers)
        siblings = parent.children
        earlier = siblings[siblings.index(widget) + 1:] if widget in siblings else []
        groups = [group for sibling in earlier if sibling.opacity > 0
                  for group in (sibling.canvas.after, sibling.canvas, sibling.canvas.before) if group is not None]
        groups += [group for group in (parent.canvas, parent.canvas.before) if group is not None]
        # A relative layout (a screen) and a scroll view draw their children, and their own
        # canvas, in local coordinates: the point moves to the parent's space after them.
        for group in groups:
            fill = _covering_fill(group, point)
            if fill is not None:
                layers.append(fill)
                if fill[3] >= 1:
                    return _blended(layers)
        if isinstance(parent, (RelativeLayout, ScrollView)):
            point = parent.to_parent(*point)
        widget = parent
        groups = []


def _blended(layers) -> tuple[float, float, float, float]:
    colour = tuple(Window.clearcolor)
    for layer in reversed(layers):
        colour = blend(layer, colour)
    return colour


def label_contrasts():
    """(label, ratio) of every label shown with text, for each colour its text uses."""
    for widget in _all_widgets():
        if not isinstance(widget, Label) or not plain_text(widget.text) or not _shown(widget):
            continue
        if widget.width <= 0 or widget.height <= 0 or _visible_rect(widget) is None:
            continue
        background = background_of(widget)
        colours = [tuple(widget.color)] if widget.color[3] > 0 else []
        if widget.markup:
            colours += [tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)) + (1.0,)
                        for hex_colour, alpha in MARKUP_COLOUR.findall(widget.text) if alpha.lower() != "00"]
        for colour in colours:
            yield widget, contrast_ratio(blend(colour, background), background)


def describe(widget) -> str:
    text = plain_text(getattr(widget, "text", "") or "")
    chain = []
    node = widget
    while node is not None and node is not node.parent and len(chain) < 4:
        chain.append(type(node).__name__)
        node = node.parent
    return f"{'<'.join(chain)} {text[:40]!r}"


def mode_problems(app) -> list[str]:
    """What breaks the mode on the screen shown now."""
    size = tuple(Window.size)
    low, high = reach_band(size)
    smallest = min_target_px(size)
    problems = []
    for widget, (_left, bottom, _right, top) in touchables():
        full_window = _window_rect(widget) == (0, 0, Window.width, Window.height)
        if full_window:  # a surface a touch anywhere on works (attract, idle or emergency layer)
            if min(top, high) - max(bottom, low) < smallest:
                problems.append(f"{describe(widget)}: no reachable part")
            continue
        w_left, _w_bottom, w_right, _w_top = _window_rect(widget)
        if not _scrolls(widget) and (w_left < -TOLERANCE_PX or w_right > Window.width + TOLERANCE_PX):
            problems.append(f"{describe(widget)}: x {w_left:.0f}–{w_right:.0f} past the window's edge")
        if bottom < low - TOLERANCE_PX or top > high + TOLERANCE_PX:
            problems.append(f"{describe(widget)}: y {bottom:.0f}–{top:.0f} outside the band {low:.0f}–{high:.0f}")
        if widget.width < smallest - TOLERANCE_PX or widget.height < smallest - TOLERANCE_PX:
            problems.append(f"{describe(widget)}: {widget.width:.0f}×{widget.height:.0f} px < {smallest:.0f} px")
    for widget, ratio in label_contrasts():
        if ratio < MIN_CONTRAST:
            problems.append(f"{describe(widget)}: contrast {ratio:.2f}:1")
    return problems


# ---------------------------------------------------------------- the tour, checked
class CheckingDriver:
    """The tour's driver with its pictures replaced by the check (and kept, if asked)."""

    def __init__(self, kiosk, keep_dir: Path | None) -> None:
        self.kiosk = kiosk
        self.app = kiosk.app
        self.keep_dir = keep_dir
        self.problems: list[str] = []
        self.shots: list[str] = []

    def pump(self, frames: int = 4) -> None:
        self.kiosk.driver.pump(frames)

    def wait(self, seconds: float) -> None:
        self.kiosk.driver.wait(seconds)

    def settle(self) -> None:
        self.kiosk.driver.settle()

    def capture(self, path):
        path = Path(path)
        if not self.app.accessible:  # the tour starts over at its first shot: the mode goes on there
            self.app.accessible = True
            self.settle()
        self.pump(4)
        self.shots.append(path.stem)
        self.problems.extend(f"{path.stem}: {problem}" for problem in mode_problems(self.app))
        if self.keep_dir is not None:
            self.kiosk.driver.capture(self.keep_dir / path.name)
        return path


@pytest.fixture
def sized(kiosk):
    original = tuple(Window.size)

    def resize(size):
        Window.size = size
        kiosk.settle()
        kiosk.pump(4)

    yield resize
    kiosk.app.accessible = False
    Window.size = original
    kiosk.settle()


@pytest.mark.parametrize(("size", "language"), [(PORTRAIT, "zh_CN"), (LANDSCAPE, "en")],
                         ids=["portrait", "landscape"])
def test_every_tour_screen_in_the_mode_is_reachable_large_and_legible(kiosk, sized, tmp_path, size, language):
    from screens import tour

    sized(size)
    keep = os.environ.get("ACCESSIBILITY_SHOTS")
    keep_dir = Path(keep) / ("portrait" if size == PORTRAIT else "landscape") if keep else None
    if keep_dir is not None:
        keep_dir.mkdir(parents=True, exist_ok=True)
    driver = CheckingDriver(kiosk, keep_dir)
    tour._render_language(driver, language, tmp_path, kiosk.store, kiosk.empty_store, kiosk.bundle)
    assert set(driver.shots) >= {f"{screen}-{language}" for screen in tour.SCREENS}
    assert not driver.problems, "\n".join(driver.problems)


def test_the_footer_symbol_turns_the_mode_on_until_the_visitor_leaves(kiosk, sized):
    sized(PORTRAIT)
    app = kiosk.app
    footer_button = app.root.ids.get("accessibility_button") or next(
        widget for widget in app.root.walk() if type(widget).__name__ == "AccessibilityButton")
    kiosk.tap(footer_button)
    kiosk.settle()
    assert app.accessible
    low, high = reach_band(PORTRAIT)
    manager_top = _window_rect(app.manager)[3]
    assert manager_top <= high + TOLERANCE_PX  # the screens moved down into the band
    assert high == pytest.approx(400 * 1920 / (32 * 25.4 * 16 / (16 ** 2 + 9 ** 2) ** 0.5), abs=0.5)
    assert app.mall_name in app.reading_text.splitlines()  # home's welcome, in the reading panel

    app.show("map", store_id="gale-sports")
    kiosk.settle()
    assert app.screen("map").profile == "step_free"

    kiosk.monotonic.advance(app.idle.timeout_s + 1)
    kiosk.let_time_pass()
    assert app.screen_name == "attract"
    assert not app.accessible and not app.read_aloud
    app.show("map", store_id="gale-sports")
    kiosk.settle()
    assert app.screen("map").profile == "standard"


def test_a_route_is_read_step_by_step_in_the_visitors_language(kiosk, sized):
    from screens.widgets.accessibility import spoken_text

    sized(PORTRAIT)
    app = kiosk.app
    app.set_language("en")
    app.accessible = True
    app.show("map", store_id="gale-sports")
    kiosk.settle()
    screen = app.screen("map")
    assert screen.step_count >= 2
    first = spoken_text(screen)
    from screens.floor_map import StepCard

    cards = [card for card in screen.walk(restrict=True) if isinstance(card, StepCard)]
    assert cards[0].title in first
    screen.show_step(1)
    kiosk.settle()
    second = spoken_text(screen)
    assert cards[1].title in second and cards[0].title not in second
    app.update_reading()
    assert cards[1].title in app.reading_text


def test_contrast_of_the_theme_pairs_the_mode_relies_on():
    white = theme.ON_DARK
    for name in ("PRIMARY", "ACCENT", "SUCCESS", "CLOSED", "ACCESS_BLUE", "HEADER"):
        assert contrast_ratio(white, getattr(theme, name)) >= MIN_CONTRAST, name
    assert contrast_ratio(theme.INK_MUTED, theme.BACKGROUND) >= MIN_CONTRAST
    assert contrast_ratio(theme.ERROR, theme.ERROR_SURFACE) >= MIN_CONTRAST
    assert contrast_ratio(theme.ON_DISABLED, theme.DISABLED) >= MIN_CONTRAST


def test_read_aloud_takes_the_console_volume_and_falls_back_to_the_default(kiosk):
    from screens.widgets.accessibility import DEFAULT_SPEECH_VOLUME, ReadAloud

    reader = ReadAloud(kiosk.store)
    try:
        assert reader.volume() == DEFAULT_SPEECH_VOLUME  # never set on this kiosk
        kiosk.store.set_setting("speech_volume", 35)
        assert reader.volume() == 35
        kiosk.store.set_setting("speech_volume", 250)
        assert reader.volume() == 100
        kiosk.store.set_setting("speech_volume", "loud")
        assert reader.volume() == DEFAULT_SPEECH_VOLUME
    finally:
        kiosk.store.delete_setting("speech_volume")


def test_in_the_portrait_band_the_keyboard_comes_up_across_the_width_when_the_visitor_types(kiosk, sized):
    """Directory in the reach band: the list has the width; a tap on the field brings large keys
    up under it, Done puts them away with the results kept, × clears the search."""
    sized(PORTRAIT)
    app = kiosk.app
    app.accessible = True
    app.set_language("en")
    app.show("directory", category_id="")
    kiosk.settle()
    directory = app.screen("directory")
    keyboard = directory.ids.keyboard
    assert keyboard.parent is None and directory.ids.levels.children, "browsing: floors, no keys"
    kiosk.tap(directory.ids.query_field)
    kiosk.settle()
    key = keyboard.key_button("q")
    assert keyboard.parent is not None and keyboard.width >= directory.width * 0.9, "across the width"
    assert min(key.size) >= 1.3 * min_target_px(PORTRAIT), f"a key of {key.size}: not large"
    assert _window_rect(keyboard)[3] <= reach_band(PORTRAIT)[1] + TOLERANCE_PX
    type_on_keyboard(kiosk, keyboard, "cof")
    kiosk.settle()
    assert directory.result_count and not directory.browsing
    kiosk.tap(directory.ids.typing_done)  # Done
    kiosk.settle()
    assert keyboard.parent is None and directory.query == "cof" and directory.result_count
    kiosk.tap(directory.ids.typing_done)  # ×
    kiosk.settle()
    assert directory.query == "" and directory.browsing
