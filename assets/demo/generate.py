"""Generate the demo mall: assets/demo/mall.json and the images in assets/demo/images/.

Deterministic: a fixed random seed, fixed geometry, and dates computed from one base year
(the current year unless --year is given), so two runs in the same year write identical files.

    python assets/demo/generate.py                    # rewrite assets/demo
    python assets/demo/generate.py --out /tmp/demo    # somewhere else
    python assets/demo/generate.py --preview /tmp/plans   # also draw each level's plan and graph

The mall is fictional: 星河汇购物中心 / Galaxy Harbour Mall, five levels (B1, 1F-4F) around a
central atrium with two wings. Coordinates are metres, level-local, origin bottom-left, y up.
Image references in mall.json are file names relative to the output directory; the loader in
sync/bundle.py replaces them with the SHA-256 of the files.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
for _path in (str(HERE), str(REPO)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import drawing  # noqa: E402
from catalogue import (  # noqa: E402
    CATEGORIES,
    MALL_EN,
    MALL_ZH,
    PROMOTIONS,
    STORES,
    PromotionSpec,
    StoreSpec,
)
from hanzi_traditional import to_traditional  # noqa: E402

from sync.protocol import MallContent  # noqa: E402

SEED = 20260101
MALL_ID = "galaxy-harbour"
LEVEL_WIDTH_M = 200.0
LEVEL_HEIGHT_M = 90.0
FLOOR_HEIGHT_M = 5.0
NODE_SPACING_M = 2.5
ESCALATOR_SECONDS = 45.0
STAIRS_SECONDS = 60.0
STAIR_FLIGHT_M = 15.0
LIFT_WAIT_SECONDS = 110.0
LIFT_SECONDS_PER_FLOOR = 10.0

# Corridor and unit geometry shared by every level (metres).
CORRIDOR_Y = 50.0           # centre line of the east-west mall street
CORRIDOR_HALF = 4.0         # the street is 8 m wide: y 46-54
WEST_END_X, EAST_END_X = 4.0, 180.0
WING_WEST = (20.0, 74.0)    # shop fronts of the west wing
WING_EAST = (110.0, 164.0)  # shop fronts of the east wing
RING = (74.0, 32.0, 110.0, 68.0)   # atrium ring, outer edge
VOID = (82.0, 40.0, 102.0, 60.0)   # atrium void (1F-4F) / sunken plaza floor (B1)
RING_CENTRE = (78.0, 36.0, 106.0, 64.0)  # the ring's walking line
ATRIUM_X = 92.0

LEVELS = [
    # id, short name, ordinal, zh name, en name
    ("b1", "B1", -1, "B1 超市 · 美食 · 停车场", "B1 · Supermarket, Food Court & Parking"),
    ("1f", "1F", 0, "1F 美妆 · 珠宝 · 咖啡", "1F · Beauty, Jewellery & Cafés"),
    ("2f", "2F", 1, "2F 时尚 · 鞋包", "2F · Fashion, Shoes & Bags"),
    ("3f", "3F", 2, "3F 运动 · 亲子 · 数码 · 家居", "3F · Sports, Kids, Digital & Home"),
    ("4f", "4F", 3, "4F 餐饮 · 影城 · 娱乐", "4F · Dining, Cinema & Fun"),
]
LEVEL_IDS = [level[0] for level in LEVELS]
SHORT_NAME = {level[0]: level[1] for level in LEVELS}

ALL_WEEK = [0, 1, 2, 3, 4, 5, 6]


def _hours(*ranges: tuple[list[int], str, str]) -> list[dict]:
    return [{"weekdays": days, "open": opens, "close": closes} for days, opens, closes in ranges]


MALL_HOURS = _hours((ALL_WEEK, "10:00", "22:00"))
HOURS_PATTERNS: dict[str, list[dict]] = {
    "mall": [],
    "supermarket": _hours((ALL_WEEK, "09:00", "22:00")),
    "breakfast": _hours((ALL_WEEK, "07:30", "22:00")),
    "pharmacy": _hours((ALL_WEEK, "08:30", "22:00")),
    "convenience": _hours((ALL_WEEK, "07:00", "23:00")),
    "closed_sunday": _hours(([0, 1, 2, 3, 4, 5], "10:00", "22:00")),
    "closed_monday": _hours(([1, 2, 3, 4, 5, 6], "10:00", "22:00")),
    "closed_tuesday": _hours(([0, 2, 3, 4, 5, 6], "10:00", "22:00")),
    "bank": _hours(([0, 1, 2, 3, 4], "09:30", "17:00"), ([5, 6], "10:00", "16:00")),
    "late": _hours((ALL_WEEK, "10:00", "23:00")),
    "late_dining": _hours((ALL_WEEK, "11:00", "02:00")),
    "cinema": _hours(([6, 0, 1, 2, 3], "10:00", "24:00"), ([4, 5], "10:00", "01:30")),
    "ktv": _hours((ALL_WEEK, "12:00", "02:00")),
    "bar": _hours((ALL_WEEK, "17:00", "01:00")),
}


def text(zh: str, en: str) -> dict:
    """A three-language text; zh_TW is derived from zh_CN."""
    return {"zh_CN": zh, "en": en, "zh_TW": to_traditional(zh)}


def keywords_with_traditional(keywords: tuple[str, ...]) -> list[str]:
    """The keywords, each Chinese one followed by its Traditional form when that differs."""
    out: list[str] = []
    for word in keywords:
        for form in (word, to_traditional(word)):
            if form not in out:
                out.append(form)
    return out


def rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def octagon(cx: float, cy: float, r: float) -> list[list[float]]:
    return [[round(cx + r * math.cos(math.pi / 8 + k * math.pi / 4), 2),
             round(cy + r * math.sin(math.pi / 8 + k * math.pi / 4), 2)] for k in range(8)]


# ---------------------------------------------------------------- the path graph
class Graph:
    """Nodes and edges of the whole mall; nodes on a level are unique by coordinate."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict] = {}
        self.edges: list[dict] = []
        self._by_position: dict[tuple[str, float, float], str] = {}
        self._counter: dict[str, int] = {}
        self._edge_keys: set[tuple[str, str, str]] = set()
        self.walkway_nodes: dict[str, list[str]] = {}
        """Per level, the nodes placed along walking lines (not doors, kiosks or connectors)."""

    def node(self, level: str, x: float, y: float, node_id: str | None = None) -> str:
        """A node with `node_id`, or (without one) the walkway node at (x, y), made if new."""
        key = (level, round(x, 2), round(y, 2))
        if node_id is None:
            if key in self._by_position:
                return self._by_position[key]
            self._counter[level] = self._counter.get(level, 0) + 1
            node_id = f"{level}-n{self._counter[level]:04d}"
            self._by_position[key] = node_id
            self.walkway_nodes.setdefault(level, []).append(node_id)
        if node_id in self.nodes:
            raise ValueError(f"duplicate node id {node_id}")
        self.nodes[node_id] = {"id": node_id, "level_id": level, "x": key[1], "y": key[2]}
        return node_id

    def mark_landmark(self, node_id: str, zh: str, en: str) -> None:
        self.nodes[node_id]["landmark"] = text(zh, en)

    def distance(self, a: str, b: str) -> float:
        na, nb = self.nodes[a], self.nodes[b]
        return math.hypot(na["x"] - nb["x"], na["y"] - nb["y"])

    def edge(self, a: str, b: str, kind: str = "walk", *, length: float | None = None,
             seconds: float | None = None, directed: bool = False,
             connector_id: str | None = None) -> None:
        if a == b:
            return
        key = (a, b, kind) if directed else (min(a, b), max(a, b), kind)
        if key in self._edge_keys:
            return
        self._edge_keys.add(key)
        edge = {"a": a, "b": b, "kind": kind,
                "length_m": round(self.distance(a, b) if length is None else length, 2)}
        if seconds is not None:
            edge["seconds"] = seconds
        if directed:
            edge["directed"] = True
        if connector_id is not None:
            edge["connector_id"] = connector_id
        self.edges.append(edge)


