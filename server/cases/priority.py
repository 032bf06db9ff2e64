"""A case's priority: set from the category rule when it comes in (routing.initial_priority),
changed by staff with a reason on the timeline, and the inbox sorts by it."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from .audit import audit, label_of
from .errors import InvalidPriority
from .flows import FINAL_STATUSES
from .models import Case, CaseEvent, EventKind, Priority, Visibility
from .notes import clean_note


def as_priority(value) -> Priority:
    try:
        return Priority(int(value))
    except (TypeError, ValueError):
        raise InvalidPriority(gettext("Choose a priority from the list.")) from None


def set_priority(case: Case, priority, actor, note: str = "") -> CaseEvent | None:
    """Give `case` a new priority; None when it already has it (nothing to log)."""
    target = as_priority(priority)
    note = clean_note(note, required=False)
    if case.status in {s.value for s in FINAL_STATUSES}:
        raise InvalidPriority(gettext("This case is finished; its priority no longer matters."))
    if case.priority == target:
        return None
    before = Priority(case.priority).label if case.priority in Priority.values else "—"
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(priority=target.value)
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.PRIORITY,
            note=f"{before} → {target.label}" + (f"\n{note}" if note else ""),
            visibility=Visibility.INTERNAL,
        )
        if actor is not None:
            audit(actor, "case.priority", case, f"{case.reference} {case.priority} → {target.value}")
    case.priority = target.value
    return event
