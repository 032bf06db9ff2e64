"""Text that does not fit: every visible label of the real widget tree whose text is wider or
taller than its box, spills out of the area it is drawn in, or is cut.

Read from what Kivy laid out (the label's texture and its laid-out lines), not estimated from
the text, so it covers whatever the kv rules, the language and the panel's orientation do:
`text_size`, `padding`, `halign`/`valign`, `max_lines`, `shorten` and the TypesetLabel's own
Chinese line breaking (screens/widgets/typeset.py).

What counts as overflow:
- **wider / taller**: the texture Kivy draws (centred on the label) is larger than the label,
  so the text runs over its neighbours; or the laid-out text is larger than `text_size`, so
  Kivy clips it. Heights allow the font's leading (the room above and below the letters in a
  line): a line may lose that without losing ink;
- **cut**: words the visitor never sees: lines dropped by `max_lines` or a `text_size` height,
  a shortened text ending in an ellipsis, or a word split across two lines;
- **outside**: the drawn text of a label on the window reaches past the window or past the
  clipping view it scrolls in (a ScrollView or other StencilView that does not scroll
  sideways), sideways.

A deliberate ellipsis is acceptable in two places only: a row of a list that opens a page with
the full text (a store row opens the store page), listed in `ELLIPSIZED_ROWS`; and the
accessibility mode's reading panel (`SUMMARY_PANELS`), which repeats the screen's words and
stops where its room ends. Everywhere else an ellipsis loses words a visitor may need, and is
reported.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

TOLERANCE_PX = 1
"""Kivy rounds positions and sizes to whole pixels."""
ELLIPSIZED_ROWS = frozenset({"StoreRow"})
"""Rows a visitor taps to open a page with the full text: their labels may end in "…"."""
SUMMARY_PANELS = frozenset({"ReadingPanel"})
"""The accessibility mode's reading panel (screens/app.kv): the shown screen's words again, large,
above the reach band. It ends where its room ends ("…" or lines left off), deliberately: the
words it leaves out are on the screen below it, read-aloud ("Say it again") speaks them all, and
it cannot scroll, since nothing above the band may need a touch."""
ELLIPSES = ("…", "...")
MARKUP_TAG = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]")
MARKUP_ESCAPES = {"&bl;": "[", "&br;": "]", "&amp;": "&"}
LATIN_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Overflow:
    """One label whose text does not fit."""

    widget: str
    text: str
    problem: str
    text_size: tuple[int, int]
    box: tuple[int, int]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 80 else self.text[:79] + "…"
        return (f"{self.widget}: {self.problem} (text {self.text_size[0]}×{self.text_size[1]} px, "
                f"box {self.box[0]}×{self.box[1]} px): {text!r}")


def find_overflows(roots: Iterable[Widget], window_size: tuple[float, float] | None = None) -> list[Overflow]:
    """Every visible label under `roots` (the window's children: the app's root with its header,
    footer and overlays, and any popup) whose text does not fit; with `window_size`, text drawn
    past the window's edge counts too."""
    found: list[Overflow] = []
    for root in roots:
        for label, clip in _visible_labels(root, None):
            found.extend(label_overflows(label, clip, window_size))
    return found


def label_overflows(label: Label, clip: Widget | None = None,
                    window_size: tuple[float, float] | None = None) -> list[Overflow]:
    """What does not fit in one label; `clip` is the view that clips it, if any."""
    text = _plain_text(label)
    if not text.strip() or label._label is None:
        return []
    lines = _rendered_lines(label)
    texture_w, texture_h = (int(value) for value in label.texture_size)
    box = (int(label.width), int(label.height))

    def overflow(problem: str) -> Overflow:
        return Overflow(describe(label), text, problem, (texture_w, texture_h), box)

    found = []
    leading = _leading(label)
    if texture_w > box[0] + TOLERANCE_PX:
        found.append(overflow("wider than its box"))
    if texture_h > box[1] + leading:
        found.append(overflow("taller than its box"))
    internal_w, internal_h = (int(value) for value in label._label._internal_size)
    width_limit, height_limit = label.text_size
    if width_limit is not None and internal_w > width_limit + TOLERANCE_PX:
        found.append(overflow(f"laid out {internal_w} px wide in a text_size {int(width_limit)} px wide"))
    if height_limit is not None and internal_h > height_limit + leading:
        found.append(overflow(f"laid out {internal_h} px high in a text_size {int(height_limit)} px high"))
    cut = _cut(text, lines)
    deliberate = _inside(label, SUMMARY_PANELS) or (cut == "ellipsis" and _inside(label, ELLIPSIZED_ROWS))
    if cut and not deliberate:
        found.append(overflow(f"cut ({cut}): shows {' / '.join(lines)!r}"))
    spill = _outside(label, clip, texture_w, window_size)
    if spill:
        found.append(overflow(spill))
    return found


