"""Wayfinding: routes over the mall's path graph, per route profile, with closures and directions.

A kiosk never moves, so the router keeps one shortest-path tree per (origin, profile): the first
route from a kiosk costs one Dijkstra over the whole graph, every later route from it is a walk
back along the tree (microseconds). Costs are seconds: walking edges at the profile's speed,
connectors (lifts, escalators) at their own `seconds` when the content gives one.

The graph is compiled once per content into plain lists (node index → [(cost, metres, target,
edge index)]), per profile; closed connectors (`MallContent.closed_connectors`) are left out.
When a closure changes a route, the route says which closed connector it avoids, so the screen
can tell the visitor why ("Lift B is closed").

No Kivy here: the kiosk screens, the phone page on the server and the benchmarks all use it.
"""
from __future__ import annotations

import heapq
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sync.protocol import Edge, I18nText, MallContent
from venue.i18n import load_translations

WALKING_SPEED_MPS = 1.2
"""An adult walking in a mall, unhurried."""
STEP_FREE_SPEED_MPS = 1.0
"""A wheelchair or a pram: a little slower."""
LANDMARK_TURN_DEGREES = 30.0
"""Below this a change of direction at a landmark is "straight on"."""
TURN_PROBE_M = 4.0
"""How far before and after a node the path is sampled to tell its turn (ignores zig-zags)."""
CONNECTOR_KINDS = frozenset({"lift", "escalator", "stairs", "ramp"})


@dataclass(frozen=True)
class Profile:
    id: str
    kinds: frozenset[str]
    """Edge kinds this profile may use."""
    speed_mps: float


PROFILES: dict[str, Profile] = {
    "standard": Profile("standard", frozenset({"walk", "ramp", "stairs", "escalator", "lift"}), WALKING_SPEED_MPS),
    "step_free": Profile("step_free", frozenset({"walk", "ramp", "lift"}), STEP_FREE_SPEED_MPS),
    "pram": Profile("pram", frozenset({"walk", "ramp", "lift"}), STEP_FREE_SPEED_MPS),
    "emergency": Profile("emergency", frozenset({"walk", "ramp", "stairs", "escalator"}), WALKING_SPEED_MPS),
}
"""Route profiles. The three a visitor chooses are standard, step_free and pram; "emergency"
(never a lift) is for the evacuation route."""
VISITOR_PROFILES = ("standard", "step_free", "pram")
PROFILE_LABELS = {"standard": "Fastest", "step_free": "Step-free", "pram": "With a pram"}
"""Message ids (the wayfinding catalog) of the profiles, as the route screen and page name them."""
UNREACHABLE_MESSAGES = {
    "standard": "There is no way to {place} from here.",
    "step_free": "There is no step-free way to {place} from here.",
    "pram": "There is no way to {place} with a pram from here.",
}
"""Message ids for "this profile cannot get there", with the place's name as {place}."""

NEAREST_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "restroom": {"standard": ("restroom", "accessible_restroom"), "pram": ("restroom", "accessible_restroom"),
                 "step_free": ("accessible_restroom",)},
    "nursing_room": {"*": ("nursing_room",)},
    "exit": {"*": ("exit",)},
    "atm": {"*": ("atm",)},
}
"""What "the nearest restroom" means per profile: a wheelchair needs an accessible one."""


GENERIC_CONNECTOR_NAMES = {
    "lift": I18nText(zh_CN="电梯", en="the lift", zh_TW="電梯"),
    "escalator": I18nText(zh_CN="扶梯", en="the escalator", zh_TW="扶梯"),
    "stairs": I18nText(zh_CN="楼梯", en="the stairs", zh_TW="樓梯"),
    "ramp": I18nText(zh_CN="坡道", en="the ramp", zh_TW="坡道"),
}
"""Connectors without a facility of their own are named by their kind."""


class RoutingError(ValueError):
    """An unknown place, kiosk point or profile: a caller's mistake, not a missing route."""


# ---------------------------------------------------------------- places
@dataclass(frozen=True)
class Place:
    """Something a route starts or ends at: a store, a facility or a kiosk point."""

    id: str
    kind: str
    """"store", a facility kind ("lift", "restroom" …), or "kiosk"."""
    name: I18nText
    level_id: str
    node_id: str
    unit: str = ""


