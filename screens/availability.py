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


def availability_text(app, facility_id: str) -> str:
    """One line per kind lent at `facility_id`, or "" when nothing fresh is known about it."""
    if app.index is None or app.store is None:
        return ""
    try:
        availability = fresh_availability(app.store, app.now().timestamp())
    except Exception:  # the store is busy or damaged: say nothing, never stop the screen
        log.exception("lending availability cannot be read")
        return ""
    facility = app.index.facility(facility_id)
    if availability is None or facility is None:
        return ""
    level = app.index.level(facility.level_id)
    name = app.text(facility.name)
    place = app.tr(PLACE).format(name=name, floor=level.short_name) if level is not None else name
    lines = []
    for count in availability.at(facility_id):
        words = AVAILABLE[count.kind] if count.available else ALL_LENT[count.kind]
        lines.append(app.tr(words).format(count=count.available, place=place))
    return "\n".join(lines)
