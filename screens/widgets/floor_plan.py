"""A floor plan drawn from `Level.plan` with Kivy's canvas, turned so the visitor's facing
direction is up (the kiosk point's `heading_deg`), with "you are here", highlights and a route.

On the mall map the plan is `interactive`: one finger pans, two fingers pinch-zoom (a mouse
wheel zooms too), and a tap that did not move selects the shape under it. The route is drawn
in its own instruction group, so its drawing animation redraws only the route, not the plan.

Polygons may be concave (an L-shaped shop), so they are tessellated, not fanned: once per level
and heading, in level metres, drawn under a translate-and-scale transform, so a pan or a pinch
redraws only the labels. Labels are drawn only where they fit inside their shape's bounds: a
plan full of overlapping names is worse than one that names what it can; the highlighted store
is always named (inside it, or beside it when it does not fit).

The maths (turning, fitting, zooming, hit-testing, where labels and name tags go) is
`venue.plan_geometry`, tested without a window; this widget draws and handles touch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.graphics import (
    Color,
    Ellipse,
    InstructionGroup,
    Line,
    Mesh,
    PopMatrix,
    PushMatrix,
    Rectangle,
    RoundedRectangle,
    Scale,
    Translate,
)
from kivy.graphics.tesselator import TYPE_POLYGONS, WINDING_ODD, Tesselator
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.stencilview import StencilView

from screens import theme
from sync.protocol import Level, PlanShape
from venue.plan_geometry import (
    LABEL_FILL,
    balanced_lines,
    box_inside,
    caption_position,
    clamp_pan,
    cut_polyline,
    fit,
    focus_corners,
    is_cjk,
    label_fits,
    pan_for_zoom,
    point_in_polygon,
    polygon_centroid,
    rotate,
    wrap_width,
    zoomed,
)

FILL_BY_KIND = {
    "outline": theme.MAP_OUTLINE,
    "corridor": theme.MAP_CORRIDOR,
    "atrium": theme.MAP_ATRIUM,
    "void": theme.MAP_VOID,
    "unit": theme.MAP_UNIT,
    "facility": theme.MAP_FACILITY,
    "landmark": theme.MAP_LANDMARK,
}
ROUTE_COLOUR = (0.043, 0.361, 0.478, 1)
"""The route line: the kiosk's primary blue (#0B5C7A), 7.4:1 against white corridors."""
ROUTE_OTHER_COLOUR = (0.043, 0.361, 0.478, 0.38)
"""Parts of the route on this floor that belong to another step."""
MIN_ZOOM, MAX_ZOOM = 1.0, 6.0
TAP_SLOP_PX = 24
"""A touch that moved less than this is a tap, not a pan."""
DRAW_ORDER = ("outline", "corridor", "atrium", "void", "landmark", "facility", "unit")
LABELLED_KINDS = ("unit", "facility", "landmark", "atrium")


@dataclass(frozen=True)
class MapMarker:
    """A point to mark on the plan (level-local metres), with an optional caption."""

    x: float
    y: float
    caption: str = ""
    colour: tuple = theme.MAP_YOU_ARE_HERE


