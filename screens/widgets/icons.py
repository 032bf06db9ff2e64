"""Simple line icons drawn with Kivy's canvas, so they scale to any panel and need no files.

The CJK font lacks most pictographs (📍, 🏠, ⌫), and icon fonts would be one more asset to
license and ship; five shapes drawn from lines and circles are enough for the home tiles.
"""
from __future__ import annotations

import math

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line, Triangle
from kivy.properties import ColorProperty, OptionProperty
from kivy.uix.widget import Widget

ICON_KINDS = ("directory", "map", "promotions", "feedback", "found", "desk", "pin", "star", "idea", "lost")


class LineIcon(Widget):
    kind = OptionProperty("directory", options=ICON_KINDS)
    colour = ColorProperty((1, 1, 1, 1))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Drawn once the layout has settled in this frame: a layout that moves the icon several
        # times (a footer turning from portrait to landscape) left it drawn where it had been.
        self._redraw = Clock.create_trigger(self._draw, -1)
        self.bind(pos=self._redraw, size=self._redraw, kind=self._redraw, colour=self._redraw)
        self._draw()

    def _draw(self, *args) -> None:
        self.canvas.clear()
        side = min(self.width, self.height)
        if side <= 0:
            return
        x0 = self.center_x - side / 2
        y0 = self.center_y - side / 2
        stroke = max(1.5, side * 0.055)

        def p(fx: float, fy: float) -> tuple[float, float]:
            return x0 + fx * side, y0 + fy * side

        with self.canvas:
            Color(*self.colour)
            getattr(self, f"_draw_{self.kind}")(p, side, stroke)

    # Each drawer works on a unit square: (0, 0) bottom-left, (1, 1) top-right.
    def _draw_directory(self, p, side, stroke) -> None:
        for row in range(4):
            fy = 0.82 - row * 0.21
            cx, cy = p(0.16, fy)
            Ellipse(pos=(cx - stroke, cy - stroke), size=(2 * stroke, 2 * stroke))
            Line(points=[*p(0.3, fy), *p(0.88, fy)], width=stroke, cap="round")

    def _draw_pin(self, p, side, stroke) -> None:
        cx, cy = p(0.5, 0.62)
        radius = side * 0.28
        Line(circle=(cx, cy, radius, -150, 150), width=stroke)
        left = (cx - radius * math.sin(math.radians(150)), cy + radius * math.cos(math.radians(150)))
        right = (cx + radius * math.sin(math.radians(150)), cy + radius * math.cos(math.radians(150)))
        tip = p(0.5, 0.08)
        Line(points=[*left, *tip, *right], width=stroke, joint="round")
        Line(circle=(cx, cy, radius * 0.35), width=stroke)

    def _draw_map(self, p, side, stroke) -> None:
        Line(points=[*p(0.06, 0.18), *p(0.34, 0.08), *p(0.66, 0.18), *p(0.94, 0.08),
                     *p(0.94, 0.74), *p(0.66, 0.84), *p(0.34, 0.74), *p(0.06, 0.84)],
             width=stroke, close=True, joint="round")
        Line(points=[*p(0.34, 0.08), *p(0.34, 0.74)], width=stroke * 0.7)
        Line(points=[*p(0.66, 0.18), *p(0.66, 0.84)], width=stroke * 0.7)

    def _draw_promotions(self, p, side, stroke) -> None:
        # A price tag with a hole.
        Line(points=[*p(0.1, 0.5), *p(0.5, 0.9), *p(0.9, 0.9), *p(0.9, 0.5), *p(0.5, 0.1)],
             width=stroke, close=True, joint="round")
        cx, cy = p(0.72, 0.72)
        Line(circle=(cx, cy, side * 0.06), width=stroke * 0.8)

    def _draw_feedback(self, p, side, stroke) -> None:
        Line(rounded_rectangle=(*p(0.08, 0.3), side * 0.84, side * 0.6, side * 0.1), width=stroke)
        Triangle(points=[*p(0.22, 0.32), *p(0.42, 0.32), *p(0.2, 0.1)])
        for fx in (0.32, 0.5, 0.68):
            cx, cy = p(fx, 0.6)
            Ellipse(pos=(cx - stroke * 1.2, cy - stroke * 1.2), size=(2.4 * stroke, 2.4 * stroke))

    def _draw_found(self, p, side, stroke) -> None:
        # A bag with a handle and a tick: "found, handed in".
        Line(rounded_rectangle=(*p(0.14, 0.1), side * 0.72, side * 0.56, side * 0.08), width=stroke)
        Line(points=[*p(0.34, 0.66), *p(0.34, 0.8), *p(0.66, 0.8), *p(0.66, 0.66)], width=stroke, joint="round")
        Line(points=[*p(0.33, 0.38), *p(0.46, 0.25), *p(0.69, 0.5)], width=stroke, cap="round", joint="round")

    def _draw_desk(self, p, side, stroke) -> None:
        # A service counter with a person behind it.
        cx, cy = p(0.5, 0.74)
        Line(circle=(cx, cy, side * 0.13), width=stroke)
        Line(points=[*p(0.28, 0.44), *p(0.5, 0.55), *p(0.72, 0.44)], width=stroke, joint="round")
        Line(rectangle=(*p(0.08, 0.1), side * 0.84, side * 0.3), width=stroke)

    def _draw_star(self, p, side, stroke) -> None:
        points = []
        for index in range(10):
            angle = math.radians(90 + index * 36)
            radius = 0.46 if index % 2 == 0 else 0.19
            points.extend(p(0.5 + radius * math.cos(angle), 0.48 + radius * math.sin(angle)))
        Line(points=points, width=stroke, close=True, joint="round")

    def _draw_idea(self, p, side, stroke) -> None:
        # A light bulb: the idea that makes the mall better.
        cx, cy = p(0.5, 0.6)
        radius = side * 0.3
        Line(circle=(cx, cy, radius, 140, 400), width=stroke)
        Line(points=[*p(0.36, 0.36), *p(0.36, 0.22), *p(0.64, 0.22), *p(0.64, 0.36)], width=stroke, joint="round")
        Line(points=[*p(0.4, 0.1), *p(0.6, 0.1)], width=stroke, cap="round")

    def _draw_lost(self, p, side, stroke) -> None:
        # A magnifying glass: "we will look for it".
        cx, cy = p(0.42, 0.58)
        Line(circle=(cx, cy, side * 0.27), width=stroke)
        Line(points=[*p(0.61, 0.39), *p(0.88, 0.12)], width=stroke * 1.6, cap="round")
