"""Incidents (事件): what happened, where, who helped and the follow-up; the incident report the
job description asks for after an emergency. An emergency broadcast links to at most one
incident; an ended emergency without a written report is "incident report due"."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.broadcasts.models import Broadcast, Kind
from server.malls.models import Mall, person_name
from sync.protocol import REFERENCE_ALPHABET

from .errors import DeskError
from .models import Incident, IncidentKind

#: An emergency's reason → the kind of incident it opens.
KIND_OF_REASON = {
    "evacuation": IncidentKind.EVACUATION, "fire": IncidentKind.FIRE, "power_cut": IncidentKind.POWER_CUT,
    "severe_weather": IncidentKind.SEVERE_WEATHER, "medical": IncidentKind.INJURY,
    "lost_child": IncidentKind.LOST_CHILD,
}


def _new_number(mall: Mall) -> str:
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))
    return f"INC-{timezone.localtime(timezone.now(), mall.zone):%m%d}-{suffix}"


def record_incident(mall: Mall, actor, *, kind: str, occurred_at: datetime, what: str, level_id: str = "",
                    store_id: str = "", place: str = "", helpers: str = "", follow_up: str = "",
                    broadcast: Broadcast | None = None) -> Incident:
    if kind not in IncidentKind.values:
        raise DeskError(gettext("Please choose what kind of incident it was."), "kind")
    if occurred_at > timezone.now() + timedelta(minutes=5):
        raise DeskError(gettext("An incident cannot have happened in the future."), "future")
    if broadcast is not None and (broadcast.mall_id != mall.pk or broadcast.kind != Kind.EMERGENCY):
        raise DeskError(gettext("Only an emergency of this mall can be linked to an incident."), "broadcast")
    for _attempt in range(8):
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    mall=mall, number=_new_number(mall), kind=kind, occurred_at=occurred_at, what=what.strip(),
                    level_id=level_id, store_id=store_id, place=place.strip(), helpers=helpers.strip(),
                    follow_up=follow_up.strip(), broadcast=broadcast, recorded_by=person_name(actor))
        except IntegrityError:
            if broadcast is not None and Incident.objects.filter(broadcast=broadcast).exists():
                raise DeskError(gettext("This emergency already has its incident."), "linked") from None
            continue
        record_audit(actor, "desk.incident_record", mall=mall, subject=incident.number, detail=kind)
        return incident
    raise DeskError(gettext("The incident could not be stored; please try again."), "number")


def update_incident(incident: Incident, actor, *, helpers: str, follow_up: str, report: str) -> Incident:
    """Who helped, the follow-up and the incident report; the report's author and time are kept
    from the first time it is written."""
    incident.helpers, incident.follow_up = helpers.strip(), follow_up.strip()
    fields = ["helpers", "follow_up"]
    report = report.strip()
    if report != incident.report:
        incident.report = report
        fields.append("report")
        if report and not incident.report_written_at:
            incident.report_written_at, incident.report_written_by = timezone.now(), person_name(actor)
            fields += ["report_written_at", "report_written_by"]
    incident.save(update_fields=fields)
    record_audit(actor, "desk.incident_update", mall=incident.mall, subject=incident.number,
                 detail=",".join(fields))
    return incident


def emergencies(mall: Mall) -> QuerySet[Broadcast]:
    return Broadcast.objects.filter(mall=mall, kind=Kind.EMERGENCY).select_related("incident")


def report_due(broadcast: Broadcast, now: datetime | None = None) -> bool:
    """An emergency that has ended (or expired) and has no written incident report."""
    now = now or timezone.now()
    ended = (broadcast.ended_at or broadcast.expires_at) <= now
    incident = getattr(broadcast, "incident", None)
    return ended and not (incident and incident.report)


def emergencies_due(mall: Mall) -> list[Broadcast]:
    return [broadcast for broadcast in emergencies(mall).order_by("-starts_at")[:200] if report_due(broadcast)]


def initial_for(broadcast: Broadcast) -> dict:
    """A new incident's fields taken from the emergency it follows."""
    return {"kind": KIND_OF_REASON.get(broadcast.reason, IncidentKind.OTHER), "occurred_at": broadcast.starts_at,
            "what": broadcast.text_zh_cn or broadcast.title_zh_cn,
            "level_id": levels[0] if len(levels := broadcast.target_level_ids or []) == 1 else ""}