def find_place(content: MallContent, place_id: str) -> Place | None:
    """The store, facility or kiosk point with this id, or None."""
    for store in content.stores:
        if store.id == place_id:
            return Place(store.id, "store", store.name, store.level_id, store.node_id, store.unit)
    for facility in content.facilities:
        if facility.id == place_id:
            return Place(facility.id, facility.kind, facility.name, facility.level_id, facility.node_id,
                         facility.unit)
    for kiosk in content.kiosks:
        if kiosk.id == place_id:
            return Place(kiosk.id, "kiosk", kiosk.name, kiosk.level_id, kiosk.node_id)
    return None


def short_connector_name(name: I18nText) -> I18nText:
    """"Lift A (all floors)" → "Lift A": the bracketed part helps a list, not a sentence."""
    def strip(text: str) -> str:
        return re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text).strip() or text

    return I18nText(zh_CN=strip(name.zh_CN), en=strip(name.en), zh_TW=strip(name.zh_TW))


# ---------------------------------------------------------------- the compiled graph
@dataclass
class ShortestPathTree:
    """Dijkstra from one node: seconds and metres to every node, and the edge that reaches it."""

    source: int
    seconds: list[float]
    metres: list[float]
    via_edge: list[int]
    """Index into the graph's edge list of the edge used to reach each node; -1 at the source
    and at unreachable nodes."""
    via_node: list[int]


class RoutingGraph:
    """The path graph of one content version as index lists, with one adjacency per profile."""

    def __init__(self, content: MallContent, closed: Iterable[str] = ()):
        self.content = content
        self.closed = frozenset(closed)
        nodes = content.graph.nodes
        self.node_ids = [node.id for node in nodes]
        self.index = {node_id: i for i, node_id in enumerate(self.node_ids)}
        self.level_of = [node.level_id for node in nodes]
        self.xy = [(node.x, node.y) for node in nodes]
        self.landmark = [node.landmark for node in nodes]
        self.edges: list[Edge] = []
        self.connector_of: list[str | None] = []
        facility_at_node: dict[str, str] = {}
        for facility in content.facilities:
            if facility.kind in CONNECTOR_KINDS:
                facility_at_node.setdefault(facility.node_id, facility.id)
        self._facility_at_node = facility_at_node
        self._adjacency: dict[str, list[list[tuple[float, float, int, int]]]] = {}
        self._trees: dict[tuple[int, str], ShortestPathTree] = {}
        for edge in content.graph.edges:
            a = self.index.get(edge.a)
            b = self.index.get(edge.b)
            if a is None or b is None or a == b:
                continue  # publish validation reports these; routing just does not use them
            if not (math.isfinite(edge.length_m) and edge.length_m >= 0):
                continue
            self.edges.append(edge)
            self.connector_of.append(edge.connector_id or (
                facility_at_node.get(edge.a) if edge.kind in CONNECTOR_KINDS else None))

    def is_closed(self, edge_index: int) -> bool:
        """An edge is closed when its connector is, or when it stops at a closed connector's
        facility (closing "Lift A, 3F stop" closes the lift's edges to and from 3F)."""
        if not self.closed:
            return False
        edge = self.edges[edge_index]
        if self.connector_of[edge_index] in self.closed:
            return True
        if edge.kind in CONNECTOR_KINDS:
            return (self._facility_at_node.get(edge.a) in self.closed
                    or self._facility_at_node.get(edge.b) in self.closed)
        return False

    def adjacency(self, profile: Profile) -> list[list[tuple[float, float, int, int]]]:
        """node → [(seconds, metres, neighbour, edge index)] for the edges `profile` may use."""
        adjacency = self._adjacency.get(profile.id)
        if adjacency is not None:
            return adjacency
        adjacency = [[] for _ in self.node_ids]
        for edge_index, edge in enumerate(self.edges):
            if edge.kind not in profile.kinds or self.is_closed(edge_index):
                continue
            a, b = self.index[edge.a], self.index[edge.b]
            if edge.seconds is not None and math.isfinite(edge.seconds) and edge.seconds >= 0:
                seconds = edge.seconds
            else:
                seconds = edge.length_m / profile.speed_mps
            adjacency[a].append((seconds, edge.length_m, b, edge_index))
            if not edge.directed:
                adjacency[b].append((seconds, edge.length_m, a, edge_index))
        self._adjacency[profile.id] = adjacency
        return adjacency

    def tree(self, source: int, profile: Profile) -> ShortestPathTree:
        """The shortest-path tree from `source` (cached: a kiosk asks from the same node)."""
        key = (source, profile.id)
        tree = self._trees.get(key)
        if tree is None:
            tree = self._dijkstra(source, profile, target=None)
            if len(self._trees) > 64:
                self._trees.clear()
            self._trees[key] = tree
        return tree

    def path_between(self, source: int, target: int, profile: Profile) -> tuple[list[int], list[int], float, float] | None:
        """(nodes, edge indices, seconds, metres) of the fastest path, or None; uses a cached
        tree when there is one, else a Dijkstra that stops at the target."""
        tree = self._trees.get((source, profile.id)) or self._dijkstra(source, profile, target=target)
        return self.path_in_tree(tree, target)

    def path_in_tree(self, tree: ShortestPathTree, target: int) -> tuple[list[int], list[int], float, float] | None:
        if target != tree.source and tree.via_edge[target] < 0:
            return None
        nodes = [target]
        edges: list[int] = []
        current = target
        while current != tree.source:
            edges.append(tree.via_edge[current])
            current = tree.via_node[current]
            nodes.append(current)
        nodes.reverse()
        edges.reverse()
        return nodes, edges, tree.seconds[target], tree.metres[target]

    def _dijkstra(self, source: int, profile: Profile, target: int | None) -> ShortestPathTree:
        adjacency = self.adjacency(profile)
        count = len(self.node_ids)
        infinity = math.inf
        seconds = [infinity] * count
        metres = [infinity] * count
        via_edge = [-1] * count
        via_node = [-1] * count
        done = [False] * count
        seconds[source] = 0.0
        metres[source] = 0.0
        heap = [(0.0, source)]
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            cost, node = pop(heap)
            if done[node]:
                continue
            done[node] = True
            if node == target:
                break
            here_m = metres[node]
            for step, length, neighbour, edge_index in adjacency[node]:
                total = cost + step
                if total < seconds[neighbour]:
                    seconds[neighbour] = total
                    metres[neighbour] = here_m + length
                    via_edge[neighbour] = edge_index
                    via_node[neighbour] = node
                    push(heap, (total, neighbour))
        return ShortestPathTree(source, seconds, metres, via_edge, via_node)


