"""Where the names go on a floor plan: every store named that can be at this zoom, none over
another, none under a marker or a control. Pure Python (no Kivy), so it is tested as such.

Each store offers candidates: its name on one line or two (English between words; Chinese
between two-character words, never leaving a lone character and never starting a line with
closing punctuation), at a few font sizes, centred on the point deepest inside its unit (the
pole of inaccessibility) or shifted about it. A name that fits inside its own unit goes there;
one that does not may spill into the corridor as long as it still covers its unit's deepest
point (so it reads as that unit's name). Labels are placed greedily by priority (the chosen
store first), and a name that has no free candidate is left out at this zoom.

Screen boxes are (x, y, width, height) in pixels, y up.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from venue.plan_geometry import rotate
from venue.typesetting import CLOSING, OPENING, has_cjk

if TYPE_CHECKING:
    from sync.protocol import Level, PlanShape

Point = tuple[float, float]
Box = tuple[float, float, float, float]
Measure = Callable[[str, float], tuple[float, float]]
"""(text with "\\n" between lines, font size) → drawn (width, height) in pixels."""

LABEL_GAP_PX = 2.0
"""Free pixels kept between two labels, and between a label and a marker or control."""
INSIDE_MARGIN = 0.92
"""A label inside its unit keeps to this share of the room there."""
SPILL_SHIFTS = ((0.5, 0.5), (0.5, 0.2), (0.5, 0.8), (0.2, 0.5), (0.8, 0.5),
                (0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8),
                (0.5, 1.0), (0.5, 0.0), (0.0, 0.5), (1.0, 0.5))
"""Where a label's box may sit about the unit's deepest point: the point's place in the box
(share of width, share of height); the box always covers or touches the point, so it reads as
that unit's name."""
LEADER_STEPS = (1.2, 2.0, 3.0, 4.2, 5.6, 7.2, 9.0, 11.0, 13.0, 15.5, 18.0, 21.0, 24.0)
"""How far a label may stand off its unit, in label heights, with a leader line to it."""
LEADER_DIRECTIONS = 32
POLE_KEEP_PX = 6.0
"""Half the side of the spot kept free at each unit's deepest point."""
MOVES_TRIED = 40
"""How many places a left-out name tries by moving the one name in its way."""
MOVER_SPOTS = 1000
"""How many of its own places (best first) the name moved out of the way tries."""
GRID_PX = 64.0
"""Cell size of the spatial index that keeps collision tests cheap on a dense plan."""


@dataclass(frozen=True)
class LabelRequest:
    key: str
    """The store's (or place's) id."""
    text: str
    polygon: Sequence[Point]
    """The unit's outline on screen."""
    priority: int = 0
    """Higher goes first: the chosen store, then stores, then landmarks."""
    min_font: float = 0.0
    """No smaller than this (Chinese names stay readable)."""
    pole: Point | None = None
    """The polygon's deepest point when the caller has it (it moves with the plan: a pan or
    zoom need not search for it again); found here otherwise."""


@dataclass(frozen=True)
class PlacedLabel:
    key: str
    text: str
    """The drawn text, "\\n" between its lines."""
    font_size: float
    box: Box
    inside: bool
    """Wholly inside its own unit (not spilling into the corridor)."""
    leader: Point | None = None
    """Set when the label stands off its unit (a dense row of small units): the unit's point
    the label's leader line goes to."""


# ---------------------------------------------------------------- geometry
def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _inside(x: float, y: float, polygon: Sequence[Point]) -> bool:
    inside = False
    count = len(polygon)
    for index in range(count):
        x1, y1 = polygon[index]
        x2, y2 = polygon[(index + 1) % count]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def edge_distance(x: float, y: float, polygon: Sequence[Point]) -> float:
    """Distance from a point to the polygon's outline: positive inside, negative outside."""
    count = len(polygon)
    nearest = min(_segment_distance(x, y, *polygon[i], *polygon[(i + 1) % count]) for i in range(count))
    return nearest if _inside(x, y, polygon) else -nearest


