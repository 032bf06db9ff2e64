"""Wayfinding: routes between places over the path graph, per route profile, with closures.

When a closure changes a route, the route says which closed connector it avoids, so the screen
can tell the visitor why ("Lift B is closed"). One router per content version (`router_for`):
the kiosk screens, the phone page on the server and the benchmarks all share it.
"""
from __future__ import annotations

import math
import threading

from sync.protocol import Edge, I18nText, MallContent
from venue.routing.directions import start_direction, turn_at
from venue.routing.graph import PROFILES, Path, Profile, RoutingGraph
from venue.routing.route import Leg, Place, Route, Step
from venue.routing.wording import GENERIC_CONNECTOR_NAMES, short_connector_name

NEAREST_KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "restroom": {"standard": ("restroom", "accessible_restroom"), "pram": ("restroom", "accessible_restroom"),
                 "step_free": ("accessible_restroom",)},
    "nursing_room": {"*": ("nursing_room",)},
    "exit": {"*": ("exit",)},
    "atm": {"*": ("atm",)},
}
"""What "the nearest restroom" means per profile: a wheelchair needs an accessible one."""


class RoutingError(ValueError):
    """An unknown place, kiosk point or profile: a caller's mistake, not a missing route."""


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
        for _seconds, _metres, neighbour, edge_index in sorted(self.graph.adjacency(PROFILES[profile_id])[a]):
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

    def _path(self, graph: RoutingGraph, source: int, target: int, profile: Profile, cache: bool) -> Path | None:
        if cache:
            return graph.path_in_tree(graph.tree(source, profile), target)
        return graph.path_between(source, target, profile)

    def _closed_usable_by(self, profile: Profile) -> list[str]:
        """The closed connectors this profile could otherwise use (both closed lifts, not the
        escalator a wheelchair would never take)."""
        graph = self.open_graph()
        usable = {connector for edge_index, connector in enumerate(graph.connector_of)
                  if connector and graph.edges[edge_index].kind in profile.kinds}
        usable |= {facility_id for node_id, facility_id in graph.facility_at_node.items()
                   if any(self._facilities[facility_id].kind == kind for kind in profile.kinds)}
        return [connector for connector in self.content.closed_connectors if connector in usable]

    def _closed_on(self, edge_indices: list[int]) -> list[str]:
        """The closed connectors among the edges of a path through the open graph."""
        graph = self.open_graph()
        found: list[str] = []
        for edge_index in edge_indices:
            edge = graph.edges[edge_index]
            candidates = [graph.connector_of[edge_index], graph.facility_at_node.get(edge.a),
                          graph.facility_at_node.get(edge.b)]
            for connector in candidates:
                if connector and connector in self.graph.closed and connector not in found:
                    found.append(connector)
        return found

    def _alternative(self, origin: Place, destination: Place, profile: Profile) -> Route | None:
        """Where to go instead: the nearest reachable place of the same kind for a facility,
        else the service desk (staff there help with the rest)."""
        candidates: list[str] = []
        if destination.kind not in ("store", "kiosk"):
            candidates = [f.id for f in self.content.facilities
                          if f.kind == destination.kind and f.id != destination.id]
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
        return sum(math.dist(a, b) for a, b in zip(leg.points, leg.points[1:], strict=False))

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
        facility = (self._facilities.get(graph.facility_at_node.get(edge.a, ""))
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
        return start_direction(leg.points, kiosk.heading_deg) if kiosk is not None else ""


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