# ---------------------------------------------------------------- routes and steps
@dataclass(frozen=True)
class Leg:
    """The part of a route on one level, as drawn on that level's plan."""

    level_id: str
    points: list[tuple[float, float]]
    node_ids: list[str]


@dataclass(frozen=True)
class Step:
    """One direction card. The first walks from the start; then one card per floor change.

    Texts are made from these fields by `describe_step`, in the visitor's language."""

    kind: str
    """"start" or "connector"."""
    level_id: str
    """The level the map shows while this card is read (where the walk of the card is)."""
    leg: int
    """Index into Route.legs of the walk this card describes."""
    walk_m: float
    walk_to: I18nText
    """Where the card's walk ends: the next connector, or the destination."""
    start_direction: str = ""
    """Start card: "ahead", "left", "right" or "behind", relative to the way the visitor faces."""
    connector_kind: str = ""
    connector_id: str = ""
    connector_name: I18nText | None = None
    going: str = ""
    """"up" or "down" (connector cards)."""
    to_floor: str = ""
    """The local name of the floor the connector arrives at (3F)."""
    landmark: I18nText | None = None
    turn: str = ""
    """At the landmark: "left", "right" or "straight"."""


@dataclass
class Route:
    profile: str
    origin: Place
    destination: Place
    reachable: bool
    seconds: float = 0.0
    metres: float = 0.0
    node_ids: list[str] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    avoids_closed: list[str] = field(default_factory=list)
    """Closed connectors (facility ids) the route would have used if they were open."""
    blocked_by_closed: list[str] = field(default_factory=list)
    """When unreachable only because of closures: the closed connectors that would have helped."""
    alternative: Route | None = None
    """When unreachable: a route to the nearest place that can help (the service desk)."""

    @property
    def minutes(self) -> int:
        """Walking time in whole minutes, at least 1."""
        return max(1, math.ceil(self.seconds / 60)) if self.reachable else 0

    def levels(self) -> list[str]:
        """The levels the route passes, in order, each once."""
        seen: list[str] = []
        for leg in self.legs:
            if leg.level_id not in seen:
                seen.append(leg.level_id)
        return seen


