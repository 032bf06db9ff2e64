"""A canned reply as a macro: one click posts the reply to the visitor in their language and
makes the changes the reply stands for (status, priority, department, owner), all or nothing.
"Need details" waits on the visitor; "resolved" resolves."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from server.malls.models import Department
from sync.protocol import CaseStatus

from . import flows
from .audit import audit, label_of
from .errors import InvalidMacro
from .models import STATUS_LABELS, CannedReply, Case, CaseEvent, EventKind, Visibility
from .notes import add_note
from .priority import set_priority


def what_it_does(reply: CannedReply) -> list[str]:
    """The changes besides the reply, in words, for the button's description."""
    parts = []
    if reply.sets_status:
        parts.append(gettext("status: %(status)s") % {"status": STATUS_LABELS[CaseStatus(reply.sets_status)]})
    if reply.sets_priority:
        parts.append(gettext("priority: %(priority)s") % {"priority": reply.get_sets_priority_display()})
    if reply.sets_department:
        parts.append(gettext("department: %(department)s") % {"department": reply.get_sets_department_display()})
    if reply.sets_owner_id:
        from server.malls.models import person_name

        parts.append(gettext("owner: %(owner)s") % {"owner": person_name(reply.sets_owner)})
    return parts


def apply_macro(case: Case, actor, reply: CannedReply) -> None:
    """Post `reply` and make its changes; if any of them is refused, none is made."""
    if reply.mall_id not in (None, case.mall_id):
        raise InvalidMacro(gettext("Choose a reply from the list."))
    if reply.sets_status and reply.sets_status != case.status:
        target = CaseStatus(reply.sets_status)
        if target not in flows.allowed_next_statuses(case):
            raise InvalidMacro(
                gettext("This reply would make the case “%(target)s”, which a “%(current)s” case cannot "
                        "become. Send a note instead, or change the status first.")
                % {"target": STATUS_LABELS[target], "current": case.status_label})
    with transaction.atomic():
        text = reply.text_for(case.language)
        if reply.sets_status and reply.sets_status != case.status:
            # The reply is the status move's public note: one entry on the visitor's page.
            flows.transition(case, reply.sets_status, actor, note=text, visibility=Visibility.PUBLIC)
        else:
            add_note(case, actor, text, Visibility.PUBLIC)
        if reply.sets_priority:
            set_priority(case, reply.sets_priority, actor)
        if reply.sets_department and reply.sets_department != case.department:
            _move_to_department(case, actor, reply.sets_department)
        if reply.sets_owner_id and reply.sets_owner_id != case.owner_id:
            flows.hand_over(case, reply.sets_owner, actor)
        audit(actor, "case.macro", case, f"{case.reference} {reply.pk}")


def _move_to_department(case: Case, actor, department: str) -> None:
    if department not in Department.values:
        raise InvalidMacro(gettext("Choose a reply from the list."))
    Case.objects.filter(pk=case.pk).update(department=department)
    CaseEvent.objects.create(
        case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.ASSIGN,
        note=f"→ {Department(department).label}", visibility=Visibility.INTERNAL,
    )
    case.department = department
