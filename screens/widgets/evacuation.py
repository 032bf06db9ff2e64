"""What an evacuation draws besides words: the arrow, the exit sign and a small plan of the way.

All three are vector drawings in the safety green of exit signs (ISO 3864), so they stay sharp
on any panel and no artwork is shipped. The arrow and the plan are turned to the kiosk's
facing: "up" on the screen is where the visitor looks when reading it, as on the kiosk's map.
"""
from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Ellipse, Line, Mesh, PopMatrix, PushMatrix, Rectangle, Rotate, RoundedRectangle
from kivy.graphics.tesselator import TYPE_POLYGONS, WINDING_ODD, Tesselator
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from screens import theme
from venue.plan_geometry import fit, focus_corners, rotate

SAFETY_GREEN = theme.rgba("#00844A")
"""The green of ISO 7010 exit signs (white on it: 4.9:1, and read from afar by its shape)."""
SAFETY_WHITE = theme.rgba("#FFFFFF")
DIRECTION_ANGLES = {"ahead": 0.0, "right": 90.0, "behind": 180.0, "left": 270.0}
"""The route's first direction (relative to the kiosk's facing) as the arrow's clockwise turn."""
PLAN_SHAPE_COLOURS = {
    "outline": theme.rgba("#FFFFFF", 0.92),
    "corridor": theme.rgba("#FFFFFF", 0.92),
    "atrium": theme.rgba("#DCEBF5"),
    "unit": theme.rgba("#C9D1DA"),
    "facility": theme.rgba("#C9D1DA"),
    "landmark": theme.rgba("#E8DCC2"),
    "void": theme.rgba("#9AA4AF"),
}


def fill_polygon(points: list[float]) -> None:
    """Fill one polygon given as flat coordinates (concave shapes too) on the open canvas."""
    tesselator = Tesselator()
    tesselator.add_contour(points)
    if tesselator.tesselate(WINDING_ODD, TYPE_POLYGONS):
        for vertices, indices in tesselator.meshes:
            Mesh(vertices=vertices, indices=indices, mode="triangle_fan")


class WayArrow(Widget):
    """A white arrow on a green square, turned `angle` degrees clockwise from "straight ahead"."""

    angle = NumericProperty(0.0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, angle=self._draw)

    def _draw(self, *args) -> None:
        side = min(self.width, self.height)
        x, y = self.center_x - side / 2, self.center_y - side / 2
        self.canvas.clear()
        with self.canvas:
            Color(*SAFETY_GREEN)
            RoundedRectangle(pos=(x, y), size=(side, side), radius=[side * 0.08])
            Color(*SAFETY_WHITE)
            PushMatrix()
            Rotate(angle=-self.angle, origin=self.center)
            cx, cy, s = self.center_x, self.center_y, side
            head = [cx, cy + 0.36 * s, cx + 0.3 * s, cy + 0.04 * s, cx + 0.11 * s, cy + 0.04 * s,
                    cx + 0.11 * s, cy - 0.36 * s, cx - 0.11 * s, cy - 0.36 * s, cx - 0.11 * s, cy + 0.04 * s,
                    cx - 0.3 * s, cy + 0.04 * s]
            fill_polygon(head)
            PopMatrix()


class ExitSign(Widget):
    """The emergency exit sign (after ISO 7010 E001/E002): a running figure and a doorway,
    white on green; `mirrored` makes the figure run to the left, towards a door on the left."""

    mirrored = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, mirrored=self._draw)

    def _draw(self, *args) -> None:
        height = min(self.height, self.width / 1.6)
        width = height * 1.6
        x0, y0 = self.center_x - width / 2, self.center_y - height / 2
        flip = -1 if self.mirrored else 1

        def at(u: float, v: float) -> tuple[float, float]:
            """A point of the sign in units of its height (u from its middle, v from its foot)."""
            return self.center_x + flip * u * height, y0 + v * height

        def stroke(*points: tuple[float, float], thickness: float = 0.075) -> None:
            flat = [c for u, v in points for c in at(u, v)]
            Line(points=flat, width=thickness * height / 2, cap="round", joint="round")

        self.canvas.clear()
        with self.canvas:
            Color(*SAFETY_GREEN)
            RoundedRectangle(pos=(x0, y0), size=(width, height), radius=[height * 0.06])
            Color(*SAFETY_WHITE)
            # The doorway: a white frame, open towards the runner, with a green floor line.
            door_left, door_bottom = at(0.3, 0.12)
            door_right, door_top = at(0.68, 0.88)
            Rectangle(pos=(min(door_left, door_right), door_bottom),
                      size=(abs(door_right - door_left), door_top - door_bottom))
            Color(*SAFETY_GREEN)
            inner_left, inner_bottom = at(0.36, 0.12)
            inner_right, inner_top = at(0.62, 0.82)
            Rectangle(pos=(min(inner_left, inner_right), inner_bottom),
                      size=(abs(inner_right - inner_left), inner_top - inner_bottom))
            Color(*SAFETY_WHITE)
            head_x, head_y = at(-0.08, 0.76)
            radius = 0.075 * height
            Ellipse(pos=(head_x - radius, head_y - radius), size=(2 * radius, 2 * radius))
            stroke((-0.14, 0.62), (-0.3, 0.34), thickness=0.11)  # the body, leaning into the run
            stroke((-0.15, 0.6), (0.0, 0.5), (0.12, 0.58))  # the front arm
            stroke((-0.17, 0.58), (-0.3, 0.5), (-0.42, 0.56))  # the back arm
            stroke((-0.3, 0.34), (-0.12, 0.24), (-0.08, 0.12))  # the front leg
            stroke((-0.3, 0.34), (-0.4, 0.2), (-0.56, 0.2))  # the back leg


