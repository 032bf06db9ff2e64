"""Department queues: a case handed to a department waits there, owned by nobody, until one
of the department's staff takes it (the manuals' receiving department). Taking is a
conditional update, so when two handlers take the same case at once exactly one owns it."""
from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from server.malls.models import Department
from sync.protocol import CaseStatus

from . import signals
from .access import may_take
from .audit import audit, label_of
from .errors import InvalidHandOver
from .flows import FINAL_STATUSES, transition
from .inbox import OPEN_STATUS_VALUES
from .models import Case, CaseEvent, EventKind, Visibility
from .notes import clean_note

S = CaseStatus


def hand_over_to_department(case: Case, department: str, actor, note: str = "") -> CaseEvent:
    """Put the case in `department`'s queue: its owner, if any, lets go of it."""
    note = clean_note(note, required=False)
    if CaseStatus(case.status) in FINAL_STATUSES:
        raise InvalidHandOver(gettext("This case is finished; it cannot be handed over."))
    try:
        department = Department(department)
    except ValueError:
        raise InvalidHandOver(gettext("Choose a department.")) from None
    if case.department == department.value and case.owner_id is None:
        raise InvalidHandOver(gettext("The case is in that department's queue already."))
    with transaction.atomic():
        # Conditional on what the actor saw: a case moved or taken meanwhile stays as it is.
        updated = Case.objects.filter(pk=case.pk, status=case.status, owner_id=case.owner_id).update(
            owner=None, department=department.value)
        if not updated:
            raise InvalidHandOver(
                gettext("Someone else changed this case meanwhile. Reload it and try again."))
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.QUEUE,
            note=f"→ {department.label}" + (f"\n{note}" if note else ""), visibility=Visibility.INTERNAL,
        )
        audit(actor, "case.queue", case, f"{case.reference} → {department.value}")
        transaction.on_commit(lambda: signals.case_queued.send(
            Case, case=case, department=department.value, actor=actor))
    case.owner = None
    case.department = department.value
    return event


def take(case: Case, actor) -> CaseEvent:
    """`actor` takes the case from their department's queue and owns it from now on.

    A new case is accepted by taking it (the accepting transition makes the taker its owner).
    """
    if CaseStatus(case.status) in FINAL_STATUSES:
        raise InvalidHandOver(gettext("This case is finished; it cannot be taken."))
    if not may_take(actor, case):
        raise InvalidHandOver(gettext("Only staff of the case's department can take it."))
    if case.owner_id == actor.pk:
        raise InvalidHandOver(gettext("You own this case already."))
    if case.owner_id is not None:
        raise InvalidHandOver(gettext("Someone else has taken this case."))
    with transaction.atomic():
        if case.status == S.NEW.value:
            event = transition(case, S.ACCEPTED, actor)
        else:
            updated = Case.objects.filter(pk=case.pk, status=case.status, owner__isnull=True).update(
                owner=actor)
            if not updated:
                raise InvalidHandOver(gettext("Someone else took this case meanwhile."))
            event = CaseEvent.objects.create(
                case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.TAKE,
                visibility=Visibility.INTERNAL,
            )
            audit(actor, "case.take", case, case.reference)
            case.owner = actor
        transaction.on_commit(lambda: signals.case_taken.send(Case, case=case, actor=actor))
    return event


def department_queue(cases: QuerySet[Case], department: str) -> QuerySet[Case]:
    """The open cases waiting in `department`'s queue: routed or handed there, owned by nobody."""
    if not department:
        return cases.none()
    return cases.filter(status__in=OPEN_STATUS_VALUES, department=department, owner__isnull=True)


def owned_by(cases: QuerySet[Case], user) -> QuerySet[Case]:
    """The open cases `user` owns: theirs to settle."""
    return cases.filter(status__in=OPEN_STATUS_VALUES, owner_id=user.pk)
