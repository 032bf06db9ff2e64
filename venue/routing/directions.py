"""Which way the visitor goes: the direction to set off in and the turn at a landmark.

Plain plan geometry over a leg's points (metres, y up); the cards put it into words.
"""
from __future__ import annotations

import math

LANDMARK_TURN_DEGREES = 30.0
"""Below this a change of direction at a landmark is "straight on"."""
TURN_PROBE_M = 4.0
"""How far before and after a node the path is sampled to tell its turn (ignores zig-zags)."""


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


def start_direction(points: list[tuple[float, float]], heading: float) -> str:
    """"ahead", "left", "right" or "behind": where the walk along `points` sets off, relative to
    a kiosk facing `heading` (degrees clockwise from the map's up); "" when it does not move."""
    if len(points) < 2:
        return ""
    target = _point_ahead(points, 0, TURN_PROBE_M)
    x, y = points[0]
    if math.hypot(target[0] - x, target[1] - y) < 1e-9:
        return ""
    return relative_direction(_bearing(target[0] - x, target[1] - y), heading)


def _point_back(points: list[tuple[float, float]], at: int, distance: float) -> tuple[float, float]:
    x, y = points[at]
    for index in range(at - 1, -1, -1):
        if math.hypot(points[index][0] - x, points[index][1] - y) >= distance:
            return points[index]
    return points[0]


def _point_ahead(points: list[tuple[float, float]], at: int, distance: float) -> tuple[float, float]:
    x, y = points[at]
    for index in range(at + 1, len(points)):
        if math.hypot(points[index][0] - x, points[index][1] - y) >= distance:
            return points[index]
    return points[-1]
