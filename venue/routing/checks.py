"""Publish checks on the path graph: what a visitor could not do on this map, per route profile."""
from __future__ import annotations

import math

from sync.protocol import MallContent
from venue.routing.graph import PROFILES, VISITOR_PROFILES, RoutingGraph


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