@dataclass
class Segment:
    """A straight walking line; nodes are placed along it when the level is built."""

    p: tuple[float, float]
    q: tuple[float, float]
    stops: list[float] = field(default_factory=list)

    @property
    def length(self) -> float:
        return math.hypot(self.q[0] - self.p[0], self.q[1] - self.p[1])

    def project(self, x: float, y: float) -> tuple[float, float]:
        """(t along the segment in metres, distance from it) for the nearest point."""
        dx, dy = self.q[0] - self.p[0], self.q[1] - self.p[1]
        length = self.length
        t = ((x - self.p[0]) * dx + (y - self.p[1]) * dy) / length
        t = min(max(t, 0.0), length)
        px, py = self.point(t)
        return t, math.hypot(x - px, y - py)

    def point(self, t: float) -> tuple[float, float]:
        f = t / self.length
        return (self.p[0] + f * (self.q[0] - self.p[0]), self.p[1] + f * (self.q[1] - self.p[1]))


class WalkNetwork:
    """The walking lines of one level and the places (doors, kiosks) hooked onto them."""

    def __init__(self, graph: Graph, level: str) -> None:
        self.graph = graph
        self.level = level
        self.segments: list[Segment] = []
        self._hooks: list[tuple[str, Segment, float]] = []
        self._landmarks: list[tuple[Segment, float, str, str]] = []

    def line(self, *points: tuple[float, float]) -> None:
        for p, q in pairwise(points):
            self.segments.append(Segment(p, q))

    def _nearest(self, x: float, y: float) -> tuple[Segment, float]:
        best = min(self.segments, key=lambda s: s.project(x, y)[1])
        return best, best.project(x, y)[0]

    def hook(self, node_id: str) -> None:
        """Connect an existing node (a door, a kiosk) to the nearest walking line."""
        node = self.graph.nodes[node_id]
        segment, t = self._nearest(node["x"], node["y"])
        segment.stops.append(t)
        self._hooks.append((node_id, segment, t))

    def place(self, node_id: str, x: float, y: float) -> str:
        self.graph.node(self.level, x, y, node_id)
        self.hook(node_id)
        return node_id

    def landmark(self, x: float, y: float, zh: str, en: str) -> None:
        segment, t = self._nearest(x, y)
        segment.stops.append(t)
        self._landmarks.append((segment, t, zh, en))

    def build(self) -> None:
        """Place nodes along every line (junctions, hooks, then every NODE_SPACING_M at most)."""
        for segment in self.segments:
            for other in self.segments:
                if other is segment:
                    continue
                for end in (other.p, other.q):
                    t, distance = segment.project(*end)
                    if distance < 1e-6:
                        segment.stops.append(t)
        for segment in self.segments:
            stops = sorted({0.0, segment.length, *[round(t, 3) for t in segment.stops]})
            merged: list[float] = []
            for t in stops:
                if merged and t - merged[-1] < 0.3:
                    continue
                merged.append(t)
            merged[-1] = segment.length
            chain: list[str] = []
            for start, end in pairwise(merged):
                pieces = max(1, math.ceil((end - start) / NODE_SPACING_M - 1e-9))
                for k in range(pieces):
                    chain.append(self.graph.node(self.level, *segment.point(start + (end - start) * k / pieces)))
            chain.append(self.graph.node(self.level, *segment.point(segment.length)))
            for a, b in pairwise(chain):
                self.graph.edge(a, b)
        for node_id, segment, t in self._hooks:
            self.graph.edge(node_id, self._station(segment, t))
        for segment, t, zh, en in self._landmarks:
            self.graph.mark_landmark(self._station(segment, t), zh, en)

    def _station(self, segment: Segment, t: float) -> str:
        """The node on `segment` nearest to position t (there is one within 0.3 m)."""
        x, y = segment.point(t)
        nodes = self.graph.nodes
        candidates = [nodes[n] for n in self.graph.walkway_nodes[self.level]
                      if abs(nodes[n]["x"] - x) < 0.35 and abs(nodes[n]["y"] - y) < 0.35]
        best = min(candidates, key=lambda n: math.hypot(n["x"] - x, n["y"] - y))
        return best["id"]


