"""The maths of drawing a floor plan, without Kivy: turning it, fitting it to a view, zooming
about a finger, hit-testing a tap, cutting a route for its drawing animation and placing labels.

Level points are metres with y up; the plan is turned counter-clockwise by the kiosk's heading
so the visitor's facing direction is up, then scaled and moved onto the screen. Screen boxes are
(x, y, width, height) in pixels. Kept apart from the widget so the maths is tested as such.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

Point = tuple[float, float]
Box = tuple[float, float, float, float]
"""x, y, width, height."""

FIT_MARGIN = 0.04
"""Free space around a fitted plan, as a share of the view's shorter side."""
FOCUS_PADDING_M = 10.0
"""Metres kept around the points a view zooms in on."""


def rotate(x: float, y: float, degrees: float) -> Point:
    """(x, y) turned counter-clockwise by `degrees` about the origin."""
    theta = math.radians(degrees)
    return (x * math.cos(theta) - y * math.sin(theta), x * math.sin(theta) + y * math.cos(theta))


def point_in_polygon(x: float, y: float, polygon: Sequence[Point]) -> bool:
    """Even-odd ray casting; points on an edge may fall either way (fine for taps)."""
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                inside = not inside
    return inside


def polygon_centroid(polygon: Sequence[Point]) -> Point:
    """The area centroid; the vertex mean for degenerate (zero-area) polygons."""
    area = cx = cy = 0.0
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-9:
        return (sum(p[0] for p in polygon) / count, sum(p[1] for p in polygon) / count)
    area *= 0.5
    return (cx / (6 * area), cy / (6 * area))


# ---------------------------------------------------------------- the view
def focus_corners(focus: Sequence[Point], min_span_m: float) -> list[Point]:
    """The corners of the box a view zooms in on: the focus points with some room around them,
    at least `min_span_m` metres each way."""
    half = min_span_m / 2
    xs = [x for x, _ in focus]
    ys = [y for _, y in focus]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half_x = max(half, (max(xs) - min(xs)) / 2 + FOCUS_PADDING_M)
    half_y = max(half, (max(ys) - min(ys)) / 2 + FOCUS_PADDING_M)
    return [(cx - half_x, cy - half_y), (cx + half_x, cy + half_y),
            (cx - half_x, cy + half_y), (cx + half_x, cy - half_y)]


def fit(corners: Sequence[Point], view: Box, top_reserve: float = 0.0, bottom_reserve: float = 0.0,
        right_reserve: float = 0.0) -> tuple[float, Point]:
    """(scale, origin) that fit the turned `corners` into `view`, centred, within a margin and
    clear of the reserved strips: a turned point p is drawn at origin + p * scale."""
    x, y, width, height = view
    min_x = min(c[0] for c in corners)
    max_x = max(c[0] for c in corners)
    min_y = min(c[1] for c in corners)
    max_y = max(c[1] for c in corners)
    margin = min(width, height) * FIT_MARGIN
    usable_h = height - 2 * margin - top_reserve - bottom_reserve
    span_x = max(max_x - min_x, 1e-6)
    span_y = max(max_y - min_y, 1e-6)
    usable_w = width - 2 * margin - right_reserve
    scale = min(max(usable_w, 10) / span_x, max(usable_h, 10) / span_y)
    drawn_w = span_x * scale
    drawn_h = span_y * scale
    origin = (x + margin + (usable_w - drawn_w) / 2 - min_x * scale,
              y + margin + bottom_reserve + (usable_h - drawn_h) / 2 - min_y * scale)
    return scale, origin


def zoomed(scale: float, origin: Point, centre: Point, zoom: float, pan: Point) -> tuple[float, Point]:
    """(scale, origin) of a fitted view zoomed about `centre` and then moved by `pan`."""
    cx, cy = centre
    return scale * zoom, (cx + (origin[0] - cx) * zoom + pan[0], cy + (origin[1] - cy) * zoom + pan[1])


