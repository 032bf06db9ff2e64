"""What the service desk can lend now, in words ("轮椅：服务台（1F）可借 2 辆"), for the
facility list and the map's place card.

The numbers come from the sync agent (kiosk/lending.py) and are shown only while fresh: a kiosk
that has heard nothing for a few minutes says nothing rather than show numbers that may be wrong.
"""
from __future__ import annotations

import logging

from kiosk.i18n import N_
from kiosk.lending import fresh_availability

log = logging.getLogger(__name__)

AVAILABLE = {
    "wheelchair": N_("Wheelchairs: {count} available at {place}"),
    "pram": N_("Prams: {count} available at {place}"),
    "umbrella": N_("Umbrellas: {count} available at {place}"),
    "power_bank": N_("Power banks: {count} available at {place}"),
}
ALL_LENT = {
    "wheelchair": N_("Wheelchairs: all lent out at {place} just now"),
    "pram": N_("Prams: all lent out at {place} just now"),
    "umbrella": N_("Umbrellas: all lent out at {place} just now"),
    "power_bank": N_("Power banks: all lent out at {place} just now"),
}
PLACE = N_("{name}, {floor}")
LENDING_FACILITIES = {"wheelchair_lending": "wheelchair", "stroller_lending": "pram", "charging": "power_bank"}
"""A wheelchair-lending point at the service desk also says what the desk has of its kind."""


def availability_text(app, facility_id: str) -> str:
    """One line per kind lent at `facility_id` (or, for a lending point, of its kind lent at the
    same spot), or "" when nothing fresh is known about it."""
    index = app.index
    if index is None or app.store is None:
        return ""
    try:
        availability = fresh_availability(app.store, app.now().timestamp())
    except Exception:  # the store is busy or damaged: say nothing, never stop the screen
        log.exception("lending availability cannot be read")
        return ""
    facility = index.facility(facility_id)
    if availability is None or facility is None:
        return ""
    lent_here = LENDING_FACILITIES.get(facility.kind)

    def shown_here(count) -> bool:
        if count.facility_id == facility_id:
            return True
        place = index.facility(count.facility_id)
        return count.kind == lent_here and place is not None and place.node_id == facility.node_id

    lines = []
    for count in availability.counts:
        if not shown_here(count):
            continue
        words = AVAILABLE[count.kind] if count.available else ALL_LENT[count.kind]
        lines.append(app.tr(words).format(count=count.available, place=_place(app, count.facility_id)))
    return "\n".join(lines)


def _place(app, facility_id: str) -> str:
    """"服务台（1F）": the lending place's name and floor."""
    facility = app.index.facility(facility_id)
    if facility is None:
        return ""
    level = app.index.level(facility.level_id)
    name = app.text(facility.name)
    return app.tr(PLACE).format(name=name, floor=level.short_name) if level is not None else name
