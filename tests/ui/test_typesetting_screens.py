"""Every Chinese line the kiosk draws keeps the line-breaking rules: the tour's walk through every
screen is replayed on the real widget tree and each label's lines are read as Kivy laid them out
(what the visitor sees), not as the text was given."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from kivy.uix.label import Label

from screens import tour
from venue.typesetting import has_cjk

pytestmark = pytest.mark.ui

CLOSING = "。，、；：？！）」』】〉》…"
OPENING = "（「『【〈《"
SETTLE_FRAMES = 8
"""As many loop turns as the kiosk driver's settle() runs before a screenshot."""


class LineReader:
    """Stands in for the tour's kiosk driver: where the tour would save a screenshot, it reads
    the lines of every Chinese label on the screen instead.

    Lines are laid out when a label's texture is made, on the clock, not when the window is
    drawn: the reader runs the app's loop (clock, kv rules, layout, textures) without drawing
    the window, which is most of a frame's cost and tells nothing about where lines break."""

    def __init__(self, session):
        self.session = session
        self.app = session.app
        self.lines: dict[str, list[tuple[str, list[str]]]] = {}

    def pump(self, frames: int = 1) -> None:
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.lang import Builder

        for _ in range(frames):
            Clock.tick()
            EventLoop.dispatch_input()
            Builder.sync()
            Clock.tick_draw()
            Builder.sync()

    def settle(self) -> None:
        self.pump(SETTLE_FRAMES)

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(1)
            time.sleep(0.01)

    def capture(self, path: Path | str) -> Path:
        """The tour settles before each shot: the lines are read as they are."""
        labels = [widget for widget in self.app.root.walk() if isinstance(widget, Label)]
        self.lines[Path(path).stem] = [
            (label.text, rendered_lines(label)) for label in labels if has_cjk(label.text)]
        return Path(path)


def rendered_lines(label) -> list[str]:
    cached = getattr(label._label, "_cached_lines", None) or []
    return ["".join(word.text for word in line.words) for line in cached]


def broken_rules(lines: list[str]) -> list[str]:
    problems = []
    for before, after in zip(lines, lines[1:], strict=False):
        if after.strip() and after.strip()[0] in CLOSING:
            problems.append(f"line begins with {after.strip()[0]!r}: {after!r}")
        if before.strip() and before.strip()[-1] in OPENING:
            problems.append(f"line ends with {before.strip()[-1]!r}: {before!r}")
    return problems


@pytest.mark.timeout(900)
@pytest.mark.parametrize("language", ["zh_CN", "en", "zh_TW"])
def test_no_rendered_chinese_line_breaks_the_line_breaking_rules(kiosk, language, tmp_path):
    reader = LineReader(kiosk)
    try:
        tour._render_language(reader, language, tmp_path, kiosk.store, kiosk.empty_store, kiosk.bundle)
    finally:
        kiosk.app.broadcast_overlay.update([])
    assert set(tour.SCREENS) <= {name.rsplit("-", 1)[0] for name in reader.lines}, "every screen was read"
    read = sum(len(labels) for labels in reader.lines.values())
    wrapped = sum(1 for labels in reader.lines.values() for _text, lines in labels if len(lines) > 1)
    assert read >= 5, "even the English tour shows Chinese (the language buttons, the emergency)"
    if language != "en":
        assert wrapped >= 10, "the tour shows Chinese text over several lines (the test must see some)"
    problems = {f"{screen}: {text[:40]!r}": broken_rules(lines)
                for screen, labels in reader.lines.items() for text, lines in labels if broken_rules(lines)}
    assert problems == {}


def test_a_label_too_narrow_for_its_sentence_moves_the_full_stop_down_with_a_character(kiosk):
    """The case Kivy gets wrong by itself: the line is full just before "。"."""
    from kivy.core.text import Label as CoreLabel

    from screens.widgets.typeset import TypesetLabel

    sentence = "请保持冷静，听从工作人员指挥，沿疏散指示走到最近的出口。不要使用电梯。"
    font_size = 40
    measure = CoreLabel(font_size=font_size, font_name=kiosk.app.font_name)
    measure.refresh()
    full_line = measure.get_extents(sentence[: sentence.index("。")])[0]
    label = TypesetLabel(text=sentence, font_size=font_size, text_size=(full_line + 4, None))
    label.texture_update()
    lines = rendered_lines(label)
    plain = Label(text=sentence, font_size=font_size, text_size=(full_line + 4, None))
    plain.texture_update()
    assert any(line.startswith("。") for line in rendered_lines(plain)), "Kivy alone starts a line with 。"
    assert len(lines) >= 2
    assert broken_rules(lines) == []
    assert "".join(lines) == sentence
    assert lines[1].startswith("口。"), lines
