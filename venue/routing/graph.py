"""The path graph of one content version, compiled per route profile, and shortest-path trees.

A kiosk never moves, so the graph keeps one shortest-path tree per (origin, profile): the first
route from a kiosk costs one Dijkstra over the whole graph, every later route from it is a walk
back along the tree (microseconds). Costs are seconds: walking edges at the profile's speed,
connectors (lifts, escalators) at their own `seconds` when the content gives one.

The graph is compiled once per content into plain lists (node index → [(cost, metres, target,
edge index)]), per profile; closed connectors (`MallContent.closed_connectors`) are left out.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass

from sync.protocol import Edge, MallContent

WALKING_SPEED_MPS = 1.2
"""An adult walking in a mall, unhurried."""
STEP_FREE_SPEED_MPS = 1.0
"""A wheelchair or a pram: a little slower."""
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

Path = tuple[list[int], list[int], float, float]
"""(node indices, edge indices, seconds, metres) of one path through the graph."""


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
        self.facility_at_node = facility_at_node
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
            return (self.facility_at_node.get(edge.a) in self.closed
                    or self.facility_at_node.get(edge.b) in self.closed)
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

    def path_between(self, source: int, target: int, profile: Profile) -> Path | None:
        """(nodes, edge indices, seconds, metres) of the fastest path, or None; uses a cached
        tree when there is one, else a Dijkstra that stops at the target."""
        tree = self._trees.get((source, profile.id)) or self._dijkstra(source, profile, target=target)
        return self.path_in_tree(tree, target)

    def path_in_tree(self, tree: ShortestPathTree, target: int) -> Path | None:
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