def _bearing(dx: float, dy: float) -> float:
    """Degrees clockwise from the map's up (y grows up)."""
    return math.degrees(math.atan2(dx, dy)) % 360


def relative_direction(bearing: float, heading: float) -> str:
    relative = (bearing - heading) % 360
    if relative < 45 or relative >= 315:
        return "ahead"
    if relative < 135:
        return "right"
    if relative < 225:
        return "behind"
    return "left"


def turn_at(points: list[tuple[float, float]], at: int) -> str:
    """"left", "right" or "straight": the turn the path makes at points[at], sampled a few
    metres either side so a corridor's jog does not count."""
    if at <= 0 or at >= len(points) - 1:
        return "straight"
    x, y = points[at]
    before = _point_back(points, at, TURN_PROBE_M)
    after = _point_ahead(points, at, TURN_PROBE_M)
    v1 = (x - before[0], y - before[1])
    v2 = (after[0] - x, after[1] - y)
    if math.hypot(*v1) < 1e-9 or math.hypot(*v2) < 1e-9:
        return "straight"
    angle = math.degrees(math.atan2(v1[0] * v2[1] - v1[1] * v2[0], v1[0] * v2[0] + v1[1] * v2[1]))
    if abs(angle) < LANDMARK_TURN_DEGREES:
        return "straight"
    return "left" if angle > 0 else "right"


def _point_back(points, at, distance):
    x, y = points[at]
    for index in range(at - 1, -1, -1):
        if math.hypot(points[index][0] - x, points[index][1] - y) >= distance:
            return points[index]
    return points[0]


def _point_ahead(points, at, distance):
    x, y = points[at]
    for index in range(at + 1, len(points)):
        if math.hypot(points[index][0] - x, points[index][1] - y) >= distance:
            return points[index]
    return points[-1]


