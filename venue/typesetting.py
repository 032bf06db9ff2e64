"""Chinese line breaking (禁则) and ellipsis, measured by whoever draws the text.

Kivy breaks a run of Chinese wherever the line is full, so a line can begin with "。" or end
with "（". These functions choose the breaks instead and leave the measuring to the caller
(`fits(line) -> bool`, the kiosk passes its label's font), so they need no Kivy and are
tested alone. A break moves back to the last legal place on the line; a line may break a
rule only when nothing on it allows a legal break (a very narrow column).
"""
from __future__ import annotations

from collections.abc import Callable

Fits = Callable[[str], bool]

ELLIPSIS = "…"
CLOSING = frozenset("。，、；：？！）」』】〉》〕〗〙〛｝］’”…‥·・ー～〜.,;:?!)]}%％—－-")
"""Never at the start of a line: closing brackets and quotes, stops, the ellipsis, the dash."""
OPENING = frozenset("（「『【〈《〔〖〘〚｛［‘“([{¥￥$＄#＃")
"""Never at the end of a line: opening brackets and quotes, currency signs before amounts."""


def has_cjk(text: str) -> bool:
    """Whether `text` holds Chinese characters or full-width punctuation (the text to typeset)."""
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3400" <= ch <= "\u4dbf"
               for ch in text)


def _is_word_char(ch: str) -> bool:
    """A letter or digit of a Latin word or number, which is never split in the middle."""
    return ch.isascii() and ch.isalnum()


def can_break_before(text: str, index: int) -> bool:
    """Whether a line may end just before `text[index]` (0 < index < len(text))."""
    before, after = text[index - 1], text[index]
    if after in CLOSING or before in OPENING:
        return False
    if after.isspace():
        return False  # the space stays at the end of the line before it
    return not (_is_word_char(before) and _is_word_char(after))


def _longest_fitting(text: str, start: int, fits: Fits) -> int:
    """The end of the longest line from `start` that fits (at least one character)."""
    if fits(text[start:].rstrip()):
        return len(text)
    low, high = start + 1, len(text)  # text[start:low] is taken even if it does not fit
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[start:middle].rstrip()):
            low = middle
        else:
            high = middle - 1
    return low


def _break_paragraph(text: str, fits: Fits) -> list[str]:
    lines: list[str] = []
    start = 0
    while start < len(text):
        end = _longest_fitting(text, start, fits)
        if end < len(text):
            legal = next((i for i in range(end, start, -1) if can_break_before(text, i)), None)
            end = legal if legal is not None else end
        lines.append(text[start:end])
        start = end
    return _without_orphan(lines, fits) if lines else [""]


def _without_orphan(lines: list[str], fits: Fits) -> list[str]:
    """A last line of one Chinese character (with its punctuation) takes one more from the line
    before when that break is legal too: "您的位/置" reads worse than "您的/位置"."""
    if len(lines) < 2:
        return lines
    last = lines[-1].rstrip("".join(CLOSING))
    before = lines[-2]
    if len(last) != 1 or not has_cjk(last) or len(before) < 3:
        return lines
    joined = before + lines[-1]
    cut = len(before) - 1
    if not can_break_before(joined, cut) or not fits(joined[cut:].rstrip()):
        return lines
    return [*lines[:-2], joined[:cut], joined[cut:]]


def break_lines(text: str, fits: Fits) -> list[str]:
    """The lines to draw `text` in: each fits when it can, none starts with closing or ends with
    opening punctuation unless its line offers no legal break; "\\n" in `text` always breaks.
    Spaces stay where they were, so `"".join` of a paragraph's lines gives it back."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_break_paragraph(paragraph, fits))
    return lines


def shorten(text: str, fits: Fits, ellipsis: str = ELLIPSIS) -> str:
    """`text` on one line, or its longest beginning that fits followed by "…" (never ending on
    opening punctuation or a space before the "…")."""
    text = " ".join(text.split("\n"))
    if fits(text):
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix with the ellipsis that fits
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + ellipsis):
            low = middle
        else:
            high = middle - 1
    kept = text[:low].rstrip()
    while kept and kept[-1] in OPENING:
        kept = kept[:-1].rstrip()
    return kept + ellipsis


def clamp_lines(text: str, fits: Fits, max_lines: int, ellipsis: str = ELLIPSIS) -> list[str]:
    """`break_lines` for a box of `max_lines` lines: when the text is longer, the last line
    shown ends in "…" so the visitor sees it was cut."""
    lines = break_lines(text, fits)
    if max_lines < 1 or len(lines) <= max_lines:
        return lines
    kept = lines[: max_lines - 1]
    rest = lines[max_lines - 1].rstrip() + ellipsis
    if not fits(rest):
        rest = shorten(lines[max_lines - 1] + ellipsis, fits, ellipsis)
    return [*kept, rest]
