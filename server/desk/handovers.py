"""The shift handover book (交接班本): the outgoing agent writes the open matters and hands over
the open cases, found items and left luggage (picked from the live lists, all ticked at first);
the incoming agent acknowledges it. Until then it stays on the list as not acknowledged."""
from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.cases.inbox import OPEN_STATUS_VALUES
from server.cases.models import Case
from server.lostfound.flows import CLAIMABLE_ITEM_STATUSES
from server.lostfound.models import FoundItem
from server.malls.models import Mall, person_name

from .errors import DeskError
from .flows import move
from .luggage import open_luggage
from .models import Handover, HandoverStatus, LeftLuggage


def open_cases(mall: Mall) -> QuerySet[Case]:
    return Case.objects.filter(mall=mall, status__in=OPEN_STATUS_VALUES).order_by("received_at", "id")


def stored_items(mall: Mall) -> QuerySet[FoundItem]:
    return FoundItem.objects.filter(mall=mall, status__in=CLAIMABLE_ITEM_STATUSES).order_by(
        "registered_at", "id")


def stored_luggage(mall: Mall) -> QuerySet[LeftLuggage]:
    return open_luggage(LeftLuggage.objects.filter(mall=mall))


@transaction.atomic
def write_handover(mall: Mall, actor, *, open_matters: str, cases, found_items, luggage) -> Handover:
    """`cases`, `found_items` and `luggage` are rows of `mall` (the form offers only those)."""
    if any(row.mall_id != mall.pk for row in [*cases, *found_items, *luggage]):
        raise DeskError(gettext("Only this mall's cases, items and luggage can be handed over."), "mall")
    if not (open_matters.strip() or cases or found_items or luggage):
        raise DeskError(gettext("Write the open matters or pick what you hand over."), "empty")
    handover = Handover.objects.create(mall=mall, written_by=actor, written_by_name=person_name(actor),
                                       open_matters=open_matters.strip())
    handover.cases.set(cases)
    handover.found_items.set(found_items)
    handover.luggage.set(luggage)
    record_audit(actor, "desk.handover_write", mall=mall, subject=str(handover.pk),
                 detail=f"{len(cases)} cases, {len(found_items)} items, {len(luggage)} luggage")
    return handover


def acknowledge(handover: Handover, actor) -> Handover:
    """The incoming agent takes over; the one who wrote it cannot acknowledge their own page."""
    if handover.written_by_id is not None and handover.written_by_id == actor.pk:
        raise DeskError(gettext("The incoming agent acknowledges a handover, not the one who wrote it."), "own")
    return move(handover, HandoverStatus.ACKNOWLEDGED, actor, changes={"acknowledged_by": actor})


def unacknowledged(handovers: QuerySet[Handover]) -> QuerySet[Handover]:
    return handovers.filter(status=HandoverStatus.WRITTEN)
