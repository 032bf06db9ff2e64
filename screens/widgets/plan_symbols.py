"""Facility symbols for the floor plan, drawn with Kivy's canvas: a rounded tile in the colour
of its family (blue for services, slate for ways between floors, green for exits and first aid)
with a white pictogram on it, so a toilet or a lift reads at a glance in any language.

Each pictogram is drawn on a unit square ((0, 0) bottom-left, (1, 1) top-right) into an
InstructionGroup, so the plan adds a floor's symbols as one layer.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from kivy.graphics import Color, Ellipse, InstructionGroup, Line, Quad, Rectangle, RoundedRectangle, Triangle

SERVICE_BLUE = (0.09, 0.33, 0.62, 1)
CONNECTOR_SLATE = (0.22, 0.27, 0.32, 1)
SAFETY_GREEN = (0.0, 0.48, 0.24, 1)
"""The green of exit signs (ISO 7010 safe condition), 5.6:1 against white."""

FAMILY_COLOUR = {
    "lift": CONNECTOR_SLATE, "escalator": CONNECTOR_SLATE, "stairs": CONNECTOR_SLATE, "ramp": CONNECTOR_SLATE,
    "exit": SAFETY_GREEN, "first_aid": SAFETY_GREEN,
}
WHITE = (1, 1, 1, 1)

Unit = Callable[[float, float], tuple[float, float]]


class _Pen:
    """Draws into a group on a unit square placed at (x0, y0) with side `side`."""

    def __init__(self, group: InstructionGroup, x0: float, y0: float, side: float) -> None:
        self.group, self.x0, self.y0, self.side = group, x0, y0, side
        self.stroke = max(1.2, side * 0.07)

    def p(self, fx: float, fy: float) -> tuple[float, float]:
        return self.x0 + fx * self.side, self.y0 + fy * self.side

    def line(self, *points: tuple[float, float], width: float = 1.0, close: bool = False) -> None:
        flat = [c for fx, fy in points for c in self.p(fx, fy)]
        self.group.add(Line(points=flat, width=self.stroke * width, close=close, joint="round", cap="round"))

    def disc(self, fx: float, fy: float, radius: float) -> None:
        cx, cy = self.p(fx, fy)
        r = radius * self.side
        self.group.add(Ellipse(pos=(cx - r, cy - r), size=(2 * r, 2 * r)))

    def ring(self, fx: float, fy: float, radius: float, start: float = 0, end: float = 360, width: float = 1.0) -> None:
        cx, cy = self.p(fx, fy)
        self.group.add(Line(circle=(cx, cy, radius * self.side, start, end), width=self.stroke * width))

    def box(self, fx: float, fy: float, fw: float, fh: float) -> None:
        self.group.add(Rectangle(pos=self.p(fx, fy), size=(fw * self.side, fh * self.side)))

    def triangle(self, *points: tuple[float, float]) -> None:
        self.group.add(Triangle(points=[c for fx, fy in points for c in self.p(fx, fy)]))

    def quad(self, *points: tuple[float, float]) -> None:
        self.group.add(Quad(points=[c for fx, fy in points for c in self.p(fx, fy)]))


def _figure(pen: _Pen, fx: float, dress: bool) -> None:
    """A standing person centred at `fx`: a head and a body (a dress for a woman)."""
    pen.disc(fx, 0.8, 0.075)
    if dress:
        pen.triangle((fx - 0.13, 0.3), (fx + 0.13, 0.3), (fx, 0.68))
        pen.line((fx - 0.05, 0.3), (fx - 0.05, 0.12), width=1.1)
        pen.line((fx + 0.05, 0.3), (fx + 0.05, 0.12), width=1.1)
    else:
        pen.box(fx - 0.09, 0.38, 0.18, 0.3)
        pen.line((fx - 0.05, 0.4), (fx - 0.05, 0.12), width=1.1)
        pen.line((fx + 0.05, 0.4), (fx + 0.05, 0.12), width=1.1)


def _wheelchair(pen: _Pen, dx: float = 0.0, scale: float = 1.0) -> None:
    def at(fx: float, fy: float) -> tuple[float, float]:
        return dx + 0.5 + (fx - 0.5) * scale, 0.5 + (fy - 0.5) * scale

    pen.disc(*at(0.46, 0.82), 0.075 * scale)
    pen.line(at(0.44, 0.68), at(0.44, 0.45), at(0.68, 0.45), at(0.76, 0.2), width=1.2)
    cx, cy = at(0.44, 0.32)
    pen.ring(cx, cy, 0.2 * scale, 180, 450)
    pen.line(at(0.44, 0.6), at(0.64, 0.6))


def _restroom(pen: _Pen) -> None:
    _figure(pen, 0.3, dress=False)
    pen.line((0.5, 0.1), (0.5, 0.9), width=0.6)
    _figure(pen, 0.7, dress=True)


def _accessible_restroom(pen: _Pen) -> None:
    _wheelchair(pen)


def _nursing_room(pen: _Pen) -> None:
    # a feeding bottle: teat, collar, body with measure marks
    pen.triangle((0.42, 0.72), (0.58, 0.72), (0.5, 0.9))
    pen.box(0.36, 0.64, 0.28, 0.08)
    pen.line((0.36, 0.12), (0.64, 0.12), (0.64, 0.6), (0.36, 0.6), close=True)
    pen.line((0.42, 0.4), (0.52, 0.4), width=0.7)
    pen.line((0.42, 0.26), (0.52, 0.26), width=0.7)


def _lift(pen: _Pen) -> None:
    pen.line((0.18, 0.1), (0.82, 0.1), (0.82, 0.9), (0.18, 0.9), close=True, width=0.9)
    pen.triangle((0.3, 0.56), (0.7, 0.56), (0.5, 0.8))
    pen.triangle((0.3, 0.44), (0.7, 0.44), (0.5, 0.2))


def _escalator(pen: _Pen) -> None:
    pen.line((0.1, 0.2), (0.32, 0.2), (0.7, 0.7), (0.9, 0.7), width=1.5)
    pen.disc(0.5, 0.82, 0.07)
    pen.line((0.5, 0.72), (0.46, 0.5), width=1.1)


def _stairs(pen: _Pen) -> None:
    pen.line((0.1, 0.15), (0.3, 0.15), (0.3, 0.35), (0.5, 0.35), (0.5, 0.55), (0.7, 0.55), (0.7, 0.75),
             (0.9, 0.75), width=1.3)


def _ramp(pen: _Pen) -> None:
    pen.triangle((0.1, 0.2), (0.9, 0.2), (0.9, 0.6))
    pen.line((0.2, 0.66), (0.56, 0.82), width=1.1)
    pen.triangle((0.56, 0.9), (0.64, 0.78), (0.5, 0.74))


def _exit(pen: _Pen) -> None:
    # a door frame, a person running out of it, an arrow the way out
    pen.line((0.56, 0.1), (0.56, 0.9), (0.9, 0.9), (0.9, 0.1), width=0.9)
    pen.disc(0.34, 0.8, 0.07)
    pen.line((0.32, 0.68), (0.26, 0.42), width=1.3)
    pen.line((0.26, 0.42), (0.38, 0.28), (0.4, 0.1), width=1.1)
    pen.line((0.26, 0.42), (0.14, 0.28), (0.08, 0.3), width=1.1)
    pen.line((0.3, 0.62), (0.44, 0.54), (0.5, 0.6), width=1.0)
    pen.line((0.3, 0.62), (0.16, 0.56), width=1.0)
    pen.line((0.62, 0.5), (0.84, 0.5), width=1.1)
    pen.triangle((0.8, 0.6), (0.8, 0.4), (0.88, 0.5))


def _atm(pen: _Pen) -> None:
    # a banknote
    pen.line((0.1, 0.28), (0.9, 0.28), (0.9, 0.72), (0.1, 0.72), close=True)
    pen.ring(0.5, 0.5, 0.12)
    pen.disc(0.22, 0.5, 0.035)
    pen.disc(0.78, 0.5, 0.035)


def _service_desk(pen: _Pen) -> None:
    # a person behind a counter
    pen.disc(0.5, 0.76, 0.1)
    pen.quad((0.3, 0.42), (0.7, 0.42), (0.64, 0.62), (0.36, 0.62))
    pen.box(0.1, 0.12, 0.8, 0.26)


def _parking_pay(pen: _Pen) -> None:
    # a "P" beside a coin
    pen.line((0.18, 0.12), (0.18, 0.86), (0.42, 0.86), width=1.3)
    pen.ring(0.42, 0.68, 0.18, 0, 180, width=1.3)
    pen.line((0.18, 0.5), (0.42, 0.5), width=1.3)
    pen.ring(0.74, 0.28, 0.15, width=0.9)


def _information(pen: _Pen) -> None:
    pen.disc(0.5, 0.8, 0.08)
    pen.box(0.42, 0.14, 0.16, 0.5)
    pen.box(0.34, 0.14, 0.32, 0.07)


def _first_aid(pen: _Pen) -> None:
    pen.box(0.38, 0.14, 0.24, 0.72)
    pen.box(0.14, 0.38, 0.72, 0.24)


def _charging(pen: _Pen) -> None:
    pen.triangle((0.56, 0.92), (0.24, 0.46), (0.52, 0.46))
    pen.triangle((0.44, 0.08), (0.76, 0.54), (0.48, 0.54))


def _wheelchair_lending(pen: _Pen) -> None:
    _wheelchair(pen, dx=0.0, scale=0.9)


def _stroller_lending(pen: _Pen) -> None:
    # a pram: hood, basket, handle, two wheels
    pen.quad((0.2, 0.5), (0.7, 0.5), (0.66, 0.36), (0.26, 0.36))
    pen.ring(0.42, 0.5, 0.26, 270, 360, width=1.2)
    pen.line((0.7, 0.5), (0.84, 0.78), width=1.1)
    pen.ring(0.3, 0.2, 0.08)
    pen.ring(0.62, 0.2, 0.08)


PICTOGRAMS: dict[str, Callable[[_Pen], None]] = {
    "restroom": _restroom,
    "accessible_restroom": _accessible_restroom,
    "nursing_room": _nursing_room,
    "lift": _lift,
    "escalator": _escalator,
    "stairs": _stairs,
    "ramp": _ramp,
    "exit": _exit,
    "atm": _atm,
    "service_desk": _service_desk,
    "parking_pay": _parking_pay,
    "information": _information,
    "first_aid": _first_aid,
    "charging": _charging,
    "wheelchair_lending": _wheelchair_lending,
    "stroller_lending": _stroller_lending,
}
"""Every facility kind of the content (sync.protocol.FacilityKind) has its pictogram."""


def draw_symbol(group: InstructionGroup, kind: str, cx: float, cy: float, side: float) -> None:
    """A facility's tile, `side` pixels square, centred at (cx, cy); an unknown kind gets the
    information sign rather than nothing."""
    x0, y0 = cx - side / 2, cy - side / 2
    group.add(Color(1, 1, 1, 1))
    group.add(RoundedRectangle(pos=(x0 - 1.5, y0 - 1.5), size=(side + 3, side + 3), radius=[side * 0.22]))
    group.add(Color(*FAMILY_COLOUR.get(kind, SERVICE_BLUE)))
    group.add(RoundedRectangle(pos=(x0, y0), size=(side, side), radius=[side * 0.2]))
    group.add(Color(*WHITE))
    inset = side * 0.14
    PICTOGRAMS.get(kind, _information)(_Pen(group, x0 + inset, y0 + inset, side - 2 * inset))


def heading_cone(group: InstructionGroup, cx: float, cy: float, radius: float, colour: tuple) -> None:
    """The kiosk's facing on a heading-up plan: a soft wedge pointing up from "you are here"."""
    group.add(Color(colour[0], colour[1], colour[2], 0.28))
    reach = radius * 3.2
    spread = math.radians(32)
    steps = 8
    for index in range(steps):
        a = math.pi / 2 - spread + 2 * spread * index / steps
        b = math.pi / 2 - spread + 2 * spread * (index + 1) / steps
        group.add(Triangle(points=[cx, cy, cx + reach * math.cos(a), cy + reach * math.sin(a),
                                   cx + reach * math.cos(b), cy + reach * math.sin(b)]))