class Router:
    """Routes over one content version (closures included). Build once per content."""

    def __init__(self, content: MallContent):
        self.content = content
        self.graph = RoutingGraph(content, content.closed_connectors)
        self._open_graph: RoutingGraph | None = None
        self._levels = {level.id: level for level in content.levels}
        self._facilities = {facility.id: facility for facility in content.facilities}
        self._kiosks = {kiosk.id: kiosk for kiosk in content.kiosks}

    # -- lookups
    def profile(self, profile_id: str) -> Profile:
        try:
            return PROFILES[profile_id]
        except KeyError:
            raise RoutingError(f"unknown route profile {profile_id!r}") from None

    def place(self, place_id: str) -> Place:
        place = find_place(self.content, place_id)
        if place is None or place.node_id not in self.graph.index:
            raise RoutingError(f"no place {place_id!r} on the path graph")
        return place

    def floor_name(self, level_id: str) -> str:
        level = self._levels.get(level_id)
        return level.short_name if level else level_id

    def edge_between(self, a: int, b: int, profile_id: str) -> Edge:
        """The edge a route took from node a to node b (the cheapest usable one)."""
        for seconds, _metres, neighbour, edge_index in sorted(self.graph.adjacency(PROFILES[profile_id])[a]):
            if neighbour == b:
                return self.graph.edges[edge_index]
        raise RoutingError(f"no usable edge from {self.graph.node_ids[a]} to {self.graph.node_ids[b]}")

    def open_graph(self) -> RoutingGraph:
        """The same graph with every connector open: to tell what a closure changed."""
        if not self.graph.closed:
            return self.graph
        if self._open_graph is None:
            self._open_graph = RoutingGraph(self.content)
        return self._open_graph

    # -- routes
    def route(self, origin_id: str, destination_id: str, profile_id: str = "standard",
              offer_alternative: bool = True) -> Route:
        """The fastest route between two places (store, facility or kiosk point ids)."""
        profile = self.profile(profile_id)
        origin = self.place(origin_id)
        destination = self.place(destination_id)
        source = self.graph.index[origin.node_id]
        target = self.graph.index[destination.node_id]
        found = self._path(self.graph, source, target, profile, cache=origin.kind == "kiosk")
        if found is None:
            route = Route(profile.id, origin, destination, reachable=False)
            if self.graph.closed:
                opened = self._path(self.open_graph(), source, target, profile, cache=False)
                if opened is not None:
                    route.blocked_by_closed = self._closed_usable_by(profile)
            if offer_alternative:
                route.alternative = self._alternative(origin, destination, profile)
            return route
        nodes, edges, seconds, metres = found
        route = self._build(profile, origin, destination, nodes, edges, seconds, metres)
        if self.graph.closed:
            opened = self._path(self.open_graph(), source, target, profile, cache=origin.kind == "kiosk")
            if opened is not None and opened[0] != nodes:
                route.avoids_closed = self._closed_on(opened[1])
        return route

    def _path(self, graph: RoutingGraph, source: int, target: int, profile: Profile, cache: bool):
        if cache:
            return graph.path_in_tree(graph.tree(source, profile), target)
        return graph.path_between(source, target, profile)

    def _closed_usable_by(self, profile: Profile) -> list[str]:
        """The closed connectors this profile could otherwise use (both closed lifts, not the
        escalator a wheelchair would never take)."""
        graph = self.open_graph()
        usable = {connector for edge_index, connector in enumerate(graph.connector_of)
                  if connector and graph.edges[edge_index].kind in profile.kinds}
        usable |= {facility_id for node_id, facility_id in graph._facility_at_node.items()
                   if any(self._facilities[facility_id].kind == kind for kind in profile.kinds)}
        return [connector for connector in self.content.closed_connectors if connector in usable]

    def _closed_on(self, edge_indices: list[int]) -> list[str]:
        """The closed connectors among the edges of a path through the open graph."""
        graph = self.open_graph()
        found: list[str] = []
        for edge_index in edge_indices:
            edge = graph.edges[edge_index]
            candidates = [graph.connector_of[edge_index], graph._facility_at_node.get(edge.a),
                          graph._facility_at_node.get(edge.b)]
            for connector in candidates:
                if connector and connector in self.graph.closed and connector not in found:
                    found.append(connector)
        return found

    def _alternative(self, origin: Place, destination: Place, profile: Profile) -> Route | None:
        """Where to go instead: the nearest reachable place of the same kind for a facility,
        else the service desk (staff there help with the rest)."""
        candidates: list[str] = []
        if destination.kind not in ("store", "kiosk"):
            candidates = [f.id for f in self.content.facilities if f.kind == destination.kind and f.id != destination.id]
        desk = self.content.mall.service_desk_id or next(
            (f.id for f in self.content.facilities if f.kind == "service_desk"), None)
        best: Route | None = None
        for candidate in candidates:
            route = self.route(origin.id, candidate, profile.id, offer_alternative=False)
            if route.reachable and (best is None or route.seconds < best.seconds):
                best = route
        if best is None and desk and desk != destination.id and desk in self._facilities:
            route = self.route(origin.id, desk, profile.id, offer_alternative=False)
            if route.reachable:
                best = route
        return best

    def nearest_of_kind(self, origin_id: str, kind: str, profile_id: str = "standard") -> Route | None:
        """The route to the nearest facility of `kind` (restroom, nursing_room, exit, atm …) by
        walking time under the profile; None when none is reachable."""
        profile = self.profile(profile_id)
        kinds_by_profile = NEAREST_KINDS.get(kind, {"*": (kind,)})
        kinds = kinds_by_profile.get(profile.id) or kinds_by_profile.get("*") or (kind,)
        origin = self.place(origin_id)
        tree = self.graph.tree(self.graph.index[origin.node_id], profile)
        best = None
        for facility in self.content.facilities:
            if facility.kind in kinds and facility.node_id in self.graph.index:
                seconds = tree.seconds[self.graph.index[facility.node_id]]
                if math.isfinite(seconds) and (best is None or seconds < best[0]):
                    best = (seconds, facility.id)
        if best is None:
            return None
        return self.route(origin_id, best[1], profile.id)

    def walking_distances(self, node_id: str, profile_id: str = "standard") -> dict[str, float]:
        """Metres along the fastest route from `node_id` to every node it reaches."""
        profile = self.profile(profile_id)
        source = self.graph.index.get(node_id)
        if source is None:
            raise RoutingError(f"no node {node_id!r} on the path graph")
        tree = self.graph.tree(source, profile)
        return {node: tree.metres[i] for i, node in enumerate(self.graph.node_ids) if math.isfinite(tree.metres[i])}

    # -- building a route
    def _build(self, profile: Profile, origin: Place, destination: Place, nodes: list[int], edges: list[int],
               seconds: float, metres: float) -> Route:
        graph = self.graph
        legs: list[Leg] = []
        current: list[int] = [nodes[0]]
        crossings: list[int] = []  # edge indices of floor changes, one per leg boundary
        for position, edge_index in enumerate(edges):
            following = nodes[position + 1]
            if graph.level_of[following] != graph.level_of[current[-1]]:
                legs.append(self._leg(current))
                crossings.append(edge_index)
                current = [following]
            else:
                current.append(following)
        legs.append(self._leg(current))
        route = Route(profile.id, origin, destination, True, seconds, metres,
                      [graph.node_ids[i] for i in nodes], legs)
        route.steps = self._steps(route, crossings, nodes)
        return route

    def _leg(self, indices: list[int]) -> Leg:
        graph = self.graph
        return Leg(graph.level_of[indices[0]], [graph.xy[i] for i in indices], [graph.node_ids[i] for i in indices])

    def _leg_length(self, leg: Leg) -> float:
        return sum(math.dist(a, b) for a, b in zip(leg.points, leg.points[1:]))

    def _steps(self, route: Route, crossings: list[int], nodes: list[int]) -> list[Step]:
        graph = self.graph
        steps: list[Step] = []
        for leg_number, leg in enumerate(route.legs):
            last_leg = leg_number == len(route.legs) - 1
            walk_to = route.destination.name if last_leg else self._connector_name(crossings[leg_number])
            landmark, turn = self._landmark_on(leg, skip_first=leg_number > 0)
            if leg_number == 0:
                steps.append(Step("start", leg.level_id, 0, self._leg_length(leg), walk_to,
                                  start_direction=self._start_direction(route.origin, leg),
                                  landmark=landmark, turn=turn))
                continue
            edge = graph.edges[crossings[leg_number - 1]]
            connector_id = graph.connector_of[crossings[leg_number - 1]] or ""
            before = route.legs[leg_number - 1].level_id
            going = "up" if self._ordinal(leg.level_id) > self._ordinal(before) else "down"
            steps.append(Step("connector", leg.level_id, leg_number, self._leg_length(leg), walk_to,
                              connector_kind=edge.kind, connector_id=connector_id,
                              connector_name=self._connector_name(crossings[leg_number - 1]),
                              going=going, to_floor=self.floor_name(leg.level_id), landmark=landmark, turn=turn))
        return steps

    def _ordinal(self, level_id: str) -> int:
        level = self._levels.get(level_id)
        return level.ordinal if level else 0

    def _connector_name(self, edge_index: int) -> I18nText:
        """The connector's short name ("Lift A"); escalators by their kind, as their signs say
        where they go, which the card already does."""
        graph = self.graph
        edge = graph.edges[edge_index]
        facility = (self._facilities.get(graph._facility_at_node.get(edge.a, ""))
                    or self._facilities.get(graph.connector_of[edge_index] or ""))
        if facility is not None and edge.kind != "escalator":
            return short_connector_name(facility.name)
        return GENERIC_CONNECTOR_NAMES.get(edge.kind, GENERIC_CONNECTOR_NAMES["stairs"])

    def _landmark_on(self, leg: Leg, skip_first: bool) -> tuple[I18nText | None, str]:
        """The landmark to mention on a leg: the first one where the path turns, else the first
        one passed (not the leg's last node, where the visitor has already arrived)."""
        index = self.graph.index
        passed: tuple[I18nText, str] | None = None
        for position, node_id in enumerate(leg.node_ids[:-1]):
            if position == 0 and skip_first:
                continue
            landmark = self.graph.landmark[index[node_id]]
            if landmark is None:
                continue
            turn = turn_at(leg.points, position)
            if turn != "straight":
                return landmark, turn
            if passed is None:
                passed = (landmark, turn)
        return passed if passed is not None else (None, "")

    def _start_direction(self, origin: Place, leg: Leg) -> str:
        kiosk = self._kiosks.get(origin.id) if origin.kind == "kiosk" else None
        if kiosk is None or len(leg.points) < 2:
            return ""
        target = _point_ahead(leg.points, 0, TURN_PROBE_M)
        x, y = leg.points[0]
        if math.hypot(target[0] - x, target[1] - y) < 1e-9:
            return ""
        return relative_direction(_bearing(target[0] - x, target[1] - y), kiosk.heading_deg)


