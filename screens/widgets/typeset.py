"""The kiosk's Label: Chinese text broken by the line-breaking rules, cut text ending in "…".

Kivy breaks a run of Chinese wherever the line is full (a line may begin with "。"), and its
`shorten` cuts with "...". `TypesetLabel` lays its text out through venue.typesetting with its
own font as the measure before Kivy draws it, and is registered as the Factory's `Label`, so
every `Label:` and every rule derived from it in the kv files (WrapLabel, TitleLabel …) and the
common widgets get it without each screen doing anything. Text without Chinese, and markup
text, are left to Kivy. Layouts are cached per text, width and font: a label is drawn again
on every resize and language switch, and Chinese text is measured line by line.
"""
from __future__ import annotations

from collections import OrderedDict

from kivy.core.text import Label as CoreLabel
from kivy.factory import Factory
from kivy.uix.label import Label

from venue.typesetting import ELLIPSIS, clamp_lines, has_cjk, shorten

SHORTEN_MARGIN = 2
"""Kivy's own `shorten` leaves this many pixels; ours too, so Kivy finds our line fits."""
SAFETY_MARGIN = 1
"""Kivy measures a line word by word; a pixel of slack keeps it from breaking ours again."""
MAX_CACHED_LAYOUTS = 2000
_layouts: OrderedDict[tuple, str] = OrderedDict()


def _cached(key: tuple, make) -> str:
    text = _layouts.get(key)
    if text is None:
        text = make()
        _layouts[key] = text
        if len(_layouts) > MAX_CACHED_LAYOUTS:
            _layouts.popitem(last=False)
    else:
        _layouts.move_to_end(key)
    return text


class TypesetCoreLabel(CoreLabel):
    """Kivy's text renderer with the breaks chosen by venue.typesetting for Chinese text."""

    def render(self, real=False):
        if real:  # the second pass draws the lines the first pass laid out
            return super().render(real=True)
        original = self._text
        self._text = self.typeset(original)
        try:
            return super().render()
        finally:
            self._text = original

    def typeset(self, text: str) -> str:
        """`text` with the line breaks Kivy must keep, or unchanged when Kivy may lay it out."""
        options = self.options
        width = self._text_size[0]
        if not text or width is None or not has_cjk(text):
            return text
        padding = options["padding"]
        room = max(1, int(width - padding[0] - padding[2]) - SAFETY_MARGIN)
        measure = self.get_cached_extents()

        def fits(line: str) -> bool:
            return measure(line)[0] <= room

        key = (text, room, self._text_size[1], options["font_name_r"], options["font_size"], options["bold"],
               options["shorten"], options.get("max_lines", 0), options["line_height"], options["strip"])
        if options["shorten"]:
            shortened_room = max(1, room - SHORTEN_MARGIN)
            return _cached(key, lambda: shorten(text, lambda line: measure(line)[0] <= shortened_room))
        return _cached(key, lambda: "\n".join(clamp_lines(text, fits, self._lines_that_fit())))

    def _lines_that_fit(self) -> int:
        """How many lines the label's height and `max_lines` allow (0: no limit)."""
        options = self.options
        limit = int(options.get("max_lines", 0) or 0)
        height = self._text_size[1]
        if height is not None:
            line = self.get_extents(ELLIPSIS)[1] * options["line_height"]
            fitting = int((height - options["padding"][1] - options["padding"][3] + 1) // max(1, line))
            limit = max(1, min(limit, fitting) if limit else fitting)
        return limit


class TypesetLabel(Label):
    """A Label whose plain text is laid out by `TypesetCoreLabel`."""

    def _create_label(self):
        if self.markup:
            super()._create_label()
            return
        if isinstance(self._label, TypesetCoreLabel):
            return
        options = {name: getattr(self, name) for name in self._font_properties}
        options["usersize"] = self.text_size
        if self.disabled:
            options["color"] = self.disabled_color
            options["outline_color"] = self.disabled_outline_color
        self._label = TypesetCoreLabel(**options)

    def rendered_lines(self) -> list[str]:
        """The lines as Kivy laid them out in the last render (what the visitor sees)."""
        lines = getattr(self._label, "_cached_lines", None) or []
        return ["".join(word.text for word in line.words) for line in lines]


Factory.unregister("Label")
Factory.register("Label", cls=TypesetLabel)