# ---------------------------------------------------------------- the mall
@dataclass
class LevelPlan:
    level: str
    shapes: list[dict] = field(default_factory=list)
    walk: WalkNetwork | None = None

    def shape(self, kind: str, polygon: list, label: dict | None = None,
              ref: str | None = None) -> None:
        shape = {"kind": kind, "polygon": [[round(float(x), 2), round(float(y), 2)] for x, y in polygon]}
        if label is not None:
            shape["label"] = label
        if ref is not None:
            shape["ref"] = ref
        self.shapes.append(shape)


class MallBuilder:
    def __init__(self, base_year: int) -> None:
        self.base_year = base_year
        self.rng = random.Random(SEED)
        self.graph = Graph()
        self.stores: list[dict] = []
        self.facilities: list[dict] = []
        self.kiosks: list[dict] = []
        self.plans: dict[str, LevelPlan] = {}
        self.logos: dict[str, tuple[str, StoreSpec]] = {}

    # -- helpers
    def phone(self) -> str:
        return f"021-6{self.rng.randint(0, 9999999):07d}"

    def facility(self, plan: LevelPlan, facility_id: str, kind: str, zh: str, en: str,
                 door: tuple[float, float], room: list | None = None,
                 node_id: str | None = None, hook: bool = True) -> str:
        """Add a facility with its own node at `door` (hooked onto the walking lines unless
        `hook` is False), or at an existing `node_id`; `room` is its shape on the plan."""
        if node_id is None:
            node_id = f"fac-{facility_id}"
            self.graph.node(plan.level, door[0], door[1], node_id)
            if hook:
                plan.walk.hook(node_id)
        facility = {"id": facility_id, "kind": kind, "name": text(zh, en),
                    "level_id": plan.level, "node_id": node_id}
        self.facilities.append(facility)
        if room is not None:
            plan.shape("facility", room, text(zh, en), facility_id)
        return node_id

    # -- levels
    def build(self) -> dict:
        for level_id in LEVEL_IDS:
            plan = LevelPlan(level_id)
            plan.walk = WalkNetwork(self.graph, level_id)
            self.plans[level_id] = plan
            self.lay_out_level(plan)
        self.lay_out_escalators()
        for plan in self.plans.values():
            plan.walk.build()
        self.connect_lifts_and_stairs()
        return self.document()

    def lay_out_level(self, plan: LevelPlan) -> None:
        level = plan.level
        walk = plan.walk
        rx0, ry0, rx1, ry1 = RING
        # Outline: two wings and the atrium block; 1F has the main lobby to the south,
        # B1 the car-park lobby to the east.
        outline = [[WEST_END_X, 28], [rx0, 28], [rx0, 14]]
        if level == "1f":
            outline += [[84, 14], [84, 2], [100, 2], [100, 14]]
        outline += [[rx1, 14], [rx1, 28], [EAST_END_X, 28]]
        if level == "b1":
            outline += [[EAST_END_X, 38], [196, 38], [196, 62], [EAST_END_X, 62]]
        outline += [[EAST_END_X, 72], [rx1, 72], [rx1, 86], [rx0, 86], [rx0, 72], [WEST_END_X, 72]]
        plan.shape("outline", outline, text(f"{SHORT_NAME[level]} {MALL_ZH}", f"{SHORT_NAME[level]} {MALL_EN}"))

        # Corridors: the mall street through both wings and the ring around the atrium.
        street = text("商业街", "Mall street")
        plan.shape("corridor", rect(WEST_END_X, CORRIDOR_Y - CORRIDOR_HALF, rx0, CORRIDOR_Y + CORRIDOR_HALF), street)
        plan.shape("corridor", rect(rx1, CORRIDOR_Y - CORRIDOR_HALF, EAST_END_X, CORRIDOR_Y + CORRIDOR_HALF), street)
        plan.shape("corridor", rect(rx0, ry0, rx1, ry1), text("中庭回廊", "Atrium walkway"))
        vx0, vy0, vx1, vy1 = VOID
        if level == "b1":
            plan.shape("atrium", rect(vx0, vy0, vx1, vy1), text("下沉广场", "Sunken Plaza"))
        else:
            plan.shape("void", rect(vx0, vy0, vx1, vy1), text("中庭", "Atrium"))

        cx0, cy0, cx1, cy1 = RING_CENTRE
        east_street_end = 186.0 if level == "b1" else EAST_END_X - 2
        walk.line((WEST_END_X + 2, CORRIDOR_Y), (cx0, CORRIDOR_Y))
        walk.line((cx1, CORRIDOR_Y), (east_street_end, CORRIDOR_Y))
        walk.line((cx0, cy0), (cx1, cy0), (cx1, cy1), (cx0, cy1), (cx0, cy0))
        if level == "b1":
            walk.line((ATRIUM_X, cy0), (ATRIUM_X, cy1))  # across the sunken plaza

        self.lay_out_stores(plan)
        self.lay_out_service_blocks(plan)
        if level == "1f":
            self.lay_out_lobby(plan)
        if level == "b1":
            self.lay_out_basement(plan)
        if level == "3f":  # at the railing by the escalators, looking south over the atrium
            self.kiosk(plan, "atrium-3f", "3F 中庭", "3F atrium", (ATRIUM_X, 61.5), 180.0)

    def store_sides(self, level: str) -> list[tuple[str, list[tuple[float, float]], float, float, float]]:
        """(side, x-intervals, y0, y1, door y) for each row of shops on the level."""
        rx0, ry0, rx1, ry1 = RING
        north = (CORRIDOR_Y + CORRIDOR_HALF, CORRIDOR_Y + CORRIDOR_HALF + 18, CORRIDOR_Y + CORRIDOR_HALF)
        south = (CORRIDOR_Y - CORRIDOR_HALF - 18, CORRIDOR_Y - CORRIDOR_HALF, CORRIDOR_Y - CORRIDOR_HALF)
        atrium_north = [(rx0, rx1)]
        atrium_south = [(rx0, rx1)]
        if level == "1f":
            atrium_north = [(rx0, 86.0), (98.0, rx1)]
            atrium_south = [(rx0, 84.0), (100.0, rx1)]
        return [
            ("west_north", [WING_WEST], *north),
            ("atrium_north", atrium_north, ry1, 86.0, ry1),
            ("east_north", [WING_EAST], *north),
            ("east_south", [WING_EAST], *south),
            ("atrium_south", atrium_south, 14.0, ry0, ry0),
            ("west_south", [WING_WEST], *south),
        ]

    def lay_out_stores(self, plan: LevelPlan) -> None:
        level = plan.level
        catalogue = STORES[level]
        number = 0
        for side, intervals, y0, y1, door_y in self.store_sides(level):
            if side == "east_north" and level == "b1":
                self.lay_out_food_court(plan, catalogue["food_court"])
                continue
            specs = catalogue.get(side, [])
            if not specs:
                continue
            if len(specs) % len(intervals):
                raise ValueError(f"{level} {side}: {len(specs)} stores on {len(intervals)} pieces")
            per_piece = len(specs) // len(intervals)
            units = []
            for piece, (x0, x1) in enumerate(intervals):
                group = specs[piece * per_piece:(piece + 1) * per_piece]
                total = sum(spec.span for spec in group)
                x = x0
                for spec in group:
                    width = (x1 - x0) * spec.span / total
                    units.append((spec, round(x, 2), round(x + width, 2)))
                    x += width
            if side.endswith("south"):
                units.reverse()  # numbers run clockwise: north sides west to east, south sides back
            for spec, ux0, ux1 in units:
                number += 1
                self.add_store(plan, spec, f"{SHORT_NAME[level]}-{number:02d}",
                               rect(ux0, y0, ux1, y1), ((ux0 + ux1) / 2, door_y))

    def add_store(self, plan: LevelPlan, spec: StoreSpec, unit: str, polygon: list,
                  door: tuple[float, float]) -> None:
        store_id = spec.slug
        node_id = f"door-{store_id}"
        self.graph.node(plan.level, door[0], door[1], node_id)
        plan.walk.hook(node_id)
        plan.shape("unit", polygon, text(spec.zh, spec.en), store_id)
        store = {
            "id": store_id,
            "name": text(spec.zh, spec.en),
            "category_id": spec.category,
            "level_id": plan.level,
            "unit": unit,
            "node_id": node_id,
            "hours": HOURS_PATTERNS[spec.hours],
            "phone": self.phone(),
            "description": text(spec.desc_zh, spec.desc_en),
            "keywords": keywords_with_traditional(spec.keywords),
        }
        if spec.logo:
            store["logo_sha256"] = f"images/logo-{store_id}.png"
            self.logos[store_id] = (store["logo_sha256"], spec)
        self.stores.append(store)

    def lay_out_food_court(self, plan: LevelPlan, specs: list[StoreSpec]) -> None:
        x0, x1 = WING_EAST
        seat_y0, stall_y0, stall_y1 = CORRIDOR_Y + CORRIDOR_HALF, 64.0, 72.0
        plan.shape("corridor", rect(x0, seat_y0, x1, stall_y0), text("美食广场 就餐区", "Food Court seating"))
        aisle_y = 61.0
        plan.walk.line((x0 + 2, aisle_y), (x1 - 2, aisle_y))
        for x in (x0 + 6, (x0 + x1) / 2, x1 - 6):
            plan.walk.line((x, aisle_y), (x, CORRIDOR_Y))
        plan.walk.landmark((x0 + x1) / 2, aisle_y, "美食广场", "the Food Court")
        width = (x1 - x0) / len(specs)
        for k, spec in enumerate(specs):
            ux0, ux1 = round(x0 + k * width, 2), round(x0 + (k + 1) * width, 2)
            self.add_store(plan, spec, f"B1-F{k + 1:02d}", rect(ux0, stall_y0, ux1, stall_y1),
                           ((ux0 + ux1) / 2, stall_y0))

    def lay_out_service_blocks(self, plan: LevelPlan) -> None:
        """Restrooms, nursing room, stairs and lifts at both ends of the mall street."""
        level = plan.level
        top, bottom = CORRIDOR_Y + CORRIDOR_HALF, CORRIDOR_Y - CORRIDOR_HALF
        self.facility(plan, f"restroom-w-{level}", "restroom", "洗手间（西）", "Restrooms (west)",
                      (7.5, top), rect(4, top, 11, 66))
        self.facility(plan, f"accessible-w-{level}", "accessible_restroom", "无障碍洗手间（西）",
                      "Accessible restroom (west)", (13, top), rect(11, top, 15, 62))
        self.facility(plan, f"nursing-w-{level}", "nursing_room", "母婴室", "Nursing room",
                      (17.5, top), rect(15, top, 20, 62))
        self.facility(plan, f"stairs-w-{level}", "stairs", "西侧楼梯", "West stairs",
                      (7.5, bottom), rect(4, 34, 11, bottom))
        self.facility(plan, f"lift-a-{level}", "lift", "A梯（全层）", "Lift A (all floors)",
                      (16, bottom), rect(13, 38, 19, bottom))
        plan.walk.landmark(16, CORRIDOR_Y, "A梯厅", "the Lift A lobby")

        if level == "3f":
            self.facility(plan, "nursing-e-3f", "nursing_room", "母婴室（亲子区）",
                          "Nursing room (family zone)", (166.5, top), rect(164, top, 169, 62))
        else:
            self.facility(plan, f"charging-e-{level}", "charging", "手机充电站", "Phone charging",
                          (166.5, top), rect(164, top, 169, 58))
        self.facility(plan, f"accessible-e-{level}", "accessible_restroom", "无障碍洗手间（东）",
                      "Accessible restroom (east)", (171, top), rect(169, top, 173, 62))
        self.facility(plan, f"restroom-e-{level}", "restroom", "洗手间（东）", "Restrooms (east)",
                      (176.5, top), rect(173, top, 180, 66))
        self.facility(plan, f"lift-b-{level}", "lift", "B梯（停车场电梯）", "Lift B (car park lift)",
                      (168, bottom), rect(165, 38, 171, bottom))
        self.facility(plan, f"stairs-e-{level}", "stairs", "东侧楼梯", "East stairs",
                      (176.5, bottom), rect(173, 34, 180, bottom))
        plan.walk.landmark(168, CORRIDOR_Y, "B梯厅", "the Lift B lobby")

        if level in ("1f", "b1"):
            west_zh, west_en = ("西门", "West entrance") if level == "1f" else \
                ("地铁出口 · 星河路站", "Metro exit · Xinghe Road station")
            self.facility(plan, f"exit-west-{level}", "exit", west_zh, west_en, (WEST_END_X + 0.5, CORRIDOR_Y))
        if level == "1f":
            self.facility(plan, "exit-east-1f", "exit", "东门", "East entrance", (EAST_END_X - 0.5, CORRIDOR_Y))
        if level == "2f":
            self.facility(plan, "atm-2f", "atm", "自动取款机", "ATM", (75.8, 34.25),
                          rect(74, 33, 75.2, 35.5))
        if level == "4f":
            plan.walk.landmark(137, CORRIDOR_Y, "影城入口", "the cinema entrance")
        if level == "2f":
            # between two shop doors, by the north edge of the street
            plan.shape("landmark", octagon(142.4, 52.6, 1.2), text("星帆雕塑", "Star Sail sculpture"))
            plan.walk.landmark(142.4, CORRIDOR_Y, "星帆雕塑", "the Star Sail sculpture")

    def lay_out_lobby(self, plan: LevelPlan) -> None:
        """1F: main lobby with the fountain and the service desk; north gate."""
        walk = plan.walk
        ry0, ry1 = RING[1], RING[3]
        cy0, cy1 = RING_CENTRE[1], RING_CENTRE[3]
        plan.shape("corridor", rect(84, 2, 100, ry0), text("正门大堂", "Main lobby"))
        plan.shape("corridor", rect(86, ry1, 98, 86), text("北门通道", "North entrance hall"))
        plan.shape("landmark", octagon(ATRIUM_X, 16, 3), text("音乐喷泉", "Fountain"))
        walk.line((ATRIUM_X, 4), (ATRIUM_X, 10))
        walk.line((ATRIUM_X, 10), (87.5, 12.5), (87.5, 19.5), (ATRIUM_X, 22))
        walk.line((ATRIUM_X, 10), (96.5, 12.5), (96.5, 19.5), (ATRIUM_X, 22))
        walk.line((ATRIUM_X, 22), (ATRIUM_X, cy0))
        walk.line((ATRIUM_X, cy1), (ATRIUM_X, 84))
        walk.landmark(ATRIUM_X, 22, "喷泉", "the fountain")
        walk.landmark(ATRIUM_X, 76, "北门通道", "the north entrance hall")

        self.facility(plan, "exit-south-1f", "exit", "南门（正门）", "South entrance (main)", (ATRIUM_X, 2.5))
        self.facility(plan, "exit-north-1f", "exit", "北门", "North entrance", (ATRIUM_X, 85.5))
        desk = self.facility(plan, "service-desk-1f", "service_desk", "服务台", "Service desk",
                             (96.5, 27), rect(97, 23, 100, 31))
        self.facility(plan, "wheelchair-1f", "wheelchair_lending", "轮椅借用（服务台）",
                      "Wheelchair lending (service desk)", (0, 0), node_id=desk)
        self.facility(plan, "stroller-1f", "stroller_lending", "婴儿车借用（服务台）",
                      "Stroller lending (service desk)", (0, 0), node_id=desk)
        self.facility(plan, "first-aid-1f", "first_aid", "医务室", "First aid room",
                      (87.5, 29), rect(84, 27, 87, 31))
        self.facility(plan, "atm-1f", "atm", "自动取款机", "ATM", (86.5, 7), rect(84, 5.5, 86, 8.5))
        self.kiosk(plan, "lobby-1f", "1F 正门大堂", "1F main lobby", (90.5, 25), 0.0)

    def lay_out_basement(self, plan: LevelPlan) -> None:
        """B1: car-park lobby (lift B, pay stations, ramp to the car park)."""
        walk = plan.walk
        plan.shape("corridor", rect(EAST_END_X, 38, 196, 62), text("停车场电梯厅", "Car-park lobby"))
        ramp = self.facility(plan, "ramp-parking-b1", "ramp", "停车场坡道", "Car-park ramp",
                             (188, CORRIDOR_Y), rect(188, 46, 195, 54))
        exit_node = self.facility(plan, "exit-parking-b1", "exit", "停车场 P1", "Car park P1",
                                  (195.5, CORRIDOR_Y), hook=False)
        self.graph.edge(ramp, exit_node, "ramp", connector_id="ramp-parking-b1")
        self.facility(plan, "parking-pay-1-b1", "parking_pay", "停车缴费机 1", "Parking pay station 1",
                      (182, 58), rect(181, 58, 183, 61))
        self.facility(plan, "parking-pay-2-b1", "parking_pay", "停车缴费机 2", "Parking pay station 2",
                      (186, 58), rect(185, 58, 187, 61))
        self.facility(plan, "atm-b1", "atm", "自动取款机", "ATM", (184, 42), rect(183, 39, 185, 42))
        walk.landmark(184, CORRIDOR_Y, "停车场电梯厅", "the car-park lobby")
        walk.landmark(ATRIUM_X, CORRIDOR_Y, "下沉广场", "the Sunken Plaza")
        self.kiosk(plan, "parking-b1", "B1 停车场电梯厅", "B1 car-park lobby", (186, 52), 270.0)

    def kiosk(self, plan: LevelPlan, kiosk_id: str, zh: str, en: str, at: tuple[float, float],
              heading: float) -> None:
        node_id = plan.walk.place(f"kiosk-{kiosk_id}", *at)
        self.kiosks.append({"id": kiosk_id, "name": text(zh, en), "level_id": plan.level,
                            "node_id": node_id, "heading_deg": heading})

    def lay_out_escalators(self) -> None:
        """Scissor escalators in the atrium, an up and a down between each pair of levels."""
        vy0, vy1 = VOID[1], VOID[3]
        south, north = vy0 - 1.0, vy1 + 1.0
        for i in range(len(LEVELS) - 1):
            lower, upper = self.plans[LEVEL_IDS[i]], self.plans[LEVEL_IDS[i + 1]]
            if i % 2 == 0:
                lanes = [("up", 85.0, (85.0, south), (85.0, north)),
                         ("down", 99.0, (99.0, north), (99.0, south))]
            else:
                lanes = [("up", 88.0, (88.0, north), (88.0, south)),
                         ("down", 96.0, (96.0, south), (96.0, north))]
            for direction, x, board, alight in lanes:
                start, end = (lower, upper) if direction == "up" else (upper, lower)
                start_short, end_short = SHORT_NAME[start.level], SHORT_NAME[end.level]
                facility_id = f"esc-{start.level}-{end.level}-{direction}"
                zh = f"扶梯 {'上行' if direction == 'up' else '下行'}至{end_short}"
                en = f"Escalator {direction} to {end_short}"
                board_node = self.graph.node(start.level, *board, f"esc-{start.level}-{end.level}-board")
                alight_node = self.graph.node(end.level, *alight, f"esc-{start.level}-{end.level}-alight")
                start.walk.hook(board_node)
                end.walk.hook(alight_node)
                self.facilities.append({"id": facility_id, "kind": "escalator", "name": text(zh, en),
                                        "level_id": start.level, "node_id": board_node})
                lane = rect(x - 0.8, vy0, x + 0.8, vy1)
                start.shape("facility", lane, text(zh, en), facility_id)
                end.shape("facility", lane, text(f"扶梯 自{start_short}", f"Escalator from {start_short}"),
                          facility_id)
                length = math.hypot(alight[0] - board[0], alight[1] - board[1], FLOOR_HEIGHT_M)
                self.graph.edge(board_node, alight_node, "escalator", length=length,
                                seconds=ESCALATOR_SECONDS, directed=True, connector_id=facility_id)
        for index, level in enumerate(LEVEL_IDS):
            y = RING_CENTRE[1] if index % 2 == 0 else RING_CENTRE[3]
            self.plans[level].walk.landmark(ATRIUM_X, y, "中庭扶梯", "the atrium escalators")

    def connect_lifts_and_stairs(self) -> None:
        """Lifts join every pair of levels (one shaft = connector of its 1F landing);
        each stair flight belongs to the stairs facility on its lower level."""
        for shaft in ("a", "b"):
            connector = f"lift-{shaft}-1f"
            for i, lower in enumerate(LEVEL_IDS):
                for j in range(i + 1, len(LEVEL_IDS)):
                    upper = LEVEL_IDS[j]
                    floors = j - i
                    self.graph.edge(f"fac-lift-{shaft}-{lower}", f"fac-lift-{shaft}-{upper}", "lift",
                                    length=FLOOR_HEIGHT_M * floors,
                                    seconds=LIFT_WAIT_SECONDS + LIFT_SECONDS_PER_FLOOR * floors,
                                    connector_id=connector)
        for side in ("w", "e"):
            for lower, upper in pairwise(LEVEL_IDS):
                self.graph.edge(f"fac-stairs-{side}-{lower}", f"fac-stairs-{side}-{upper}", "stairs",
                                length=STAIR_FLIGHT_M, seconds=STAIRS_SECONDS,
                                connector_id=f"stairs-{side}-{lower}")

    # -- the document
    def promotion_dates(self, spec: PromotionSpec) -> tuple[str, str]:
        year = self.base_year
        windows = {
            "wide": (date(year, 1, 1), date(year + 1, 12, 31)),
            "summer": (date(year, 6, 1), date(year, 8, 31)),
            "winter": (date(year, 11, 1), date(year + 1, 2, 28)),
        }
        start, end = windows[spec.window]
        return start.isoformat(), end.isoformat()

    def promotion(self, spec: PromotionSpec) -> dict:
        starts_on, ends_on = self.promotion_dates(spec)
        promotion = {
            "id": spec.id,
            "title": text(spec.title_zh, spec.title_en),
            "text": text(spec.text_zh, spec.text_en),
            "image_sha256": spec.image,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "weekdays": list(spec.weekdays),
            "hours_from": spec.hours_from,
            "hours_to": spec.hours_to,
            "priority": spec.priority,
            "target": {"level_ids": list(spec.level_ids), "kiosk_ids": list(spec.kiosk_ids)},
        }
        if spec.store:
            promotion["store_id"] = spec.store
        if spec.category:
            promotion["category_id"] = spec.category
        return promotion

    def document(self) -> dict:
        levels = []
        for level_id, short, ordinal, zh, en in LEVELS:
            plan = self.plans[level_id]
            levels.append({"id": level_id, "short_name": short, "ordinal": ordinal,
                           "name": text(zh, en), "width_m": LEVEL_WIDTH_M,
                           "height_m": LEVEL_HEIGHT_M, "plan": self.ordered_shapes(plan.shapes)})
        return {
            "schema_version": 1,
            "mall": {
                "id": MALL_ID,
                "name": text(MALL_ZH, MALL_EN),
                "timezone": "Asia/Shanghai",
                "hours": MALL_HOURS,
                "service_desk_id": "service-desk-1f",
                "phone": "021-60886000",
            },
            "levels": levels,
            "categories": [{"id": c.id, "name": text(c.zh, c.en), "icon": c.icon} for c in CATEGORIES],
            "stores": self.stores,
            "facilities": self.facilities,
            "promotions": [self.promotion(spec) for spec in PROMOTIONS],
            "graph": {"nodes": list(self.graph.nodes.values()), "edges": self.graph.edges},
            "kiosks": self.kiosks,
            "closed_connectors": [],
        }

    @staticmethod
    def ordered_shapes(shapes: list[dict]) -> list[dict]:
        """Drawing order: outline, floors, atrium, shops, facilities, landmarks."""
        order = {"outline": 0, "corridor": 1, "atrium": 2, "void": 2, "unit": 3, "facility": 4,
                 "landmark": 5}
        return sorted(shapes, key=lambda shape: order[shape["kind"]])


