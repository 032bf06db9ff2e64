"""The route drawn as inline SVG, one drawing per floor, for the phone page (no JavaScript,
no map tiles: WeChat's and Alipay's in-app browsers show it as it is).

Coordinates are level metres with y up (the content's); SVG's y points down, so y is flipped.
A phone turns in the visitor's hand, so the drawing is map-up, not heading-up like the kiosk.
"""
from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from sync.protocol import Level, MallContent
from venue.routing.route import Route

FILL = {
    "outline": "#ffffff", "corridor": "#ffffff", "atrium": "#dcebf5", "void": "#c4cbd3",
    "unit": "#d7dee6", "facility": "#cfe3d5", "landmark": "#f3e3c3",
}
DRAW_ORDER = ("outline", "corridor", "atrium", "void", "landmark", "facility", "unit")
ROUTE = "#0b5c7a"
DESTINATION = "#b3401a"
START = "#c8102e"
MARGIN_M = 6.0


@dataclass(frozen=True)
class FloorDrawing:
    level_id: str
    floor: str
    svg: str


def route_drawings(content: MallContent, route: Route, language: str, here_caption: str) -> list[FloorDrawing]:
    """One SVG per floor the route passes, in the order it passes them."""
    levels = {level.id: level for level in content.levels}
    drawings = []
    for level_id in route.levels():
        level = levels.get(level_id)
        if level is not None:
            drawings.append(FloorDrawing(level_id, level.short_name,
                                         _floor_svg(level, route, language, here_caption)))
    return drawings


def _floor_svg(level: Level, route: Route, language: str, here_caption: str) -> str:
    legs = [(number, leg) for number, leg in enumerate(route.legs) if leg.level_id == level.id]
    points = [p for shape in level.plan for p in shape.polygon] + [p for _, leg in legs for p in leg.points]
    if not points:
        points = [(0.0, 0.0), (level.width_m, level.height_m)]
    min_x = min(x for x, _ in points) - MARGIN_M
    max_x = max(x for x, _ in points) + MARGIN_M
    min_y = min(y for _, y in points) - MARGIN_M
    max_y = max(y for _, y in points) + MARGIN_M
    span = max(max_x - min_x, max_y - min_y)
    stroke = span / 160  # lines and text keep their size relative to the drawing
    text_size = span / 28
    max_y += text_size  # room for a name above a point at the plan's top edge
    min_y -= 2 * text_size  # and below one at its bottom edge

    def xy(x: float, y: float) -> str:
        return f"{x - min_x:.2f},{max_y - y:.2f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {max_x - min_x:.2f} {max_y - min_y:.2f}" '
        f'role="img" aria-label={quoteattr(level.short_name)} class="floor">'
    ]
    parts += _plan_shapes(level, xy, stroke, route.destination.id)
    for number, leg in legs:
        line = " ".join(xy(x, y) for x, y in leg.points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#ffffff" stroke-width="{stroke * 3.4:.2f}" '
                     f'stroke-linejoin="round" stroke-linecap="round"/>')
        parts.append(f'<polyline class="route" points="{line}" fill="none" stroke="{ROUTE}" '
                     f'stroke-width="{stroke * 2:.2f}" stroke-linejoin="round" stroke-linecap="round"/>')
        start_x, start_y = leg.points[0]
        end_x, end_y = leg.points[-1]
        if number == 0:
            parts.append(_dot(xy(start_x, start_y), START, stroke * 3.2))
            parts.append(_label(xy(start_x, start_y), here_caption, START, text_size, stroke,
                                below=_goes_up(leg.points[0], leg.points[1:])))
        else:
            parts.append(_dot(xy(start_x, start_y), ROUTE, stroke * 2.4))
        if number == len(route.legs) - 1:
            parts.append(_dot(xy(end_x, end_y), DESTINATION, stroke * 3.2))
            parts.append(_label(xy(end_x, end_y), route.destination.name.get(language), DESTINATION,
                                text_size, stroke, below=_goes_up(leg.points[-1], leg.points[-2::-1])))
        else:
            parts.append(_dot(xy(end_x, end_y), ROUTE, stroke * 2.4))
    parts.append("</svg>")
    return "".join(parts)


