"""The ledgers' lifecycles and `move`, the one function that changes a status.

Left luggage: stored → picked up (final). Incidents: open → closed, and closed → open again
when more follow-up is needed. Handovers: written → acknowledged (final). The update is
conditional on the status read, so two agents handing back the same bags at once cannot both
succeed: the second is told it was already done."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from server.accounts.services import record_audit
from server.malls.models import person_name

from .errors import DeskError
from .models import (
    Handover,
    HandoverStatus,
    Incident,
    IncidentStatus,
    LeftLuggage,
    LuggageStatus,
)

LS, IS, HS = LuggageStatus, IncidentStatus, HandoverStatus


@dataclass(frozen=True)
class Lifecycle:
    statuses: type[models.TextChoices]
    moves: dict
    action: str
    """The audit log's action for a move of this kind of record."""
    subject: str
    """The field that names the record in the audit log."""
    refused: str
    """What staff read when the table refuses a move (gettext_noop, with current and target)."""
    stamps: dict = field(default_factory=dict)
    """target → (time field, person field) set by a move to that status."""


LIFECYCLES: dict[type[models.Model], Lifecycle] = {
    LeftLuggage: Lifecycle(
        LuggageStatus, {LS.STORED: frozenset({LS.PICKED_UP}), LS.PICKED_UP: frozenset()},
        "desk.luggage_status", "ticket",
        gettext_noop("Left luggage that is “%(current)s” cannot become “%(target)s”."),
        stamps={LS.PICKED_UP: ("picked_up_at", "picked_up_by")},
    ),
    Incident: Lifecycle(
        IncidentStatus, {IS.OPEN: frozenset({IS.CLOSED}), IS.CLOSED: frozenset({IS.OPEN})},
        "desk.incident_status", "number",
        gettext_noop("An incident that is “%(current)s” cannot become “%(target)s”."),
        stamps={IS.CLOSED: ("closed_at", None)},
    ),
    Handover: Lifecycle(
        HandoverStatus, {HS.WRITTEN: frozenset({HS.ACKNOWLEDGED}), HS.ACKNOWLEDGED: frozenset()},
        "desk.handover_status", "pk",
        gettext_noop("A handover that is “%(current)s” cannot become “%(target)s”."),
        stamps={HS.ACKNOWLEDGED: ("acknowledged_at", "acknowledged_by_name")},
    ),
}


def allowed_moves(record) -> frozenset:
    lifecycle = LIFECYCLES[type(record)]
    return lifecycle.moves[lifecycle.statuses(record.status)]


def move(record, target, actor, *, changes: dict | None = None):
    """Move `record` to `target` if its lifecycle allows it, stamping who and when and writing
    the audit entry; `changes` are saved in the same conditional update. Returns `record`."""
    lifecycle = LIFECYCLES[type(record)]
    current, target = lifecycle.statuses(record.status), lifecycle.statuses(target)
    if target not in lifecycle.moves[current]:
        raise DeskError(gettext(lifecycle.refused) % {"current": current.label, "target": target.label},
                        "illegal_move")
    values = {"status": target.value, **(changes or {})}
    time_field, person_field = lifecycle.stamps.get(target, (None, None))
    if time_field:
        values[time_field] = timezone.now()
    if person_field:
        values[person_field] = person_name(actor)
    with transaction.atomic():
        updated = type(record).objects.filter(pk=record.pk, status=current.value).update(**values)
        if updated != 1:
            raise DeskError(gettext("Someone else has just changed this record; please look again."),
                            "changed_meanwhile")
        for name, value in values.items():
            setattr(record, name, value)
        record_audit(actor, lifecycle.action, mall=record.mall, subject=str(getattr(record, lifecycle.subject)),
                     detail=f"{current.value} → {target.value}")
    return record
