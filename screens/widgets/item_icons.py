"""Pictograms of the lost-property categories, drawn with canvas lines like `LineIcon`, so a
visitor who reads neither Chinese nor English still finds "phone" or "keys" at a glance."""
from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line
from kivy.properties import ColorProperty, OptionProperty
from kivy.uix.widget import Widget

from sync.protocol import ItemCategory

ITEM_ICON_KINDS = tuple(category.value for category in ItemCategory)


class ItemPictogram(Widget):
    kind = OptionProperty(ItemCategory.OTHER.value, options=ITEM_ICON_KINDS)
    colour = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, kind=self._draw, colour=self._draw)
        self._draw()

    def _draw(self, *args) -> None:
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0:
            return
        x0, y0 = self.center_x - side / 2, self.center_y - side / 2
        stroke = max(1.5, side * 0.05)

        def p(fx: float, fy: float) -> tuple[float, float]:
            return x0 + fx * side, y0 + fy * side

        with self.canvas:
            Color(*self.colour)
            getattr(self, f"_draw_{self.kind}")(p, side, stroke)

    @staticmethod
    def _dot(centre, radius) -> None:
        Ellipse(pos=(centre[0] - radius, centre[1] - radius), size=(2 * radius, 2 * radius))

    # Each drawer works on a unit square: (0, 0) bottom-left, (1, 1) top-right.
    def _draw_phone(self, p, side, stroke) -> None:
        Line(rounded_rectangle=(*p(0.3, 0.06), side * 0.4, side * 0.88, side * 0.07), width=stroke)
        Line(points=[*p(0.3, 0.2), *p(0.7, 0.2)], width=stroke * 0.6)
        Line(points=[*p(0.3, 0.8), *p(0.7, 0.8)], width=stroke * 0.6)
        self._dot(p(0.5, 0.13), stroke * 0.9)

    def _draw_wallet(self, p, side, stroke) -> None:
        Line(rounded_rectangle=(*p(0.08, 0.2), side * 0.84, side * 0.58, side * 0.07), width=stroke)
        Line(rounded_rectangle=(*p(0.56, 0.38), side * 0.36, side * 0.22, side * 0.05), width=stroke * 0.8)
        self._dot(p(0.66, 0.49), stroke)
        Line(points=[*p(0.16, 0.78), *p(0.7, 0.9), *p(0.76, 0.78)], width=stroke * 0.8, joint="round")

    def _draw_keys(self, p, side, stroke) -> None:
        cx, cy = p(0.3, 0.68)
        Line(circle=(cx, cy, side * 0.18), width=stroke)
        Line(circle=(cx, cy, side * 0.06), width=stroke * 0.7)
        Line(points=[*p(0.42, 0.56), *p(0.86, 0.12)], width=stroke, cap="round")
        Line(points=[*p(0.72, 0.26), *p(0.82, 0.36)], width=stroke, cap="round")
        Line(points=[*p(0.62, 0.36), *p(0.7, 0.44)], width=stroke, cap="round")

    def _draw_bag(self, p, side, stroke) -> None:
        Line(points=[*p(0.12, 0.1), *p(0.88, 0.1), *p(0.8, 0.62), *p(0.2, 0.62)], width=stroke, close=True,
             joint="round")
        cx, cy = p(0.5, 0.62)
        Line(circle=(cx, cy, side * 0.2, -80, 80), width=stroke)

    def _draw_card(self, p, side, stroke) -> None:
        Line(rounded_rectangle=(*p(0.06, 0.2), side * 0.88, side * 0.6, side * 0.06), width=stroke)
        Line(points=[*p(0.06, 0.64), *p(0.94, 0.64)], width=stroke * 1.4)
        Line(rounded_rectangle=(*p(0.16, 0.34), side * 0.16, side * 0.14, side * 0.02), width=stroke * 0.7)
        Line(points=[*p(0.5, 0.34), *p(0.82, 0.34)], width=stroke * 0.7)

    def _draw_umbrella(self, p, side, stroke) -> None:
        cx, cy = p(0.5, 0.56)
        radius = side * 0.42
        Line(circle=(cx, cy, radius, -90, 90), width=stroke)
        Line(points=[*p(0.08, 0.56), *p(0.92, 0.56)], width=stroke, cap="round")
        Line(points=[*p(0.5, 0.98), *p(0.5, 0.56)], width=stroke * 0.6)
        Line(points=[*p(0.5, 0.56), *p(0.5, 0.16)], width=stroke)
        hx, hy = p(0.41, 0.16)
        Line(circle=(hx, hy, side * 0.09, 90, 270), width=stroke)

    def _draw_clothing(self, p, side, stroke) -> None:
        Line(points=[*p(0.36, 0.88), *p(0.08, 0.74), *p(0.16, 0.52), *p(0.26, 0.58), *p(0.26, 0.08),
                     *p(0.74, 0.08), *p(0.74, 0.58), *p(0.84, 0.52), *p(0.92, 0.74), *p(0.64, 0.88)],
             width=stroke, joint="round")
        cx, cy = p(0.5, 0.88)
        Line(circle=(cx, cy, side * 0.14, 90, 270), width=stroke)

    def _draw_toy(self, p, side, stroke) -> None:
        for fx in (0.3, 0.7):
            ex, ey = p(fx, 0.84)
            Line(circle=(ex, ey, side * 0.09), width=stroke)
        hx, hy = p(0.5, 0.66)
        Line(circle=(hx, hy, side * 0.2), width=stroke)
        bx, by = p(0.5, 0.24)
        Line(ellipse=(bx - side * 0.26, by - side * 0.2, side * 0.52, side * 0.4), width=stroke)
        for fx in (0.42, 0.58):
            self._dot(p(fx, 0.7), stroke * 0.9)

    def _draw_jewellery(self, p, side, stroke) -> None:
        cx, cy = p(0.5, 0.36)
        Line(circle=(cx, cy, side * 0.28), width=stroke)
        Line(points=[*p(0.36, 0.7), *p(0.44, 0.8), *p(0.56, 0.8), *p(0.64, 0.7), *p(0.5, 0.6)], width=stroke,
             close=True, joint="round")

    def _draw_documents(self, p, side, stroke) -> None:
        Line(points=[*p(0.18, 0.06), *p(0.82, 0.06), *p(0.82, 0.72), *p(0.62, 0.94), *p(0.18, 0.94)],
             width=stroke, close=True, joint="round")
        Line(points=[*p(0.62, 0.94), *p(0.62, 0.72), *p(0.82, 0.72)], width=stroke * 0.7, joint="round")
        for fy in (0.56, 0.4, 0.24):
            Line(points=[*p(0.3, fy), *p(0.7, fy)], width=stroke * 0.7)

    def _draw_other(self, p, side, stroke) -> None:
        Line(rounded_rectangle=(*p(0.1, 0.1), side * 0.8, side * 0.8, side * 0.1), width=stroke)
        # A question mark: from the left, over the top, down to the middle.
        cx, cy = p(0.5, 0.62)
        radius = side * 0.15
        Line(circle=(cx, cy, radius, -90, 180), width=stroke)
        Line(points=[cx, cy - radius, *p(0.5, 0.38)], width=stroke, cap="round")
        self._dot(p(0.5, 0.24), stroke * 1.1)
