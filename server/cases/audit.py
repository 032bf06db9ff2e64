"""The case desk's part of the audit log: what is recorded, by whom, and the one read that is
audited (revealing a visitor's phone number)."""
from __future__ import annotations

from django.db import transaction

from server.accounts.services import record_audit
from server.malls.models import Mall, person_name

from . import signals
from .models import Case, CaseEvent, EventKind, Visibility


def label_of(actor) -> str:
    return person_name(actor) if actor is not None else "system"


#: What the audit log records of the case desk (besides the case's own timeline): every change a
#: staff member makes, the system's escalations, and every reveal of a visitor's phone number.
AUDITED_CASE_ACTIONS = ("case.register", "case.status", "case.note", "case.hand_over", "case.callback",
                        "case.attachment", "case.reveal_contact", "case.escalate", "case.queue",
                        "case.take", "case.team", "case.merge")


def audit(actor, action: str, case: Case, detail: str) -> None:
    record_audit(actor, action, mall=Mall(pk=case.mall_id), subject=case.pk, detail=detail)


def reveal_contact(case: Case, actor) -> str:
    """The visitor's full phone number, for one staff member, written to the audit log and, for
    the others on the case, to its timeline."""
    if not case.contact_phone:
        return ""
    with transaction.atomic():
        audit(actor, "case.reveal_contact", case, case.reference)
        CaseEvent.objects.create(case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.REVEAL,
                                 visibility=Visibility.INTERNAL)
        transaction.on_commit(lambda: signals.contact_revealed.send(Case, case=case, actor=actor))
    return case.contact_phone
