"""Retention and disposal: items past their category's retention time become due, and the
disposal log says where each unclaimed item went."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from . import flows
from .errors import IllegalMove, LostPropertyError
from .models import Disposal, DisposalAction, FoundItem, ItemStatus, MatchSuggestion, SuggestionStatus
from .rules import allowed_disposals, clean_text, label_of


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


def dispose(item: FoundItem, actor, *, action: str, recipient: str = "", note: str = "") -> Disposal:
    """Log where an unclaimed item went. Documents and cards may go at once (police, shredder);
    anything else only once due (the item lifecycle's rule, in flows)."""
    try:
        action = DisposalAction(action)
    except ValueError:
        raise LostPropertyError(gettext("Choose what happened to the item."), "action") from None
    if action not in allowed_disposals(item):
        raise LostPropertyError(gettext("That is not allowed for this category of item."), "action_not_allowed")
    recipient = clean_text(recipient, 150, gettext("Handed to"), required=action != DisposalAction.DESTROYED)
    note = clean_text(note, 300, gettext("Note"))
    with transaction.atomic():
        flows.move(item, ItemStatus.DISPOSED, actor)
        MatchSuggestion.objects.filter(item=item, status=SuggestionStatus.SUGGESTED).delete()
        disposal = Disposal.objects.create(item=item, action=action, recipient=recipient, note=note,
                                           recorded_by=label_of(actor))
    return disposal
