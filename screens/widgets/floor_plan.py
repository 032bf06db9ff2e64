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
from screens.widgets.plan_symbols import draw_symbol, heading_cone
from sync.protocol import Level, PlanShape
from venue.plan_geometry import (
    caption_position,
    clamp_pan,
    cut_polyline,
    fit,
    focus_corners,
    pan_for_zoom,
    point_in_polygon,
    polygon_centroid,
    rotate,
    route_arrows,
    zoomed,
)
from venue.plan_labels import (
    LABELLED_KINDS,
    LabelRequest,
    PlacedLabel,
    box_within,
    boxes_overlap,
    leader_end,
    place_labels,
    shape_pole,
)
from venue.typesetting import has_cjk

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
LABEL_SIZES = (24, 21, 18, 16)
"""Font sizes a name may take on the plan (design pixels, largest first)."""
DENSE_LABEL_SIZES = (14,)
"""Taken only on a floor too dense to name otherwise (a wing of small rooms): the legibility
floor. 14 design pixels on a 32" 1080p panel (0.369 mm a pixel) is a 5.2 mm em, capitals
about 3.6 mm high: some 21 minutes of arc at 60 cm, above ISO 9241-303's 16' minimum."""
MIN_CJK_LABEL = 18
"""Chinese names no smaller than this (design pixels): readable at arm's length."""
SYMBOL_SIDE = 34
"""A facility symbol's side in design pixels."""
ARROW_SPACING = 90
"""Screen pixels between two direction arrows along the route."""
PRIORITY_CHOSEN, PRIORITY_STORE, PRIORITY_PLACE = 3, 2, 1
PLACEMENTS_KEPT = 24
"""Label placements kept (floors × zooms × views): a return to one of them places nothing."""


@dataclass(frozen=True)
class MapMarker:
    """A point to mark on the plan (level-local metres), with an optional caption."""

    x: float
    y: float
    caption: str = ""
    colour: tuple = theme.MAP_YOU_ARE_HERE
    symbol: str = ""
    """A facility kind drawn as the marker (a floor change: the lift or escalator taken)."""


@dataclass(frozen=True)
class PlanSymbol:
    """A facility's symbol on the plan, at a level point."""

    ref: str
    kind: str
    x: float
    y: float


def _area(polygon) -> float:
    """A polygon's area (shoelace), any winding."""
    following = [*polygon[1:], polygon[0]]
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(polygon, following, strict=True))) / 2