def _plan_shapes(level: Level, xy, stroke: float, highlighted_ref: str | None) -> list[str]:
    """The level's plan polygons, bottom layer first; the shape of `highlighted_ref` stands out."""
    parts = []
    for shape in sorted(level.plan, key=lambda s: DRAW_ORDER.index(s.kind) if s.kind in DRAW_ORDER else 0):
        if len(shape.polygon) < 3:
            continue
        fill = DESTINATION if highlighted_ref and shape.ref == highlighted_ref else FILL.get(shape.kind, FILL["unit"])
        edge = "#8d99a6" if shape.kind in ("unit", "facility", "outline") else "none"
        points_text = " ".join(xy(x, y) for x, y in shape.polygon)
        parts.append(f'<polygon points="{points_text}" fill="{fill}" stroke="{edge}" '
                     f'stroke-width="{stroke / 3:.2f}"/>')
    return parts


def plan_drawings(content: MallContent, language: str) -> list[FloorDrawing]:
    """Every floor's plan with its path graph and its stores' names, bottom floor first: the
    preview of a map before it is published."""
    nodes_by_level: dict[str, dict[str, tuple[float, float]]] = {}
    for node in content.graph.nodes:
        nodes_by_level.setdefault(node.level_id, {})[node.id] = (node.x, node.y)
    drawings = []
    for level in sorted(content.levels, key=lambda level: level.ordinal):
        nodes = nodes_by_level.get(level.id, {})
        points = [p for shape in level.plan for p in shape.polygon] + list(nodes.values())
        if not points:
            points = [(0.0, 0.0), (level.width_m, level.height_m)]
        min_x = min(x for x, _ in points) - MARGIN_M
        max_x = max(x for x, _ in points) + MARGIN_M
        min_y = min(y for _, y in points) - MARGIN_M
        max_y = max(y for _, y in points) + MARGIN_M
        span = max(max_x - min_x, max_y - min_y)
        stroke = span / 160

        def xy(x: float, y: float, min_x=min_x, max_y=max_y) -> str:
            return f"{x - min_x:.2f},{max_y - y:.2f}"

        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {max_x - min_x:.2f} {max_y - min_y:.2f}" '
                 f'role="img" aria-label={quoteattr(level.short_name)} class="floor">']
        parts += _plan_shapes(level, xy, stroke, None)
        for edge in content.graph.edges:
            if edge.a in nodes and edge.b in nodes:
                parts.append(f'<polyline class="path" points="{xy(*nodes[edge.a])} {xy(*nodes[edge.b])}" fill="none" '
                             f'stroke="{ROUTE}" stroke-opacity="0.45" stroke-width="{stroke / 2:.2f}"/>')
        for store in content.stores:
            if store.level_id == level.id and store.node_id in nodes:
                parts.append(_dot(xy(*nodes[store.node_id]), DESTINATION, stroke * 1.2))
                parts.append(_label(xy(*nodes[store.node_id]), store.name.get(language), "#1d2129",
                                    span / 36, stroke / 2))
        parts.append("</svg>")
        drawings.append(FloorDrawing(level.id, level.short_name, "".join(parts)))
    return drawings


def _dot(at: str, colour: str, radius: float) -> str:
    x, y = at.split(",")
    return (f'<circle cx="{x}" cy="{y}" r="{radius:.2f}" fill="{colour}" stroke="#ffffff" '
            f'stroke-width="{radius / 3:.2f}"/>')


def _goes_up(start: tuple[float, float], path: list[tuple[float, float]]) -> bool:
    """Whether the route leaves `start` upwards on the drawing (its first point a few metres
    away lies above): the point's label then goes below it, off the route line."""
    for x, y in path:
        if abs(x - start[0]) + abs(y - start[1]) >= 3:
            return y > start[1]
    return False


def _label(at: str, text: str, colour: str, size: float, stroke: float, below: bool = False) -> str:
    """A name beside a point: above it, or below it where the route runs above."""
    x, y = (float(v) for v in at.split(","))
    y = y + size * 1.6 if below else y - size * 0.9
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size:.2f}" font-weight="700" '
            f'text-anchor="middle" fill="{colour}" stroke="#ffffff" stroke-width="{stroke:.2f}" '
            f'paint-order="stroke">{escape(text)}</text>')