def pole_of_inaccessibility(polygon: Sequence[Point], precision: float = 1.0) -> tuple[Point, float]:
    """The point inside `polygon` farthest from its outline, and that distance: where a name
    has the most room (an L-shaped unit's centroid may lie outside it). Cells of a grid over
    the polygon are split best-first until no cell can beat the best point by `precision`."""
    xs = [p[0] for p in polygon]
    ys = [p[1] for p in polygon]
    min_x, min_y, max_x, max_y = min(xs), min(ys), max(xs), max(ys)
    size = min(max_x - min_x, max_y - min_y)
    if size <= 0:
        return ((min_x + max_x) / 2, (min_y + max_y) / 2), 0.0
    half = size / 2
    cells: list[tuple[float, float, float, float, float]] = []

    def push(cx: float, cy: float, h: float) -> None:
        distance = edge_distance(cx, cy, polygon)
        heapq.heappush(cells, (-(distance + h * math.sqrt(2)), distance, cx, cy, h))

    x = min_x
    while x < max_x:
        y = min_y
        while y < max_y:
            push(x + half, y + half, half)
            y += size
        x += size
    # the vertex mean: a good first guess for the usual, nearly convex unit
    best_x, best_y = sum(xs) / len(xs), sum(ys) / len(ys)
    best = edge_distance(best_x, best_y, polygon)
    while cells:
        bound, distance, cx, cy, h = heapq.heappop(cells)
        if distance > best:
            best, best_x, best_y = distance, cx, cy
        if -bound - best <= precision:
            continue
        h /= 2
        for dx in (-h, h):
            for dy in (-h, h):
                push(cx + dx, cy + dy, h)
    return (best_x, best_y), best


def box_in_polygon(box: Box, polygon: Sequence[Point]) -> bool:
    """Whether the box lies inside the polygon: its corners and edge midpoints inside, and no
    corner of the polygon poking into it."""
    x, y, w, h = box
    probes = ((x, y), (x + w, y), (x, y + h), (x + w, y + h),
              (x + w / 2, y), (x + w / 2, y + h), (x, y + h / 2), (x + w, y + h / 2))
    if not all(_inside(px, py, polygon) for px, py in probes):
        return False
    return not any(x < px < x + w and y < py < y + h for px, py in polygon)


def boxes_overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    return (a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap
            and a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap)


def box_within(box: Box, view: Box) -> bool:
    x, y, w, h = box
    return x >= view[0] and y >= view[1] and x + w <= view[0] + view[2] and y + h <= view[1] + view[3]


