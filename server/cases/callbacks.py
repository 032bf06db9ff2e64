"""The call-back (回访) after a case is resolved: a reached visitor moves the case to
followed-up through the lifecycle; an unreached one is logged and the task stays due."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sync.protocol import CaseStatus

from . import followups
from .audit import audit, label_of
from .errors import InvalidCallback
from .flows import transition
from .models import Case, CaseEvent, EventKind, Visibility
from .notes import clean_note

S = CaseStatus


def record_callback(case: Case, actor, *, reached: bool, satisfaction: int | None = None,
                    outcome: str = "") -> CaseEvent:
    """The call-back after resolution: reached (with satisfaction 1–5) moves the case to
    followed-up; not reached is logged and the task stays due."""
    outcome = clean_note(outcome, required=False)
    if case.status != S.RESOLVED.value:
        raise InvalidCallback(gettext("A call-back is made once the case is resolved."))
    if not reached:
        with transaction.atomic():
            event = CaseEvent.objects.create(
                case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.CALLBACK,
                note=gettext("Call-back: the visitor could not be reached.") + (f"\n{outcome}" if outcome else ""),
                visibility=Visibility.INTERNAL,
            )
            audit(actor, "case.callback", case, f"{case.reference} not reached")
        return event
    if satisfaction not in (1, 2, 3, 4, 5):
        raise InvalidCallback(gettext("Record the visitor's satisfaction (1 to 5)."))
    now = timezone.now()
    with transaction.atomic():
        event = transition(
            case, S.FOLLOWED_UP, actor,
            note=gettext("Call-back done. Satisfaction: %(score)d/5.") % {"score": satisfaction}
            + (f"\n{outcome}" if outcome else ""),
            visibility=Visibility.INTERNAL,
            extra_changes={"callback_done_at": now, "callback_due_at": None,
                           "callback_satisfaction": satisfaction, "callback_outcome": outcome},
        )
        followups.score_received(case, satisfaction, by_callback=True)
    return event