# ---------------------------------------------------------------- one router per content
_routers: dict[int, tuple[MallContent, Router]] = {}
_routers_lock = threading.Lock()


def router_for(content: MallContent) -> Router:
    """The router of a content version, built once (kept for the four newest contents; the
    server's request threads share them, hence the lock)."""
    with _routers_lock:
        entry = _routers.get(id(content))
        if entry is not None and entry[0] is content:
            return entry[1]
        router = Router(content)
        while len(_routers) >= 4:
            _routers.pop(next(iter(_routers)))
        _routers[id(content)] = (content, router)
        return router


def route_from_kiosk(content: MallContent, kiosk_point_id: str, place_id: str, profile: str = "standard") -> Route:
    return router_for(content).route(kiosk_point_id, place_id, profile)


def walking_distances_from(content: MallContent, node_id: str, profile: str = "standard") -> dict[str, float]:
    """node id → metres along the fastest route from `node_id` under `profile` (reachable nodes
    only): what a list of facilities is ordered by, nearest first."""
    return router_for(content).walking_distances(node_id, profile)


def route_to_nearest_exit(content: MallContent, kiosk_point_id: str) -> Route | None:
    """The evacuation route from a kiosk point to the nearest exit, never by lift (stairs and
    escalators allowed, closed connectors avoided); None when no exit can be reached or the
    kiosk point is unknown. Signature kept stable for the emergency overlay."""
    router = router_for(content)
    try:
        return router.nearest_of_kind(kiosk_point_id, "exit", "emergency")
    except RoutingError:
        return None


