"""How places read on screen: units, floors, facility names and "next to …" landmarks.

Units are usually printed with their floor ("1F-19"); repeating the floor before them
("1F · 1F-19") is noise, so the floor is only added when the unit does not carry it.
"""
from __future__ import annotations

import math

from kiosk.i18n import N_

FACILITY_SHORT_LABELS = {
    "restroom": N_("Toilets"),
    "accessible_restroom": N_("Accessible toilet"),
    "nursing_room": N_("Nursing room"),
    "service_desk": N_("Service desk"),
    "lift": N_("Lift"),
    "escalator": N_("Escalator"),
    "stairs": N_("Stairs"),
    "ramp": N_("Ramp"),
    "exit": N_("Exit"),
    "parking_pay": N_("Parking payment"),
    "atm": N_("ATM"),
    "charging": N_("Charging"),
    "wheelchair_lending": N_("Wheelchairs"),
    "stroller_lending": N_("Strollers"),
    "first_aid": N_("First aid"),
    "information": N_("Information"),
}
"""Short words for facilities on the floor plan, where full names do not fit."""

LANDMARK_RADIUS_M = 30.0
"""How far a named place may be from something to describe it as "next to" it."""


def unit_label(level, unit: str) -> str:
    """"1F-19", or "1F · 19" when the unit number does not start with the floor."""
    if level is None:
        return unit
    if not unit:
        return level.short_name
    if unit.upper().startswith(level.short_name.upper()):
        return unit
    return f"{level.short_name} · {unit}"


def level_label(level, app) -> str:
    """The level's name, led by its short name unless the name already starts with it."""
    name = app.text(level.name)
    if not name:
        return level.short_name
    if name.upper().startswith(level.short_name.upper()):
        return name
    return f"{level.short_name} · {name}"


def nearest_landmark(index, node, language: str) -> str:
    """The name of the closest named place on the same level ("the fountain"), or ""."""
    if node is None:
        return ""
    if node.landmark is not None:
        return node.landmark.get(language)
    best, best_distance = None, LANDMARK_RADIUS_M
    for candidate in index.content.graph.nodes:
        if candidate.landmark is None or candidate.level_id != node.level_id:
            continue
        distance = math.hypot(candidate.x - node.x, candidate.y - node.y)
        if distance <= best_distance:
            best, best_distance = candidate, distance
    return best.landmark.get(language) if best is not None else ""


def facility_labels(index, level, app) -> dict[str, str]:
    """Short plan labels for the facilities on `level`, by facility id."""
    labels = {}
    for shape in level.plan:
        if shape.kind != "facility" or not shape.ref:
            continue
        facility = index.facility(shape.ref)
        if facility is not None and facility.kind in FACILITY_SHORT_LABELS:
            labels[shape.ref] = app.tr(FACILITY_SHORT_LABELS[facility.kind])
    return labels