class BoxIndex:
    """Boxes already taken, in a grid of cells, so a test looks only at its neighbours."""

    def __init__(self, boxes: Iterable[Box] = (), cell: float = GRID_PX) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[Box]] = {}
        for box in boxes:
            self.add(box)

    def _keys(self, box: Box, gap: float) -> Iterable[tuple[int, int]]:
        x, y, w, h = box
        for i in range(math.floor((x - gap) / self.cell), math.floor((x + w + gap) / self.cell) + 1):
            for j in range(math.floor((y - gap) / self.cell), math.floor((y + h + gap) / self.cell) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box, 0.0):
            self.cells.setdefault(key, []).append(box)

    def remove(self, box: Box) -> None:
        for key in self._keys(box, 0.0):
            cell = self.cells.get(key)
            if cell and box in cell:
                cell.remove(box)

    def hits(self, box: Box, gap: float) -> bool:
        # (boxes_overlap and _keys inlined: this test runs for every place of every name)
        x, y, w, h = box
        x0, y0, x1, y1 = x - gap, y - gap, x + w + gap, y + h + gap
        cell, cells = self.cell, self.cells
        for i in range(int(x0 // cell), int(x1 // cell) + 1):
            for j in range(int(y0 // cell), int(y1 // cell) + 1):
                for ox, oy, ow, oh in cells.get((i, j), ()):
                    if x0 < ox + ow and ox < x1 and y0 < oy + oh and oy < y1:
                        return True
        return False

    def hitting(self, box: Box, gap: float, most: int) -> set[Box]:
        """The boxes `box` runs into (within `gap`), up to `most` + 1 of them."""
        x, y, w, h = box
        x0, y0, x1, y1 = x - gap, y - gap, x + w + gap, y + h + gap
        cell, cells = self.cell, self.cells
        found: set[Box] = set()
        for i in range(int(x0 // cell), int(x1 // cell) + 1):
            for j in range(int(y0 // cell), int(y1 // cell) + 1):
                for other in cells.get((i, j), ()):
                    ox, oy, ow, oh = other
                    if x0 < ox + ow and ox < x1 and y0 < oy + oh and oy < y1:
                        found.add(other)
                        if len(found) > most:
                            return found
        return found

    def hits_other_than(self, box: Box, own: Box) -> bool:
        x, y, w, h = box
        x1, y1 = x + w, y + h
        cell, cells = self.cell, self.cells
        for i in range(int(x // cell), int(x1 // cell) + 1):
            for j in range(int(y // cell), int(y1 // cell) + 1):
                for other in cells.get((i, j), ()):
                    ox, oy, ow, oh = other
                    if x < ox + ow and ox < x1 and y < oy + oh and oy < y1 and other != own:
                        return True
        return False

    def crossed(self, start: Point, end: Point) -> bool:
        """Whether the segment passes through a box (a leader line must not strike out a name)."""
        x0, y0 = min(start[0], end[0]), min(start[1], end[1])
        near = {other for key in self._keys((x0, y0, abs(end[0] - start[0]), abs(end[1] - start[1])), 0.0)
                for other in self.cells.get(key, ())}
        return any(segment_crosses_box(start, end, other) for other in near)


def leader_end(point: Point, box: Box) -> Point:
    """Where a leader line from `point` meets the label's box: its nearest point."""
    x, y, w, h = box
    return (min(max(point[0], x), x + w), min(max(point[1], y), y + h))


def segment_crosses_box(start: Point, end: Point, box: Box) -> bool:
    """Liang–Barsky clipping: whether any part of the segment lies inside the box."""
    x, y, w, h = box
    dx, dy = end[0] - start[0], end[1] - start[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, start[0] - x), (dx, x + w - start[0]), (-dy, start[1] - y), (dy, y + h - start[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


# ---------------------------------------------------------------- text
def _chinese_breaks(text: str) -> list[int]:
    """Where a Chinese name may break: at a space or a middle dot, else after every second
    character (shop names are built of two-character words: 可颂/和面包, 禾乐生活/超市),
    never before closing or after opening punctuation, never leaving one character alone."""
    marks = [i for i, ch in enumerate(text) if ch in " ·・" and 0 < i < len(text) - 1]
    if marks:
        return marks
    return [i for i in range(2, len(text) - 1, 2)
            if text[i] not in CLOSING and text[i - 1] not in OPENING]


def line_variants(text: str) -> list[str]:
    """The ways to write a name, "\\n" between lines: one line; two lines from the most even
    break; three lines (English words, or Chinese two-character words: 禾乐/生活/超市); a short
    Chinese name also upright, a character a line, as on Chinese signs. A name is never broken
    inside an English word or a two-character Chinese word."""
    text = " ".join(text.split())
    variants = [text]
    if not text:
        return variants
    if has_cjk(text) and " " not in text:
        breaks = _chinese_breaks(text)
        pieces = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
        pieces = [piece.strip(" ·・") for piece in pieces]
        joiner = ""
    else:
        pieces = text.split(" ")
        joiner = " "
    if len(pieces) >= 2:
        twos = [(joiner.join(pieces[:i]), joiner.join(pieces[i:])) for i in range(1, len(pieces))]
        variants.append("\n".join(min(twos, key=lambda two: max(len(line) for line in two))))
    if len(pieces) >= 3:
        threes = [(joiner.join(pieces[:i]), joiner.join(pieces[i:j]), joiner.join(pieces[j:]))
                  for i in range(1, len(pieces) - 1) for j in range(i + 1, len(pieces))]
        variants.append("\n".join(min(threes, key=lambda three: max(len(line) for line in three))))
    if has_cjk(text) and 2 <= len(text) <= 4 and all(has_cjk(ch) for ch in text):
        variants.append("\n".join(text))
    return variants


# ---------------------------------------------------------------- placing
@dataclass
class _Candidate:
    text: str
    font_size: float
    size: tuple[float, float]


@dataclass
class LabelPlan:
    """The outcome of a placement: what was drawn, and what had to be left out."""

    placed: list[PlacedLabel] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _candidates(text: str, sizes: Sequence[float], measure: Measure) -> list[_Candidate]:
    """Largest font first; at each size, one line before two."""
    return [_Candidate(variant, size, measure(variant, size)) for size in sizes for variant in line_variants(text)]


def place_labels(requests: Sequence[LabelRequest], measure: Measure, sizes: Sequence[float], view: Box,
                 obstacles: Iterable[Box] = (), gap: float = LABEL_GAP_PX,
                 dense_sizes: Sequence[float] = ()) -> LabelPlan:
    """The placement that names the most: with every size; when that drops names, without the
    two largest (big names inside big units can crowd out their neighbours); and when names
    are still left out (a dense floor), with `dense_sizes` too — smaller sizes kept for such
    floors only, so a plan with room never takes them. Each makes room for the names it left
    out by moving a neighbour (see _make_room)."""
    obstacles = list(obstacles)
    best = _place_at(requests, measure, sizes, view, obstacles, gap)
    ordered = sorted(sizes, reverse=True)
    tries = [ordered[2:]] if len(sizes) > 2 else []
    if dense_sizes:
        tries.append([*ordered[2:], *sorted(dense_sizes, reverse=True)])
    for attempt in tries:
        if not best.dropped:
            break
        plan = _place_at(requests, measure, attempt, view, obstacles, gap)
        if len(plan.placed) > len(best.placed):
            best = plan
    return best


Spot = tuple[Box, str, float, "Point | None"]
"""A place a name may take: (box, text, font size, the point its leader line goes to or None)."""


def _place_at(requests: Sequence[LabelRequest], measure: Measure, sizes: Sequence[float], view: Box,
              obstacles: Iterable[Box], gap: float) -> LabelPlan:
    """Place the requests' labels: first every name that fits inside its own unit (the largest
    size that does), then the others spilling into the corridor or standing off with a leader
    line, highest priority first and, on a tie, the unit with the least room first. Every label
    stays inside `view`, clear of `obstacles` (markers, controls) and of the labels placed
    before it; a name with no free place is dropped at this zoom."""
    taken = BoxIndex(obstacles)
    labels = BoxIndex()
    prepared = []
    for request in requests:
        if not request.text.strip() or len(request.polygon) < 3:
            continue
        if request.pole is not None:
            pole, room = request.pole, edge_distance(*request.pole, request.polygon)
        else:
            pole, room = pole_of_inaccessibility(request.polygon, precision=max(1.0, min(sizes) / 8))
        allowed = [size for size in sizes if size >= request.min_font] or [max(sizes)]
        prepared.append((request, pole, room, _candidates(request.text, allowed, measure)))
    prepared.sort(key=lambda item: (-item[0].priority, item[2]))
    # Each unit's deepest point stays uncovered by other units' names while it may still need a
    # leader line to it: until its own name is placed beside it, or it is left out.
    poles = BoxIndex(_pole_box(item[1]) for item in prepared)

    def free(box: Box, pole: Point | None = None) -> bool:
        return (box_within(box, view) and not taken.hits(box, gap) and not labels.hits(box, gap)
                and (pole is None or not poles.hits_other_than(box, _pole_box(pole))))

    def fits(spot: Spot, pole: Point) -> bool:
        box, _text, _size, leader = spot
        return free(box, pole) and (leader is None or not labels.crossed(pole, leader_end(pole, box)))

    placed: dict[str, PlacedLabel] = {}
    for request, (px, py), _room, candidates in prepared:
        for candidate in candidates:
            w, h = candidate.size
            box = (px - w / 2, py - h / 2, w, h)
            room_box = (px - w / 2 / INSIDE_MARGIN, py - h / 2 / INSIDE_MARGIN, w / INSIDE_MARGIN, h / INSIDE_MARGIN)
            if box_in_polygon(room_box, request.polygon) and free(box):
                placed[request.key] = PlacedLabel(request.key, candidate.text, candidate.font_size, box, inside=True)
                labels.add(box)
                poles.remove(_pole_box((px, py)))
                break
    # The others, each beside its unit (spilling into the corridor) or else standing off with a
    # leader line. A second sweep retries the names left out once the points kept for them are
    # free too (no leader line will go there).
    for retry in (False, True):
        left = [item for item in prepared if item[0].key not in placed]
        if retry:
            for item in left:
                poles.remove(_pole_box(item[1]))
        for request, pole, _room, candidates in left:
            spot = next((spot for spot in _spots(pole, candidates) if fits(spot, pole)), None)
            if spot is None or (retry and spot[3] is not None and labels.hits(_pole_box(pole), 0.0)):
                continue  # (a leader's point already under a name of this sweep)
            placed[request.key] = _label(request, spot)
            labels.add(spot[0])
            if spot[3] is None:
                poles.remove(_pole_box(pole))
            elif retry:
                poles.add(_pole_box(pole))
    _make_room(prepared, placed, labels, poles, fits, gap)
    order = [item[0].key for item in prepared]
    return LabelPlan(placed=[placed[key] for key in order if key in placed],
                     dropped=[key for key in order if key not in placed])


def _label(request: LabelRequest, spot: Spot) -> PlacedLabel:
    box, text, font_size, leader = spot
    return PlacedLabel(request.key, text, font_size, box,
                       inside=leader is None and box_in_polygon(box, request.polygon), leader=leader)


def _pole_box(pole: Point) -> Box:
    return (pole[0] - POLE_KEEP_PX, pole[1] - POLE_KEEP_PX, 2 * POLE_KEEP_PX, 2 * POLE_KEEP_PX)


def _make_room(prepared: list, placed: dict[str, PlacedLabel], labels: BoxIndex, poles: BoxIndex,
               fits: Callable[[Spot, Point], bool], gap: float) -> None:
    """For each name still left out, a place where a single other name (not one inside its own
    unit, nor of higher priority) is in the way, when that name can move to another free place
    of its own; at most MOVES_TRIED such places a name, the mover trying its MOVER_SPOTS best."""
    by_key = {item[0].key: item for item in prepared}
    for request, pole, _room, candidates in prepared:
        if request.key in placed:
            continue
        by_box = {label.box: label for label in placed.values()}
        tried = 0
        for spot in _spots(pole, candidates):
            if tried >= MOVES_TRIED:
                break
            in_the_way = labels.hitting(spot[0], gap, 1)
            if len(in_the_way) != 1:
                continue
            other = by_box.get(next(iter(in_the_way)))
            if other is None:
                continue
            mover, other_pole, _other_room, other_candidates = by_key[other.key]
            if mover.priority > request.priority or other.inside:
                continue
            tried += 1
            labels.remove(other.box)
            if other.leader is not None:
                poles.remove(_pole_box(other_pole))
            if fits(spot, pole) and (spot[3] is None or not labels.hits(_pole_box(pole), 0.0)):
                labels.add(spot[0])
                if spot[3] is not None:
                    poles.add(_pole_box(pole))
                moved = next((place for place, _ in zip(_spots(other_pole, other_candidates), range(MOVER_SPOTS),
                                                        strict=False)
                              if place[0] != other.box and fits(place, other_pole)
                              and (place[3] is None or not labels.hits(_pole_box(other_pole), 0.0))), None)
                if moved is not None:
                    placed[request.key] = _label(request, spot)
                    placed[other.key] = _label(mover, moved)
                    labels.add(moved[0])
                    if moved[3] is not None:
                        poles.add(_pole_box(other_pole))
                    break
                labels.remove(spot[0])
                if spot[3] is not None:
                    poles.remove(_pole_box(pole))
            labels.add(other.box)
            if other.leader is not None:
                poles.add(_pole_box(other_pole))


def _spots(pole: Point, candidates: list[_Candidate]) -> Iterator[Spot]:
    """Every place a unit's name may take, best first. Beside the unit, covering or touching its
    deepest point: the largest size first and, at one size, the narrowest writing first (it
    covers the fewest neighbours). Then standing off, with a leader line to that point: the
    smallest size, nearest first, one line before two."""
    px, py = pole
    for candidate in sorted(candidates, key=lambda c: (-c.font_size, c.size[0])):
        w, h = candidate.size
        for share_x, share_y in SPILL_SHIFTS:
            yield (px - w * share_x, py - h * share_y, w, h), candidate.text, candidate.font_size, None
    smallest = min(candidate.font_size for candidate in candidates)
    writings = sorted((c for c in candidates if c.font_size == smallest), key=lambda c: c.size[1])
    reach = writings[0].size[1]
    for step in LEADER_STEPS:
        for candidate in writings:
            w, h = candidate.size
            for turn in range(LEADER_DIRECTIONS):
                angle = 2 * math.pi * turn / LEADER_DIRECTIONS
                # the box's centre on an ellipse about the point, just clear of it
                cx = px + math.cos(angle) * (w / 2 + step * reach * 0.6)
                cy = py + math.sin(angle) * (h / 2 + step * reach * 0.6)
                yield (cx - w / 2, cy - h / 2, w, h), candidate.text, candidate.font_size, pole


# ---------------------------------------------------------------- where a shape's name goes
LABELLED_KINDS = ("unit", "facility", "landmark", "atrium")
"""The kinds of plan shape that carry a name."""

_POLES: dict[tuple[int, float], tuple[PlanShape, tuple[float, float]]] = {}
"""(id of a shape, heading) → (the shape, its deepest point in turned level metres), shared by
every plan and filled ahead by prepare_plan_labels; the shape is kept so its id stays its own."""


def shape_pole(shape: PlanShape, outline: list[float], heading_deg: float) -> tuple[float, float]:
    """A shape's deepest point in turned level metres (`outline`), found once per shape and heading
    (a turn, a scale and a shift keep it the deepest point): most of a dense floor's first placing."""
    key = (id(shape), heading_deg)
    kept = _POLES.get(key)
    if kept is not None and kept[0] is shape:
        return kept[1]
    polygon = list(zip(outline[0::2], outline[1::2], strict=False))
    xs, ys = outline[0::2], outline[1::2]
    span = min(max(xs) - min(xs), max(ys) - min(ys))
    pole, _room = pole_of_inaccessibility(polygon, precision=max(span / 40, 1e-3))
    if len(_POLES) > 20000:
        _POLES.clear()
    _POLES[key] = (shape, pole)
    return pole


def prepare_plan_labels(level: Level, heading_deg: float) -> None:
    """Find ahead, off the UI thread, what placing the names of `level` turned by `heading_deg`
    needs before any view of it: the deepest point of every shape that may carry a name."""
    for shape in level.plan:
        if shape.kind in LABELLED_KINDS and len(shape.polygon) >= 3:
            shape_pole(shape, [c for x, y in shape.polygon for c in rotate(x, y, heading_deg)], heading_deg)


def shape_pole_kept(shape: PlanShape, heading_deg: float) -> bool:
    """Whether the deepest point of `shape` turned by `heading_deg` is already known."""
    return _POLES.get((id(shape), heading_deg), (None,))[0] is shape