class FloorPlan(StencilView):
    """Draws one level. Set `level`, and optionally `here`, `highlight_refs`, `markers`, and
    `focus` to zoom in on some points (drawing is clipped to the widget: a StencilView)."""

    level = ObjectProperty(None, allownone=True)
    language = StringProperty("zh_CN")
    font_name = StringProperty("Roboto")
    heading_deg = NumericProperty(0.0)
    here = ObjectProperty(None, allownone=True)
    """A MapMarker for "you are here" (drawn only on the kiosk's level)."""
    here_level_id = StringProperty("")
    highlight_refs = ListProperty([])
    markers = ListProperty([])
    label_scale = NumericProperty(1.0)
    focus = ListProperty([])
    """Level points (x, y) to zoom in on; empty shows the whole plan."""
    focus_min_span_m = NumericProperty(70.0)
    """When zoomed in, at least this many metres stay in view each way."""
    top_reserve = NumericProperty(0)
    """Pixels kept free at the top for overlays (the floor's name, the legend)."""
    bottom_reserve = NumericProperty(0)
    """Pixels kept free at the bottom (for the tapped store's card)."""
    right_reserve = NumericProperty(0)
    """Pixels kept free on the right (for the floor switcher over the mall map)."""
    label_overrides = DictProperty({})
    """Shape ref → text drawn instead of the shape's own label (short facility names)."""
    interactive = BooleanProperty(False)
    """Pan and pinch-zoom by touch (the mall map); small plans on other screens stay still."""
    zoom = NumericProperty(1.0)
    """1 shows the whole plan; up to MAX_ZOOM, around the widget's centre plus `pan`."""
    pan = ListProperty([0.0, 0.0])
    route_legs = ListProperty([])
    """Point lists (level metres) of the route's walks on this level."""
    route_active = NumericProperty(-1)
    """Index in route_legs of the walk being read (drawn strong; the others faint); -1: all."""
    route_progress = NumericProperty(1.0)
    """How much of the active walk is drawn, 0 to 1 (the drawing animation)."""

    __events__ = ("on_shape_tapped",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._label_cache: dict[tuple, object] = {}
        self._scale = 1.0
        self._origin = (0.0, 0.0)
        # Screens set several properties in a row: redraw once, on the next frame.
        self._redraw_soon = Clock.create_trigger(self.redraw, -1)
        self.bind(
            pos=self._redraw_soon, size=self._redraw_soon, level=self._redraw_soon,
            language=self._redraw_soon, font_name=self._redraw_soon, heading_deg=self._redraw_soon,
            here=self._redraw_soon, here_level_id=self._redraw_soon, highlight_refs=self._redraw_soon,
            markers=self._redraw_soon, label_scale=self._redraw_soon, label_overrides=self._redraw_soon,
            top_reserve=self._redraw_soon, bottom_reserve=self._redraw_soon, right_reserve=self._redraw_soon,
            focus=self._redraw_soon,
            focus_min_span_m=self._redraw_soon,
        )
        self.bind(zoom=self._redraw_soon, pan=self._redraw_soon, route_legs=self._redraw_soon,
                  route_active=self._redraw_soon, route_progress=self._draw_route_soon)
        self._caption_boxes: list[tuple[float, float, float, float]] = []
        self._label_boxes: list[tuple[float, float, float, float]] = []
        self._route_group = InstructionGroup()
        self._touches: dict[object, tuple[float, float]] = {}
        self._travel = 0.0
        self._meshes: list = []
        self._meshes_key: tuple | None = None
        self._word_widths: dict[tuple, float] = {}
        self._fit_scale = 1.0
        self._group = InstructionGroup()
        self._group_key: tuple | None = None

    def _draw_route_soon(self, *args) -> None:
        self.draw_route_progress()

    def reset_view(self) -> None:
        """Back to the whole plan (a new route, another floor)."""
        self.zoom = 1.0
        self.pan = [0.0, 0.0]

    # ---------------------------------------------------------------- geometry
    def _rotate(self, x: float, y: float) -> tuple[float, float]:
        """Turn the map counter-clockwise by the heading: the facing direction points up."""
        return rotate(x, y, self.heading_deg)

    def _fit(self) -> None:
        """Scale and place the drawn shapes (not the level's whole rectangle) to fill the widget."""
        level: Level = self.level
        if self.focus:
            corners = [self._rotate(x, y) for x, y in focus_corners(self.focus, self.focus_min_span_m)]
        else:
            # the drawn shapes' corners, already turned (the tessellated outlines)
            corners = [(x, y) for *_shape, outline, _span, _centre in self._shape_meshes()
                       for x, y in zip(outline[0::2], outline[1::2], strict=False)]
        if not corners:
            corners = [self._rotate(x, y) for x, y in
                       ((0, 0), (level.width_m, 0), (level.width_m, level.height_m), (0, level.height_m))]
        self._scale, self._origin = fit(corners, (self.x, self.y, self.width, self.height),
                                        self.top_reserve, self.bottom_reserve, self.right_reserve)
        self._fit_scale = self._scale
        if self.zoom != 1.0 or self.pan[0] or self.pan[1]:
            self._scale, self._origin = zoomed(self._scale, self._origin, self.center, self.zoom, self.pan)

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        rx, ry = self._rotate(x, y)
        return (self._origin[0] + rx * self._scale, self._origin[1] + ry * self._scale)

    def to_level(self, sx: float, sy: float) -> tuple[float, float]:
        rx = (sx - self._origin[0]) / self._scale
        ry = (sy - self._origin[1]) / self._scale
        return rotate(rx, ry, -self.heading_deg)

    # ---------------------------------------------------------------- drawing
    def redraw(self, *args) -> None:
        self.canvas.clear()
        if self.level is None or self.width < 10 or self.height < 10:
            return
        self._fit()
        with self.canvas:
            Color(*theme.MAP_BACKGROUND)
            RoundedRectangle(pos=self.pos, size=self.size, radius=[min(self.width, self.height) * 0.02])
        highlighted = set(self.highlight_refs)
        self._caption_boxes = []
        self._label_boxes = []
        self._callouts: list[tuple[float, float, str]] = []
        self._draw_shapes(highlighted)
        for shape, _meshes, _outline, span, centre in self._shape_meshes():
            if shape.kind in LABELLED_KINDS and (shape.label is not None or shape.ref in self.label_overrides):
                self._draw_label(shape, span, centre, bool(shape.ref) and shape.ref in highlighted)
        if self.here is not None and self.here_level_id == self.level.id and not self.route_legs:
            self._draw_marker(self.here)
        self.canvas.add(self._route_group)
        self.draw_route_progress()
        named = {marker.caption for marker in self.markers}
        for cx, cy, text in self._callouts:
            if text not in named:  # the route's end marker already says it, beside the shape
                self._draw_caption(cx, cy, 6.0, text, theme.MAP_HIGHLIGHT)
        for marker in self.markers:
            self._draw_marker(marker)

    def draw_route_progress(self) -> None:
        """(Re)draw only the route layer: the walks on this level, the active one up to
        `route_progress`, each with a white casing so it reads over any fill."""
        group = self._route_group
        group.clear()
        if not self.route_legs or self.level is None:
            return
        width = max(3.0, 7 * self.label_scale)
        for number, points in enumerate(self.route_legs):
            active = self.route_active < 0 or number == self.route_active
            flat = self._screen_polyline(points, self.route_progress if active else 1.0)
            if len(flat) < 4:
                continue
            if active:
                group.add(Color(1, 1, 1, 1))
                group.add(Line(points=flat, width=width + 4, joint="round", cap="round"))
            group.add(Color(*(ROUTE_COLOUR if active else ROUTE_OTHER_COLOUR)))
            group.add(Line(points=flat, width=width, joint="round", cap="round"))
            # where the walk starts (off a lift or an escalator): a ring
            group.add(Ellipse(pos=(flat[0] - 2.2 * width, flat[1] - 2.2 * width), size=(4.4 * width, 4.4 * width)))
            group.add(Color(1, 1, 1, 1))
            group.add(Ellipse(pos=(flat[0] - 1.1 * width, flat[1] - 1.1 * width), size=(2.2 * width, 2.2 * width)))
        if self.here is not None and self.here_level_id == self.level.id:
            # "You are here" goes on top of the route that starts at it.
            sx, sy = self.to_screen(self.here.x, self.here.y)
            radius = max(10.0, 16 * self.label_scale)
            group.add(Color(1, 1, 1, 1))
            group.add(Ellipse(pos=(sx - radius - 5, sy - radius - 5), size=(2 * radius + 10, 2 * radius + 10)))
            group.add(Color(*self.here.colour))
            group.add(Ellipse(pos=(sx - radius, sy - radius), size=(2 * radius, 2 * radius)))

    def _screen_polyline(self, points, fraction: float) -> list[float]:
        """Screen points of a level polyline, cut after `fraction` of its length."""
        return cut_polyline([self.to_screen(x, y) for x, y in points], fraction)

    def _screen_polygon(self, polygon) -> list[float]:
        flat: list[float] = []
        for x, y in polygon:
            flat.extend(self.to_screen(x, y))
        return flat

    def _shape_meshes(self) -> list[tuple]:
        """Each shape of the level, in drawing order, tessellated in turned level metres:
        (shape, meshes, outline, box size, centroid). Made once per level and heading; zooming and panning only
        change the transform they are drawn with."""
        key = (self.level, self.heading_deg)
        if self._meshes_key is not None and self._meshes_key[0] is key[0] and self._meshes_key[1] == key[1]:
            return self._meshes
        meshes = []
        for shape in sorted(self.level.plan, key=lambda s: DRAW_ORDER.index(s.kind) if s.kind in DRAW_ORDER else 0):
            if len(shape.polygon) < 3:
                continue
            outline = [c for x, y in shape.polygon for c in self._rotate(x, y)]
            tesselator = Tesselator()
            tesselator.add_contour(outline)
            if not tesselator.tesselate(WINDING_ODD, TYPE_POLYGONS):
                continue
            xs, ys = outline[0::2], outline[1::2]
            centre = self._rotate(*polygon_centroid(shape.polygon))
            meshes.append((shape, tesselator.meshes, outline, (max(xs) - min(xs), max(ys) - min(ys)), centre))
        self._meshes, self._meshes_key = meshes, key
        return meshes

    def _shapes_group(self, highlighted: set[str]) -> InstructionGroup:
        """Every shape as one instruction group in turned level metres, kept while the level,
        the heading, the highlighted places and the fitted scale stay the same: panning and
        zooming only move it. Outlines are at least a pixel wide when the whole plan shows."""
        key = (self.heading_deg, frozenset(highlighted), round(self._fit_scale, 4))
        if self._group_key is not None and self._group_key[0] is self.level and self._group_key[1:] == key:
            return self._group
        hairline = 1.0 / max(self._fit_scale, 1e-6)
        group = InstructionGroup()
        for shape, meshes, outline, _span, _centre in self._shape_meshes():
            lit = bool(shape.ref) and shape.ref in highlighted
            group.add(Color(*(theme.MAP_HIGHLIGHT if lit else FILL_BY_KIND.get(shape.kind, theme.MAP_UNIT))))
            for vertices, indices in meshes:
                group.add(Mesh(vertices=vertices, indices=indices, mode="triangle_fan"))
            if shape.kind in ("unit", "facility", "outline"):
                group.add(Color(*(theme.MAP_HIGHLIGHT if lit else theme.MAP_UNIT_EDGE)))
                group.add(Line(points=outline, close=True, width=max(hairline, 0.25 if lit else 0.08)))
        self._group, self._group_key = group, (self.level, *key)
        return group

    def _draw_shapes(self, highlighted: set[str]) -> None:
        group = self._shapes_group(highlighted)
        with self.canvas:
            PushMatrix()
            Translate(self._origin[0], self._origin[1])
            Scale(self._scale, self._scale, 1)
        self.canvas.add(group)
        with self.canvas:
            PopMatrix()

    def _label_texture(self, text: str, font_size: float, bold: bool, colour: tuple, wrap_width: float | None = None):
        key = (text, round(font_size), bold, colour, self.font_name, round(wrap_width) if wrap_width else None)
        texture = self._label_cache.get(key)
        if texture is None:
            label = CoreLabel(text=text, font_size=font_size, font_name=self.font_name, bold=bold, color=colour,
                              text_size=(wrap_width, None) if wrap_width else (None, None), halign="center")
            label.refresh()
            texture = label.texture
            if len(self._label_cache) > 600:
                self._label_cache.clear()
            self._label_cache[key] = texture
        return texture

    def _longest_word(self, text: str, font_size: float, bold: bool) -> float:
        """Width of the widest run of non-CJK letters (which must not be broken)."""
        key = (text, round(font_size), bold, self.font_name)
        width = self._word_widths.get(key)
        if width is None:
            words = [word for word in text.split() if not any(is_cjk(ch) for ch in word)]
            measure = CoreLabel(font_size=font_size, font_name=self.font_name, bold=bold)
            width = max((measure.get_extents(word)[0] for word in words), default=0.0)
            if len(self._word_widths) > 2000:
                self._word_widths.clear()
            self._word_widths[key] = width
        return width

    def _balanced_label(self, text: str, font_size: float, bold: bool, colour: tuple, width: float,
                        height: float):
        """`text` in the fewest lines of equal length that fit the box, or None."""
        for count in range(2, 5):
            lines = balanced_lines(text, count)
            if lines is None:
                return None
            texture = self._label_texture("\n".join(lines), font_size, bold, colour)
            if texture.height > height * LABEL_FILL[1]:
                return None
            if texture.width <= width * LABEL_FILL[0]:
                return texture
        return None

    def _draw_label(self, shape: PlanShape, span: tuple[float, float], centre: tuple[float, float],
                    highlighted: bool) -> None:
        """`span` and `centre`: the shape's box size and centroid in turned level metres."""
        text = self.label_overrides.get(shape.ref) if shape.ref else None
        if text is None:
            text = shape.label.get(self.language) if shape.label is not None else ""
        text = text.strip()
        if not text:
            return
        scale = self._scale
        width, height = span[0] * scale, span[1] * scale
        cx, cy = self._origin[0] + centre[0] * scale, self._origin[1] + centre[1] * scale
        colour = theme.ON_DARK if highlighted else theme.INK
        base = 24 * self.label_scale
        for font_size in (base, base * 0.82, base * 0.68):
            texture = self._label_texture(text, font_size, highlighted, colour)
            if label_fits(texture.size, (width, height)):
                break
            if " " not in text and any(is_cjk(ch) for ch in text):
                # Chinese breaks anywhere: into lines of equal length ("疾风/运动", not "疾风运/动").
                texture = self._balanced_label(text, font_size, highlighted, colour, width, height)
                if texture is not None:
                    break
                continue
            # Too wide on one line: wrapped into the shape's width, between words.
            wrap = wrap_width(width, self._longest_word(text, font_size, highlighted), font_size)
            if wrap is None:
                continue
            texture = self._label_texture(text, font_size, highlighted, colour, wrap_width=wrap)
            if label_fits(texture.size, (width, height)):
                break
        else:
            if highlighted:
                # The name does not fit inside: it is written beside the shape, as a callout.
                self._callouts.append((cx, cy, text))
            return
        left, bottom = cx - texture.width / 2, cy - texture.height / 2
        if not box_inside((left, bottom, texture.width, texture.height), (self.x, self.y, self.width, self.height)):
            return  # zoomed in: a name cut by the edge of the view helps nobody
        if highlighted:
            # Marker captions drawn later keep clear of the highlighted name.
            self._caption_boxes.append((cx - texture.width / 2 - 10, cy - texture.height / 2 - 6,
                                        texture.width + 20, texture.height + 12))
        else:
            self._label_boxes.append((left, bottom, texture.width, texture.height))
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=texture, pos=(int(cx - texture.width / 2), int(cy - texture.height / 2)),
                      size=texture.size)

    def _draw_marker(self, marker: MapMarker) -> None:
        sx, sy = self.to_screen(marker.x, marker.y)
        radius = max(10.0, 16 * self.label_scale)
        with self.canvas:
            Color(1, 1, 1, 1)
            Ellipse(pos=(sx - radius - 5, sy - radius - 5), size=(2 * radius + 10, 2 * radius + 10))
            Color(*marker.colour)
            Ellipse(pos=(sx - radius, sy - radius), size=(2 * radius, 2 * radius))
        self._caption_boxes.append((sx - radius - 5, sy - radius - 5, 2 * radius + 10, 2 * radius + 10))
        if marker.caption:
            self._draw_caption(sx, sy, radius, marker.caption, marker.colour)

    def _draw_caption(self, sx: float, sy: float, radius: float, caption: str, colour: tuple) -> None:
        """A rounded name tag beside a point, placed where it covers no other tag."""
        texture = self._label_texture(caption, 24 * self.label_scale, True, theme.ON_DARK)
        box_w = texture.width + 24
        box_h = texture.height + 12
        box_x, box_y = self._caption_position(sx, sy, radius, box_w, box_h)
        self._caption_boxes.append((box_x, box_y, box_w, box_h))
        with self.canvas:
            Color(*colour)
            RoundedRectangle(pos=(box_x, box_y), size=(box_w, box_h), radius=[box_h / 2])
            Color(1, 1, 1, 1)
            Rectangle(texture=texture, pos=(int(box_x + 12), int(box_y + 6)), size=texture.size)

    def _caption_position(self, sx: float, sy: float, radius: float, box_w: float, box_h: float):
        """Beside the marker, inside the widget, clear of the other tags and hiding the least of
        the units' names drawn so far."""
        return caption_position((sx, sy), radius, (box_w, box_h), (self.x, self.y, self.width, self.height),
                                self._caption_boxes, self._label_boxes)

    # ---------------------------------------------------------------- touch
    def shape_at(self, sx: float, sy: float) -> PlanShape | None:
        """The store or facility shape under a screen point (topmost first)."""
        if self.level is None:
            return None
        x, y = self.to_level(sx, sy)
        for shape in reversed(self.level.plan):
            if shape.ref and shape.kind in ("unit", "facility") and point_in_polygon(x, y, shape.polygon):
                return shape
        return None

    def on_touch_down(self, touch):
        if not self.interactive or not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        if getattr(touch, "is_mouse_scrolling", False):
            factor = 1.2 if touch.button in ("scrolldown", "scrollleft") else 1 / 1.2
            self._zoom_about(touch.pos, self.zoom * factor)
            return True
        touch.grab(self)
        self._touches[touch.uid] = touch.pos
        if len(self._touches) == 1:
            self._travel = 0.0
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self or touch.uid not in self._touches:
            return super().on_touch_move(touch)
        previous = self._touches[touch.uid]
        self._touches[touch.uid] = touch.pos
        self._travel += math.dist(previous, touch.pos)
        if len(self._touches) == 1:
            self.pan = self._clamped_pan(self.pan[0] + touch.x - previous[0], self.pan[1] + touch.y - previous[1])
        elif len(self._touches) == 2:
            other = next(pos for uid, pos in self._touches.items() if uid != touch.uid)
            before = math.dist(previous, other)
            after = math.dist(touch.pos, other)
            if before > 1:
                middle = ((touch.x + other[0]) / 2, (touch.y + other[1]) / 2)
                self._zoom_about(middle, self.zoom * after / before)
        return True

    def on_touch_up(self, touch):
        if self.interactive:
            if touch.grab_current is not self:
                return touch.uid in self._touches or super().on_touch_up(touch)
            touch.ungrab(self)
            single = len(self._touches) == 1
            self._touches.pop(touch.uid, None)
            if single and self._travel < TAP_SLOP_PX:
                self._tapped(touch.pos)
            return True
        if self.collide_point(*touch.pos) and touch.grab_current is None and self._tapped(touch.pos):
            return True
        return super().on_touch_up(touch)

    def _tapped(self, pos) -> bool:
        shape = self.shape_at(*pos)
        if shape is None:
            return False
        self.dispatch("on_shape_tapped", shape)
        return True

    def _zoom_about(self, pos, zoom: float) -> None:
        """Zoom so the level point under `pos` stays under it."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if zoom == self.zoom:
            return
        pan = pan_for_zoom(pos, self.center, self.zoom, zoom, self.pan)
        self.zoom = zoom
        self.pan = self._clamped_pan(*pan)

    def _clamped_pan(self, x: float, y: float) -> list[float]:
        """Keep part of the plan in view: never pan further than the zoomed plan reaches."""
        return list(clamp_pan(x, y, self.width, self.height, self.zoom))

    def on_shape_tapped(self, shape: PlanShape) -> None:
        pass