class _MeshBuilder:
    """Polygons (or outlines) of one colour gathered into as few meshes as the 16-bit indices
    allow."""

    LIMIT = 65000

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.done: list[tuple[list[float], list[int]]] = []
        self.vertices: list[float] = []
        self.indices: list[int] = []

    def _room_for(self, count: int) -> int:
        """The index of the next vertex, after starting a new mesh when this one is full."""
        base = len(self.vertices) // 4
        if base + count > self.LIMIT and self.vertices:
            self.done.append((self.vertices, self.indices))
            self.vertices, self.indices = [], []
            base = 0
        return base

    def add_fan(self, vertices: list[float]) -> None:
        """A triangle fan (x, y, u, v per vertex), as triangles."""
        count = len(vertices) // 4
        if count < 3:
            return
        base = self._room_for(count)
        self.vertices.extend(vertices)
        for i in range(1, count - 1):
            self.indices.extend((base, base + i, base + i + 1))

    def add_loop(self, flat: list[float]) -> None:
        """A closed outline (x, y pairs), as line segments."""
        count = len(flat) // 2
        if count < 2:
            return
        base = self._room_for(count)
        for x, y in zip(flat[0::2], flat[1::2], strict=False):
            self.vertices.extend((x, y, 0.0, 0.0))
        for i in range(count):
            self.indices.extend((base + i, base + (i + 1) % count))

    def into(self, group: InstructionGroup) -> None:
        for vertices, indices in [*self.done, (self.vertices, self.indices)]:
            if indices:
                group.add(Mesh(vertices=vertices, indices=indices, mode=self.mode))


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
    symbols = ListProperty([])
    """PlanSymbols: facilities drawn as symbols (their shapes then carry no text)."""
    overlays = ListProperty([])
    """Widgets drawn over the plan (floor buttons, zoom buttons, the legend): no name goes
    under them."""
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
            focus=self._redraw_soon, symbols=self._redraw_soon, overlays=self._watch_overlays,
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
        self._extents: dict[tuple, tuple[float, float]] = {}
        self._symbols_layer = InstructionGroup()
        self._symbol_offsets: dict[str, tuple[float, float]] = {}
        self._symbol_shifts: list[tuple[str, tuple[float, float], Translate, Translate]] = []
        self._symbols_scale: float | None = None
        self._symbols_key: tuple | None = None
        self.placed_labels: list[PlacedLabel] = []
        """The names drawn, with their screen boxes (for tests and the bench)."""
        self.dropped_labels: list[str] = []
        self.symbol_boxes: dict[str, tuple[float, float, float, float]] = {}
        """Facility id → its symbol's screen box."""
        self.marker_boxes: list[tuple[float, float, float, float]] = []
        """Markers and their name tags, screen boxes."""
        self._anchored: list[tuple[PlacedLabel, tuple[float, float], tuple[float, float] | None]] = []
        self._placements: dict[tuple, tuple] = {}
        """Placements kept, by everything they depend on (see _place_labels)."""
        self._labels_key: tuple | None = None
        """The kept placement the names drawn come from; None while they move with a gesture."""
        self._labels_group = InstructionGroup()
        self._labels_group_key: tuple | None = None
        """The last full placement: each label with its centre (and leader point) in level metres,
        so a pan or pinch in progress moves the names without placing them again."""

    def _watch_overlays(self, *args) -> None:
        for widget in self.overlays:
            widget.unbind(pos=self._redraw_soon, size=self._redraw_soon, opacity=self._redraw_soon)
            widget.bind(pos=self._redraw_soon, size=self._redraw_soon, opacity=self._redraw_soon)
        self._redraw_soon()

    def overlay_boxes(self) -> list[tuple[float, float, float, float]]:
        """Screen boxes of the visible widgets over the plan, in this widget's coordinates."""
        boxes = []
        for widget in self.overlays:
            if widget.opacity <= 0 or widget.width <= 0 or widget.height <= 0 or widget.parent is None:
                continue
            x0, y0 = self.to_widget(*widget.to_window(widget.x, widget.y))
            boxes.append((x0, y0, widget.width, widget.height))
        return boxes

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
        self._caption_boxes = self.overlay_boxes()
        self._label_boxes = []
        self._draw_shapes(highlighted)
        self._draw_symbols()
        here_here = self.here is not None and self.here_level_id == self.level.id
        # Markers and their tags are placed first (the names keep clear of them) and drawn last,
        # so no name's leader line runs across "you are here".
        markers = InstructionGroup()
        if here_here and not self.route_legs:
            self._draw_marker(self.here, markers, facing=True)
        self.canvas.add(self._route_group)
        self.draw_route_progress()
        if here_here and self.route_legs:
            self._caption_boxes.append(self._here_box())
        for marker in self.markers:
            self._draw_marker(marker, markers)
        self.marker_boxes = list(self._caption_boxes)
        if self._touches and self._anchored:
            self._move_labels()  # a pan or pinch in progress: the names go along
            self._labels_key = None
        elif self._overlays_pending():
            self.placed_labels, self.dropped_labels, self._labels_key = [], [], None
            self.canvas.add(markers)
            return  # named once the overlay is laid out: its new size draws the plan again
        else:
            self._place_labels(highlighted)
        self._draw_labels(highlighted)
        self.canvas.add(markers)

    def _overlays_pending(self) -> bool:
        """An overlay given its content this frame (the floor buttons) is laid out on the next:
        names placed now would be placed again then, and a dense floor's placing takes a second."""
        return any(widget.opacity > 0 and widget.parent is not None and widget.children
                   and (widget.width <= 0 or widget.height <= 0) for widget in self.overlays)

    def _here_box(self) -> tuple[float, float, float, float]:
        sx, sy = self.to_screen(self.here.x, self.here.y)
        radius = max(10.0, 16 * self.label_scale) + 5
        return (sx - radius, sy - radius, 2 * radius, 2 * radius)

    # ---------------------------------------------------------------- names
    def _measure(self, text: str, font_size: float, bold: bool = False) -> tuple[float, float]:
        """The drawn size of `text` (lines split at "\\n"), from the font's metrics: cheaper than
        rendering each candidate."""
        width = height = 0.0
        for line in text.split("\n"):
            key = (line, round(font_size, 1), bold, self.font_name)
            size = self._extents.get(key)
            if size is None:
                size = CoreLabel(font_size=font_size, font_name=self.font_name, bold=bold).get_extents(line)
                if len(self._extents) > 6000:
                    self._extents.clear()
                self._extents[key] = size
            width = max(width, size[0])
            height += size[1]
        return (math.ceil(width), math.ceil(height))

    def _label_requests(self, highlighted: set[str]) -> list[LabelRequest]:
        """What to name: units, landmarks and atriums (facilities too where there are no
        symbols), except a place the route's end marker already names."""
        named = {marker.caption for marker in self.markers}
        symbolised = {symbol.ref for symbol in self.symbols}
        requests: dict[str, LabelRequest] = {}
        for shape, _meshes, outline, _span, _centre in self._shape_meshes():
            if shape.kind not in LABELLED_KINDS or shape.ref in symbolised:
                continue
            if symbolised and shape.kind == "facility" and (not shape.ref or shape.ref in self.label_overrides):
                continue  # a facility's room (the escalator's well): its symbol says what it is
            text = self.label_overrides.get(shape.ref) if shape.ref else None
            if text is None:
                text = shape.label.get(self.language) if shape.label is not None else ""
            text = (text or "").strip()
            if not text or (shape.ref in highlighted and text in named):
                continue
            scale, (ox, oy) = self._scale, self._origin
            polygon = [(ox + x * scale, oy + y * scale) for x, y in zip(outline[0::2], outline[1::2], strict=False)]
            chosen = bool(shape.ref) and shape.ref in highlighted
            priority = PRIORITY_CHOSEN if chosen else PRIORITY_STORE if shape.kind == "unit" else PRIORITY_PLACE
            key = shape.ref or f"{shape.kind}:{text}"
            if key in requests and _area(requests[key].polygon) >= _area(polygon):
                continue  # a place of several shapes is named once, in its largest
            px, py = self._pole(shape, outline)
            requests[key] = LabelRequest(key, text, polygon, priority,
                                         min_font=MIN_CJK_LABEL * self.label_scale if has_cjk(text) else 0.0,
                                         pole=(ox + px * scale, oy + py * scale))
        return list(requests.values())

    def _pole(self, shape: PlanShape, outline: list[float]) -> tuple[float, float]:
        return shape_pole(shape, outline, self.heading_deg)

    def _place_labels(self, highlighted: set[str]) -> None:
        """Name every unit that can be named at this zoom (venue.plan_labels), clear of the
        markers, the symbols and the controls over the plan. A placement is kept for its floor,
        zoom, pan, size, language and everything over the plan (PLACEMENTS_KEPT of them), so a
        frame that shows the same view again, or a return to a floor, does not place anew."""
        view = (self.x + 2, self.y + 2, self.width - 4, self.height - 4)
        obstacles = [*self._caption_boxes, *self.symbol_boxes.values()]
        key = (id(self.level), self.language, self.font_name, self.heading_deg, frozenset(highlighted),
               tuple(self.markers), tuple(self.symbols), tuple(sorted(self.label_overrides.items())),
               self.label_scale, round(self._scale, 4), round(self._origin[0], 1), round(self._origin[1], 1),
               tuple(round(side, 1) for side in view),
               tuple(tuple(round(side, 1) for side in box) for box in obstacles))
        kept = self._placements.get(key)
        if kept is not None and kept[0] is self.level:
            _level, self.placed_labels, self.dropped_labels, self._anchored = kept
            self._labels_key = key
            return
        requests = self._label_requests(highlighted)
        sizes = [size * self.label_scale for size in LABEL_SIZES]
        plan = place_labels(requests, self._measure, sizes, view, obstacles,
                            dense_sizes=[size * self.label_scale for size in DENSE_LABEL_SIZES])
        self.placed_labels, self.dropped_labels = plan.placed, plan.dropped
        self._anchored = []
        for label in plan.placed:
            x, y, w, h = label.box
            self._anchored.append((label, self.to_level(x + w / 2, y + h / 2),
                                   self.to_level(*label.leader) if label.leader else None))
        if len(self._placements) >= PLACEMENTS_KEPT:
            self._placements.pop(next(iter(self._placements)))
        self._placements[key] = (self.level, self.placed_labels, self.dropped_labels, self._anchored)
        self._labels_key = key

    def _move_labels(self) -> None:
        """The last placement moved with the plan; names that now run into a control, a marker
        or the edge wait for the gesture's end."""
        view = (self.x + 2, self.y + 2, self.width - 4, self.height - 4)
        obstacles = [*self._caption_boxes, *self.symbol_boxes.values()]
        placed = []
        for label, centre, leader in self._anchored:
            cx, cy = self.to_screen(*centre)
            _x, _y, w, h = label.box
            box = (cx - w / 2, cy - h / 2, w, h)
            if not box_within(box, view) or any(boxes_overlap(box, other) for other in obstacles):
                continue
            placed.append(PlacedLabel(label.key, label.text, label.font_size, box, label.inside,
                                      self.to_screen(*leader) if leader else None))
        self.placed_labels = placed

    def _labels_instructions(self, highlighted: set[str]) -> InstructionGroup:
        group = InstructionGroup()
        for label in self.placed_labels:
            chosen = label.key in highlighted
            x, y, w, h = label.box
            if label.leader is not None:
                group.add(Color(*theme.INK_MUTED))
                group.add(Line(points=[*label.leader, *leader_end(label.leader, label.box)], width=1.1))
                group.add(Ellipse(pos=(label.leader[0] - 3, label.leader[1] - 3), size=(6, 6)))
            if not label.inside and not chosen:
                # in the corridor: a light halo keeps it apart from the lines under it
                group.add(Color(1, 1, 1, 0.86))
                group.add(RoundedRectangle(pos=(x - 3, y - 1), size=(w + 6, h + 2), radius=[4]))
            texture = self._label_texture(label.text, label.font_size, chosen,
                                          theme.ON_DARK if chosen and label.inside else theme.INK)
            if chosen and not label.inside:
                group.add(Color(*theme.MAP_HIGHLIGHT))
                group.add(RoundedRectangle(pos=(x - 6, y - 3), size=(w + 12, h + 6), radius=[6]))
                texture = self._label_texture(label.text, label.font_size, True, theme.ON_DARK)
            group.add(Color(1, 1, 1, 1))
            group.add(Rectangle(texture=texture, pos=(int(x + (w - texture.width) / 2),
                                                      int(y + (h - texture.height) / 2)), size=texture.size))
        return group

    def _draw_labels(self, highlighted: set[str]) -> None:
        """The names, as one instruction group kept with its placement: drawing the same
        placement again (a redraw of an unchanged view) adds the group, not the names."""
        named = {marker.caption for marker in self.markers}
        if self._labels_key is None or self._labels_group_key != self._labels_key:
            self._labels_group = self._labels_instructions(highlighted)
            self._labels_group_key = self._labels_key
        self.canvas.add(self._labels_group)
        for key in self.dropped_labels:
            shape = next((s for s in self.level.plan if s.ref == key), None) if key in highlighted else None
            if shape is None:
                continue
            # the chosen place's name did not fit anywhere: a tag beside it, unless the route's
            # end marker already says it
            text = self.label_overrides.get(key) or (shape.label.get(self.language) if shape.label else "")
            if text and text not in named:
                sx, sy = self.to_screen(*polygon_centroid(shape.polygon))
                self._draw_caption(sx, sy, 6.0, text, theme.MAP_HIGHLIGHT)

    # ---------------------------------------------------------------- symbols
    def _draw_symbols(self) -> None:
        """Each facility's symbol at its place, one size whatever the zoom. The layer is drawn
        relative to the plan's origin, each symbol behind a shift of its own, and kept while the
        floor and the symbols stay: a pan only moves the layer, a zoom only changes the shifts."""
        side = SYMBOL_SIDE * self.label_scale
        scale, (ox, oy) = self._scale, self._origin
        key = (self.level, tuple(self.symbols), self.heading_deg, side)
        if self._symbols_key is None or self._symbols_key[0] is not key[0] or self._symbols_key[1:] != key[1:]:
            group = InstructionGroup()
            self._symbol_shifts = []
            for symbol in self.symbols:
                there, back = Translate(0, 0), Translate(0, 0)
                group.add(there)
                draw_symbol(group, symbol.kind, 0, 0, side)
                group.add(back)
                self._symbol_shifts.append((symbol.ref, self._rotate(symbol.x, symbol.y), there, back))
            self._symbols_layer, self._symbols_key, self._symbols_scale = group, key, None
        if self._symbols_scale != scale:
            self._symbol_offsets = {}
            for ref, (rx, ry), there, back in self._symbol_shifts:
                there.xy = (rx * scale, ry * scale)
                back.xy = (-rx * scale, -ry * scale)
                self._symbol_offsets[ref] = (rx * scale, ry * scale)
            self._symbols_scale = scale
        view = (self.x, self.y, self.width, self.height)
        self.symbol_boxes = {}
        for ref, (dx, dy) in self._symbol_offsets.items():
            box = (ox + dx - side / 2, oy + dy - side / 2, side, side)
            if box_within(box, view):
                self.symbol_boxes[ref] = box
        with self.canvas:
            PushMatrix()
            Translate(ox, oy)
        self.canvas.add(self._symbols_layer)
        with self.canvas:
            PopMatrix()

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
            if active:
                self._add_arrows(group, flat, width)
        if self.here is not None and self.here_level_id == self.level.id:
            # "You are here" (and the way the kiosk faces) goes on top of the route that starts at it.
            sx, sy = self.to_screen(self.here.x, self.here.y)
            radius = max(10.0, 16 * self.label_scale)
            heading_cone(group, sx, sy, radius, self.here.colour)
            group.add(Color(1, 1, 1, 1))
            group.add(Ellipse(pos=(sx - radius - 5, sy - radius - 5), size=(2 * radius + 10, 2 * radius + 10)))
            group.add(Color(*self.here.colour))
            group.add(Ellipse(pos=(sx - radius, sy - radius), size=(2 * radius, 2 * radius)))

    def _add_arrows(self, group: InstructionGroup, flat: list[float], width: float) -> None:
        """White chevrons along the walk, pointing the way."""
        spacing = ARROW_SPACING * self.label_scale
        points = list(zip(flat[0::2], flat[1::2], strict=False))
        group.add(Color(1, 1, 1, 1))
        size = width * 0.9
        for (x, y), angle in route_arrows(points, spacing):
            cos, sin = math.cos(angle), math.sin(angle)
            tip = (x + cos * size, y + sin * size)
            left = (x - cos * size - sin * size, y - sin * size + cos * size)
            right = (x - cos * size + sin * size, y - sin * size - cos * size)
            group.add(Line(points=[*left, *tip, *right], width=max(1.2, width * 0.22), joint="round", cap="round"))

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
        # One mesh per kind and colour (a draw call each, not one per shape): the fills, then the
        # edges as one-pixel lines; a highlighted shape's thicker edge is a Line of its own.
        by_kind: dict[str, list] = {}
        for item in self._shape_meshes():
            by_kind.setdefault(item[0].kind, []).append(item)
        for kind, items in by_kind.items():
            fills: dict[tuple, _MeshBuilder] = {}
            edges = _MeshBuilder("lines")
            lit_edges = []
            for shape, meshes, outline, _span, _centre in items:
                lit = bool(shape.ref) and shape.ref in highlighted
                colour = tuple(theme.MAP_HIGHLIGHT if lit else FILL_BY_KIND.get(kind, theme.MAP_UNIT))
                builder = fills.setdefault(colour, _MeshBuilder("triangles"))
                for vertices, _indices in meshes:
                    builder.add_fan(vertices)
                if kind in ("unit", "facility", "outline"):
                    if lit or hairline > 1.0:
                        lit_edges.append((lit, outline))
                    else:
                        edges.add_loop(outline)
            for colour, builder in sorted(fills.items(), key=lambda item: item[0] == tuple(theme.MAP_HIGHLIGHT)):
                group.add(Color(*colour))
                builder.into(group)
            group.add(Color(*theme.MAP_UNIT_EDGE))
            edges.into(group)
            for lit, outline in lit_edges:
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

    def _draw_marker(self, marker: MapMarker, group: InstructionGroup, facing: bool = False) -> None:
        sx, sy = self.to_screen(marker.x, marker.y)
        radius = max(10.0, 16 * self.label_scale)
        if facing:
            heading_cone(group, sx, sy, radius, marker.colour)
            reach = radius * 3.2  # the cone's box: its name tag goes elsewhere
            self._caption_boxes.append((sx - reach * 0.55, sy, reach * 1.1, reach))
        if marker.symbol:
            side = SYMBOL_SIDE * 1.3 * self.label_scale
            draw_symbol(group, marker.symbol, sx, sy, side)
            radius = side / 2
        else:
            group.add(Color(1, 1, 1, 1))
            group.add(Ellipse(pos=(sx - radius - 5, sy - radius - 5), size=(2 * radius + 10, 2 * radius + 10)))
            group.add(Color(*marker.colour))
            group.add(Ellipse(pos=(sx - radius, sy - radius), size=(2 * radius, 2 * radius)))
        self._caption_boxes.append((sx - radius - 5, sy - radius - 5, 2 * radius + 10, 2 * radius + 10))
        if marker.caption:
            self._draw_caption(sx, sy, radius, marker.caption, marker.colour, group)

    def _draw_caption(self, sx: float, sy: float, radius: float, caption: str, colour: tuple,
                      group: InstructionGroup | None = None) -> None:
        """A rounded name tag beside a point, placed where it covers no other tag."""
        texture = self._label_texture(caption, 24 * self.label_scale, True, theme.ON_DARK)
        box_w = texture.width + 24
        box_h = texture.height + 12
        box_x, box_y = self._caption_position(sx, sy, radius, box_w, box_h)
        self._caption_boxes.append((box_x, box_y, box_w, box_h))
        target = group if group is not None else self.canvas
        target.add(Color(*colour))
        target.add(RoundedRectangle(pos=(box_x, box_y), size=(box_w, box_h), radius=[box_h / 2]))
        target.add(Color(1, 1, 1, 1))
        target.add(Rectangle(texture=texture, pos=(int(box_x + 12), int(box_y + 6)), size=texture.size))

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
            elif not self._touches:
                self._redraw_soon()  # the gesture is over: the names are placed afresh
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

    def zoom_by(self, factor: float) -> None:
        """The + and − buttons: zoom about the middle of the view."""
        self._zoom_about(self.center, self.zoom * factor)

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