# ---------------------------------------------------------------- words
def describe_step(step: Step, language: str, gettext=None) -> tuple[str, str]:
    """(title, detail) of a card in `language`: "Take Lift B to 3F", "then turn left at the
    fountain. Walk 45 m to Cloud Coffee." `gettext` defaults to the venue catalog."""
    _ = gettext or _venue_gettext(language)
    walk_to = step.walk_to.get(language)
    metres = max(1, round(step.walk_m))
    walk = _("Walk {metres} m to {place}.").format(metres=metres, place=walk_to)
    turn = ""
    if step.landmark is not None:
        name = step.landmark.get(language)
        turn = {
            "left": _("then turn left at {landmark}"),
            "right": _("then turn right at {landmark}"),
        }.get(step.turn, _("then go straight on past {landmark}")).format(landmark=name)
    if step.kind == "start":
        title = _("Walk {metres} m to {place}").format(metres=metres, place=walk_to)
        start = {
            "ahead": _("Start off straight ahead"),
            "left": _("Start off to your left"),
            "right": _("Start off to your right"),
            "behind": _("Start off behind you"),
        }.get(step.start_direction, "")
        parts = [part for part in (start, turn) if part]
        detail = _("{first}, {then}").format(first=parts[0], then=parts[1]) if len(parts) == 2 else (parts[0] if parts else "")
        if detail:
            detail = _("{sentence}.").format(sentence=detail)
        return title, detail
    connector = step.connector_name.get(language) if step.connector_name else ""
    if step.connector_kind == "lift":
        title = _("Take {connector} to {floor}").format(connector=connector, floor=step.to_floor)
    elif step.connector_kind == "escalator":
        title = (_("Take the escalator up to {floor}") if step.going == "up"
                 else _("Take the escalator down to {floor}")).format(floor=step.to_floor)
    elif step.connector_kind == "stairs":
        title = (_("Take {connector} up to {floor}") if step.going == "up"
                 else _("Take {connector} down to {floor}")).format(connector=connector, floor=step.to_floor)
    else:
        title = _("Take the ramp to {floor}").format(floor=step.to_floor)
    if turn:
        title = _("{first}, {then}").format(first=title, then=turn)
    return title, walk


