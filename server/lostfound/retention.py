"""Retention and disposal: items past their category's retention time become due, and the
disposal log says where each unclaimed item went."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.services import record_audit

from . import flows
from .access import may_approve_disposal
from .errors import IllegalMove, LostPropertyError
from .models import (
    Disposal,
    DisposalAction,
    DisposalApproval,
    FoundItem,
    ItemStatus,
    LostReport,
    MatchSuggestion,
    SuggestionStatus,
)
from .rules import allowed_disposals, clean_text, label_of, needs_manager_signoff


def mark_due_items(today: date | None = None) -> int:
    """Items past their category's retention time become due for disposal. Idempotent and safe
    on several servers at once: each item moves by a conditional update, and one another server
    moved first is skipped. Returns how many this call moved."""
    today = today or timezone.localdate()
    overdue = FoundItem.objects.filter(status=ItemStatus.STORED, keep_until__lt=today).only(
        "pk", "mall_id", "number", "category", "status")
    moved = 0
    for item in list(overdue):
        try:
            flows.move(item, ItemStatus.DUE, None)
        except IllegalMove:
            continue
        moved += 1
    return moved


def forget_erased_surnames() -> int:
    """A desk lost report's surname goes when its case's contact details are erased (the cases'
    retention job): the register keeps no name the case no longer has. Returns how many."""
    return LostReport.objects.filter(case__contact_erased_at__isnull=False).exclude(contact_name="").update(
        contact_name="")


def dispose(item: FoundItem, actor, *, action: str, recipient: str = "", note: str = "") -> Disposal:
    """Log where an unclaimed item went. Documents and cards may go at once (police, shredder);
    anything else only once due (the item lifecycle's rule, in flows). Valuables need the
    manager's approval (flows refuses without it); a manager disposing of one approves it."""
    action, recipient, note = _clean_disposal(item, action, recipient, note)
    with transaction.atomic():
        if needs_manager_signoff(item) and may_approve_disposal(actor, item.mall_id):
            _approve(item, actor, action, recipient, note)
        flows.move(item, ItemStatus.DISPOSED, actor)
        MatchSuggestion.objects.filter(item=item, status=SuggestionStatus.SUGGESTED).delete()
        disposal = Disposal.objects.create(item=item, action=action, recipient=recipient, note=note,
                                           recorded_by=label_of(actor))
    return disposal


def request_disposal(item: FoundItem, actor, *, action: str, recipient: str = "", note: str = "") -> DisposalApproval:
    """An agent asks the manager to approve the disposal of an unclaimed valuable, saying where it would go."""
    if ItemStatus.DISPOSED not in flows.allowed_moves(item):
        raise LostPropertyError(gettext("Only an unclaimed item past its retention time can be disposed of."),
                                "not_due")
    action, recipient, note = _clean_disposal(item, action, recipient, note)
    with transaction.atomic():
        request, _created = DisposalApproval.objects.update_or_create(
            item=item, defaults=dict(action=action, recipient=recipient, note=note, requested_by=label_of(actor),
                          requested_at=timezone.now()))
        record_audit(actor, "lostfound.disposal_request", mall=item.mall, subject=item.number,
                     detail=f"{item.number} {action}")
    return request


def approve_disposal(item: FoundItem, manager) -> Disposal:
    """The manager approves the requested disposal; it is carried out and logged at once."""
    if not may_approve_disposal(manager, item.mall_id):
        raise LostPropertyError(gettext("Only the mall manager can approve this disposal."), "not_manager")
    request = DisposalApproval.objects.filter(item=item).first()
    if request is None:
        raise LostPropertyError(gettext("Nobody has requested this disposal yet."), "no_request")
    return dispose(item, manager, action=request.action, recipient=request.recipient, note=request.note)


def _approve(item: FoundItem, manager, action: str, recipient: str, note: str) -> None:
    now, name = timezone.now(), label_of(manager)
    request = DisposalApproval.objects.filter(item=item).first() or DisposalApproval(item=item, requested_by=name)
    request.action, request.recipient, request.note = action, recipient, note
    request.approved_by, request.approved_at = name, now
    request.save()
    record_audit(manager, "lostfound.disposal_approval", mall=item.mall, subject=item.number,
                 detail=f"{item.number} {action} ({request.requested_by})")


def _clean_disposal(item: FoundItem, action: str, recipient: str, note: str) -> tuple[str, str, str]:
    try:
        action = DisposalAction(action)
    except ValueError:
        raise LostPropertyError(gettext("Choose what happened to the item."), "action") from None
    if action not in allowed_disposals(item):
        raise LostPropertyError(gettext("That is not allowed for this category of item."), "action_not_allowed")
    recipient = clean_text(recipient, 150, gettext("Handed to"), required=action != DisposalAction.DESTROYED)
    note = clean_text(note, 300, gettext("Note"))
    return action.value, recipient, note