# ---------------------------------------------------------------- output
def dump_json(value, indent: int = 0, width: int = 110) -> str:
    """JSON with short objects and lists on one line, so the file reads and diffs well."""
    compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    is_polygon = isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value)
    if len(compact) + indent <= width or not isinstance(value, (dict, list)) or not value or is_polygon:
        return compact
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dump_json(v, indent + 1, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dump_json(v, indent + 1, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def generate(out_dir: Path, base_year: int | None = None) -> MallContent:
    """Write mall.json and images/ into out_dir; return the content (image refs as file names)."""
    base_year = base_year or date.today().year
    builder = MallBuilder(base_year)
    document = builder.build()
    content = MallContent.model_validate(document)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "images").mkdir(exist_ok=True)
    for spec in PROMOTIONS:
        drawing.draw_promotion(spec, out_dir / spec.image, MALL_ZH, MALL_EN)
    for _store_id, (path, spec) in sorted(builder.logos.items()):
        drawing.draw_logo(spec, out_dir / path)
    (out_dir / "mall.json").write_text(dump_json(document) + "\n", encoding="utf-8")
    return content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (default: assets/demo)")
    parser.add_argument("--year", type=int, default=None, help="base year of promotion dates")
    parser.add_argument("--preview", type=Path, default=None, help="also draw each level's plan here")
    args = parser.parse_args(argv)
    content = generate(args.out, args.year)
    if args.preview:
        drawing.draw_plan_previews(content, args.preview)
    print(f"{args.out / 'mall.json'}: {len(content.levels)} levels, {len(content.stores)} stores, "
          f"{len(content.facilities)} facilities, {len(content.graph.nodes)} nodes, "
          f"{len(content.graph.edges)} edges, {len(content.promotions)} promotions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
