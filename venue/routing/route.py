"""A route as data: the places it joins, its legs (one per level) and its direction cards.

What the router hands to the kiosk screens and the phone page; `wording` turns it into words.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sync.protocol import I18nText


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