def _leading(label: Label) -> int:
    """The room above and below the letters in a line of the label's font: a line may lose that
    much height without losing ink (a CJK font's line is about 1.45 times its size)."""
    line = label._label.get_extents("国")[1] * label.line_height
    return max(TOLERANCE_PX, int(line - label.font_size))


def describe(widget: Widget) -> str:
    """`Screen name › Class#id` of a widget, as far as the kv ids name it."""
    parts = [type(widget).__name__]
    name = _id_of(widget)
    if name:
        parts[0] += f"#{name}"
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, Screen):
            parts.append(f"screen {parent.name}")
            break
        named = _id_of(parent)
        if named and len(parts) < 3:
            parts.append(f"{type(parent).__name__}#{named}")
        parent = parent.parent
    else:
        parts.append("chrome")
    return " › ".join(reversed(parts))


def _id_of(widget: Widget) -> str:
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        for name, value in getattr(parent, "ids", {}).items():
            if value is widget or getattr(value, "__self__", None) is widget:
                return name
        parent = parent.parent
    return ""


def _visible_labels(widget: Widget, clip: Widget | None) -> Iterator[tuple[Label, Widget | None]]:
    if widget.opacity <= 0:
        return
    if isinstance(widget, Label):
        yield widget, clip
    if isinstance(widget, StencilView):
        clip = widget
    for child in widget.children:
        yield from _visible_labels(child, clip)


def _plain_text(label: Label) -> str:
    text = str(label.text)
    if label.markup:
        text = MARKUP_TAG.sub("", text)
        for escape, character in MARKUP_ESCAPES.items():
            text = text.replace(escape, character)
    return text


def _rendered_lines(label: Label) -> list[str]:
    lines = getattr(label._label, "_cached_lines", None) or []
    return ["".join(word.text for word in line.words) for line in lines]


def _cut(text: str, lines: list[str]) -> str:
    """Why the laid-out lines lose part of `text`, or "" when every word shows whole."""
    shown = "".join("".join(line.split()) for line in lines)
    whole = "".join(text.split())
    if shown != whole:
        if any(ellipsis in shown and ellipsis not in whole for ellipsis in ELLIPSES):
            return "ellipsis"
        return "lines dropped" if whole.startswith(shown) or whole.endswith(shown) else "text differs"
    return _split_word(text, lines)


def _split_word(text: str, lines: list[str]) -> str:
    """"word split" when a line break falls inside a Latin word (no space there in the text)."""
    positions = [index for index, character in enumerate(text) if not character.isspace()]
    seen = 0
    for before, after in zip(lines, lines[1:], strict=False):
        seen += len("".join(before.split()))
        if not before.strip() or not after.strip() or seen >= len(positions):
            continue
        left, right = positions[seen - 1], positions[seen]
        if right == left + 1 and LATIN_WORD.match(text[left]) and LATIN_WORD.match(text[right]):
            return f"word split: {before.split()[-1]!r} / {after.split()[0]!r}"
    return ""


def _inside(label: Label, containers: frozenset[str]) -> bool:
    """The label is drawn inside one of these widget classes."""
    parent = label.parent
    while parent is not None and parent is not parent.parent:
        if type(parent).__name__ in containers:
            return True
        parent = parent.parent
    return False


def _outside(label: Label, clip: Widget | None, texture_w: int, window_size: tuple[float, float] | None) -> str:
    """Where the drawn text reaches past the window or its clipping view, sideways."""
    if clip is not None and getattr(clip, "do_scroll_x", False):
        return ""  # a strip that scrolls sideways: the visitor scrolls the rest into view
    left = label.to_window(label.center_x - texture_w / 2, label.y)[0]
    right = left + texture_w
    if window_size is not None:
        width, height = (int(value) for value in window_size)
        box_left, box_bottom = label.to_window(label.x, label.y)
        if box_left + label.width <= 0 or box_left >= width or box_bottom + label.height <= 0 or box_bottom >= height:
            return ""  # parked off the window (a hidden step, a list scrolled away)
        if left < -TOLERANCE_PX or right > width + TOLERANCE_PX:
            return f"drawn from x={int(left)} to x={int(right)}, past the window's edge (0 to {width})"
    if clip is not None:
        clip_left = clip.to_window(clip.x, clip.y)[0]
        clip_right = clip_left + clip.width
        if left < clip_left - TOLERANCE_PX or right > clip_right + TOLERANCE_PX:
            return (f"drawn from x={int(left)} to x={int(right)}, past its {type(clip).__name__} "
                    f"(x={int(clip_left)} to {int(clip_right)})")
    return ""