PLAN_MIN_SPAN_M = 30.0
"""The plan shows at least this much of the floor around the way, so the visitor sees where
the walk goes among the shops, not a line on its own."""


class EvacuationPlan(StencilView):
    """The part of the kiosk's floor the way to the exit crosses: turned so the kiosk's facing
    is up, the route in green, the kiosk as a red dot, the end of the walk on this floor as a
    green ring (the exit) or with the floor the stairs lead to (`onward`)."""

    shapes = ListProperty([])
    """The level's PlanShapes."""
    route = ListProperty([])
    """The walk on this level, in metres (x, y up)."""
    heading = NumericProperty(0.0)
    onward = StringProperty("")
    """"2F" when the walk on this floor ends at stairs or an escalator: tagged at its end."""
    font_name = StringProperty("Roboto")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, shapes=self._draw, route=self._draw, heading=self._draw,
                  onward=self._draw)

    def turned(self, point: tuple[float, float]) -> tuple[float, float]:
        return rotate(point[0], point[1], self.heading)

    def _draw(self, *args) -> None:
        self.canvas.clear()
        if not self.route or self.width < 10 or self.height < 10:
            return
        view = [self.turned(p) for p in focus_corners(self.route, PLAN_MIN_SPAN_M)]
        scale, origin = fit(view, (self.x, self.y, self.width, self.height))

        def screen(point: tuple[float, float]) -> tuple[float, float]:
            tx, ty = self.turned(point)
            return origin[0] + tx * scale, origin[1] + ty * scale

        with self.canvas:
            Color(1, 1, 1, 0.14)
            RoundedRectangle(pos=self.pos, size=self.size, radius=[min(self.size) * 0.04])
            for kind in ("outline", "corridor", "atrium", "void", "unit", "facility", "landmark"):
                Color(*PLAN_SHAPE_COLOURS[kind])
                for shape in self.shapes:
                    if shape.kind == kind and len(shape.polygon) >= 3:
                        fill_polygon([c for p in shape.polygon for c in screen(p)])
            line = [c for p in self.route for c in screen(p)]
            width = max(3.0, min(self.size) * 0.016)
            Color(*SAFETY_WHITE)
            Line(points=line, width=width * 1.6, cap="round", joint="round")
            Color(*SAFETY_GREEN)
            Line(points=line, width=width, cap="round", joint="round")
            end_x, end_y = screen(self.route[-1])
            Color(*SAFETY_GREEN)
            Ellipse(pos=(end_x - width * 2.2, end_y - width * 2.2), size=(width * 4.4, width * 4.4))
            Color(*SAFETY_WHITE)
            Line(circle=(end_x, end_y, width * 2.2), width=max(1.5, width * 0.4))
            start_x, start_y = screen(self.route[0])
            if self.onward:
                self._draw_onward(end_x, end_y, max(12.0, min(self.size) * 0.07), leftwards=start_x > end_x)
            dot = width * 1.8
            Color(*theme.MAP_YOU_ARE_HERE)
            Ellipse(pos=(start_x - dot, start_y - dot), size=(dot * 2, dot * 2))
            Color(*SAFETY_WHITE)
            Line(circle=(start_x, start_y, dot), width=max(1.5, width * 0.4))
            # The kiosk's facing: a short tick pointing up, as the arrow's "ahead".
            Line(points=[start_x, start_y, start_x, start_y + dot * 0.9], width=max(1.5, width * 0.4))

    def _draw_onward(self, x: float, y: float, size: float, leftwards: bool) -> None:
        """The floor the stairs lead to, on a green tag beside the end of this floor's walk, on
        the side away from the kiosk's dot."""
        label = CoreLabel(text=self.onward, font_size=size, font_name=self.font_name, bold=True)
        label.refresh()
        texture = label.texture
        pad = size * 0.3
        width, height = texture.width + 2 * pad, texture.height + pad
        left = x - size * 0.8 - width if leftwards else x + size * 0.8
        left = min(max(self.x, left), self.right - width)
        bottom = min(max(self.y, y - height / 2), self.top - height)
        Color(*SAFETY_GREEN)
        RoundedRectangle(pos=(left, bottom), size=(width, height), radius=[height * 0.25])
        Color(*SAFETY_WHITE)
        Rectangle(texture=texture, pos=(left + pad, bottom + pad / 2), size=texture.size)


def arrow_angle(direction: str) -> float:
    """The arrow's clockwise turn for a route's first direction ("" draws it straight ahead)."""
    return DIRECTION_ANGLES.get(direction, 0.0) % 360


def distance_text(metres: float) -> str:
    """Rounded as the route's words round it ("Walk 29 m")."""
    return f"{max(1, round(metres))} m"