def pan_for_zoom(pos: Point, centre: Point, zoom: float, new_zoom: float, pan: Point) -> Point:
    """The pan that keeps the plan point under `pos` under it when the zoom changes."""
    cx, cy = centre
    ratio = new_zoom / zoom
    # The screen point p = c + (q - c) * zoom + pan must not move: solve for the new pan.
    return (pos[0] - cx - (pos[0] - cx - pan[0]) * ratio, pos[1] - cy - (pos[1] - cy - pan[1]) * ratio)


def clamp_pan(x: float, y: float, width: float, height: float, zoom: float) -> Point:
    """Keep part of the plan in view: never pan further than the zoomed plan reaches."""
    reach_x = width * zoom / 2
    reach_y = height * zoom / 2
    return (min(reach_x, max(-reach_x, x)), min(reach_y, max(-reach_y, y)))


def cut_polyline(points: Sequence[Point], fraction: float) -> list[float]:
    """The polyline as flat coordinates, cut after `fraction` of its length (the route's
    drawing animation)."""
    if fraction >= 1.0 or len(points) < 2:
        return [c for point in points for c in point]
    lengths = [math.dist(a, b) for a, b in pairwise(points)]
    remaining = max(0.0, fraction) * sum(lengths)
    flat = list(points[0])
    for ((ax, ay), (bx, by)), length in zip(pairwise(points), lengths, strict=True):
        if remaining >= length:
            flat += [bx, by]
            remaining -= length
            continue
        if length > 0:
            t = remaining / length
            flat += [ax + (bx - ax) * t, ay + (by - ay) * t]
        break
    return flat


def route_arrows(points: Sequence[Point], spacing: float) -> list[tuple[Point, float]]:
    """Direction arrows along a screen polyline: (where, angle in radians), every `spacing`
    pixels from half a spacing on, none on the last half spacing where the line ends at its
    marker."""
    lengths = [math.dist(a, b) for a, b in pairwise(points)]
    total = sum(lengths)
    arrows: list[tuple[Point, float]] = []
    at = spacing / 2
    walked = 0.0
    for ((ax, ay), (bx, by)), length in zip(pairwise(points), lengths, strict=False):
        while length > 0 and at <= walked + length and at < total - spacing / 2:
            t = (at - walked) / length
            arrows.append(((ax + (bx - ax) * t, ay + (by - ay) * t), math.atan2(by - ay, bx - ax)))
            at += spacing
        walked += length
    return arrows


# ---------------------------------------------------------------- name tags
def covered_area(box: Box, others: Sequence[Box]) -> float:
    """The area of `others` that `box` covers."""
    x, y, w, h = box
    return sum(max(0.0, min(x + w, ox + ow) - max(x, ox)) * max(0.0, min(y + h, oy + oh) - max(y, oy))
               for ox, oy, ow, oh in others)


def caption_position(point: Point, radius: float, size: Point, view: Box, tags: Sequence[Box],
                     names: Sequence[Box]) -> Point:
    """Where a name tag of `size` goes beside a marker of `radius` at `point`: above, below,
    right or left, inside `view`; of the places that overlap no other tag (`tags`), the one
    that hides the least of the units' names (`names`), the first on a tie."""
    sx, sy = point
    box_w, box_h = size
    vx, vy, vw, vh = view
    gap = radius + 10
    candidates = [
        (sx - box_w / 2, sy + gap),
        (sx - box_w / 2, sy - gap - box_h),
        (sx + gap, sy - box_h / 2),
        (sx - gap - box_w, sy - box_h / 2),
    ]

    def clamp(x: float, y: float) -> Point:
        return (min(max(x, vx + 4), vx + vw - box_w - 4), min(max(y, vy + 4), vy + vh - box_h - 4))

    free = [place for place in (clamp(x, y) for x, y in candidates) if not covered_area((*place, box_w, box_h), tags)]
    if not free:
        return clamp(*candidates[0])
    return min(free, key=lambda place: covered_area((*place, box_w, box_h), names))