def closure_reason(route: Route, content: MallContent, language: str, gettext=None) -> str:
    """"Lift B is closed: this route goes another way." — or "" when no closure mattered."""
    _ = gettext or _venue_gettext(language)
    closed = route.avoids_closed or route.blocked_by_closed
    if not closed:
        return ""
    facilities = {facility.id: facility for facility in content.facilities}
    separator = ", " if language == "en" else "、"
    names = separator.join(
        short_connector_name(facilities[c].name).get(language) if c in facilities else c for c in closed)
    if len(closed) == 1:
        message = (_("{connector} is closed: this route goes another way.") if route.reachable
                   else _("{connector} is closed."))
        return message.format(connector=names)
    message = (_("{connectors} are closed: this route goes another way.") if route.reachable
               else _("{connectors} are closed."))
    return message.format(connectors=names)


def walking_time_text(route: Route, language: str, gettext=None) -> str:
    _ = gettext or _venue_gettext(language)
    return _("About {minutes} min · {metres} m").format(minutes=route.minutes, metres=round(route.metres))


def _venue_gettext(language: str):
    return load_translations(language).gettext


# ---------------------------------------------------------------- publish checks
def reachability_problems(content: MallContent, step_free_reach: bool = True) -> list[str]:
    """What a visitor could not do on this map, per route profile, in sentences for the content
    editor: places a kiosk point cannot reach, and places from which there is no way back to it
    (a one-way escalator with no stairs beside it). Profiles that use the same edges (step-free
    and pram) are checked once and named together. Closed connectors count as open: a closure
    is a passing state, not a content error. `step_free_reach=False` leaves out the step-free
    "cannot be reached" lines, for callers that run sync.bundle's own step-free check."""
    graph = RoutingGraph(content)
    groups: dict[frozenset[str], list[str]] = {}
    for profile_id in VISITOR_PROFILES:
        groups.setdefault(PROFILES[profile_id].kinds, []).append(profile_id)
    names = {"standard": "on foot", "step_free": "step-free", "pram": "with a pram"}
    places = [(f"store {s.id}", s.node_id) for s in content.stores if s.node_id in graph.index]
    places += [(f"facility {f.id}", f.node_id) for f in content.facilities if f.node_id in graph.index]
    problems: list[str] = []
    for profile_ids in groups.values():
        profile = PROFILES[profile_ids[0]]
        how = " / ".join(names[p] for p in profile_ids)
        adjacency = graph.adjacency(profile)
        backwards: list[list[int]] = [[] for _ in graph.node_ids]
        for node, arcs in enumerate(adjacency):
            for _seconds, _metres, neighbour, _edge in arcs:
                backwards[neighbour].append(node)
        for kiosk in content.kiosks:
            source = graph.index.get(kiosk.node_id)
            if source is None:
                continue
            ahead = graph.tree(source, profile).seconds
            back = _reached(backwards, source)
            cannot_reach = [name for name, node in places if not math.isfinite(ahead[graph.index[node]])]
            cannot_return = [name for name, node in places
                             if math.isfinite(ahead[graph.index[node]]) and not back[graph.index[node]]]
            if cannot_reach and (step_free_reach or "step_free" not in profile_ids):
                problems.append(f"{how}: {len(cannot_reach)} places cannot be reached from kiosk point "
                                f"{kiosk.id}: {_listed(cannot_reach)}")
            if cannot_return:
                problems.append(f"{how}: from {len(cannot_return)} places there is no way back to kiosk point "
                                f"{kiosk.id} (one-way connectors?): {_listed(cannot_return)}")
    return problems


def _reached(adjacency: list[list[int]], source: int) -> list[bool]:
    seen = [False] * len(adjacency)
    seen[source] = True
    stack = [source]
    while stack:
        for neighbour in adjacency[stack.pop()]:
            if not seen[neighbour]:
                seen[neighbour] = True
                stack.append(neighbour)
    return seen


def _listed(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")
