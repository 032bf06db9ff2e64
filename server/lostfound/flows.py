"""The lost-property lifecycles: which status a found item, a lost report, a match suggestion or
a claim may move to, and `move`, the one function that changes a status.

`move` checks the move against the table, stamps the time, and writes the audit entry. The
update is conditional on the status read, so two people (or two servers) acting on the same
record at once cannot both succeed: the second gets an `IllegalMove`, which views show as a
message."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from server.accounts.services import record_audit
from server.malls.models import Mall

from .errors import IllegalMove
from .models import (
    Claim,
    ClaimStatus,
    DisposalApproval,
    FoundItem,
    ItemStatus,
    LostReport,
    MatchSuggestion,
    ReportStatus,
    SuggestionStatus,
)
from .rules import NO_PHOTO_CATEGORIES, needs_manager_signoff

IS, RS, SS, CS = ItemStatus, ReportStatus, SuggestionStatus, ClaimStatus

#: Found items. Announced at a kiosk → stored once the finder hands it in at the desk → due for
#: disposal after its category's retention time. Stored or due → returned to its owner, or
#: disposed of (ID documents and bank cards at once, anything else only once due: see
#: `allowed_moves`). Returned and disposed are final.
ITEM_MOVES: dict[ItemStatus, frozenset[ItemStatus]] = {
    IS.ANNOUNCED: frozenset({IS.STORED}),
    IS.STORED: frozenset({IS.DUE, IS.RETURNED, IS.DISPOSED}),
    IS.DUE: frozenset({IS.RETURNED, IS.DISPOSED}),
    IS.RETURNED: frozenset(),
    IS.DISPOSED: frozenset(),
}
#: Lost reports. Open (searching) → matched when staff confirm a found item; matched → open
#: again when they reject that match; open or matched → returned at the hand-over. Returned
#: and closed are final (no console action closes a report yet).
REPORT_MOVES: dict[ReportStatus, frozenset[ReportStatus]] = {
    RS.OPEN: frozenset({RS.MATCHED, RS.RETURNED}),
    RS.MATCHED: frozenset({RS.OPEN, RS.RETURNED}),
    RS.RETURNED: frozenset(),
    RS.CLOSED: frozenset(),
}
#: Match suggestions. Staff confirm or reject a suggestion; a confirmed one may still be
#: rejected; a rejected one is suggested again only when staff pick the item themselves.
SUGGESTION_MOVES: dict[SuggestionStatus, frozenset[SuggestionStatus]] = {
    SS.SUGGESTED: frozenset({SS.CONFIRMED, SS.REJECTED}),
    SS.CONFIRMED: frozenset({SS.REJECTED}),
    SS.REJECTED: frozenset({SS.SUGGESTED}),
}
#: Claims. Started once the hidden details and the identity are checked; handed over when the
#: claimant signs (or staff confirm). Handed over is final.
CLAIM_MOVES: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    CS.STARTED: frozenset({CS.HANDED_OVER}),
    CS.HANDED_OVER: frozenset(),
}

MATCHABLE_ITEM_STATUSES = (IS.ANNOUNCED, IS.STORED, IS.DUE)
CLAIMABLE_ITEM_STATUSES = (IS.STORED, IS.DUE)
OPEN_REPORT_STATUSES = (RS.OPEN, RS.MATCHED)


@dataclass(frozen=True)
class Lifecycle:
    """One kind of record's table of moves and what a move writes."""

    statuses: type[models.TextChoices]
    moves: dict
    action: str
    """The audit log's action for a move of this kind of record."""
    stamp: str
    """The time field every move sets."""
    refused: str
    """The message for a move the table does not allow (gettext_noop, with current and target)."""
    stamps: dict = field(default_factory=dict)
    """Time fields set by moves to one status, besides `stamp`."""
    refusals: dict = field(default_factory=dict)
    """target → (message, code): what staff read when a move to that status is refused."""


LIFECYCLES: dict[type[models.Model], Lifecycle] = {
    FoundItem: Lifecycle(
        ItemStatus, ITEM_MOVES, "lostfound.item_status", "status_changed_at",
        gettext_noop("A found item that is “%(current)s” cannot become “%(target)s”."),
        stamps={IS.RETURNED: "returned_at"},
        refusals={
            IS.STORED: (gettext_noop("This item has already been received."), "not_announced"),
            IS.RETURNED: (gettext_noop("This item has already been handed over or disposed of."), "not_claimable"),
            IS.DISPOSED: (gettext_noop("Only an unclaimed item past its retention time can be disposed of."),
                         "not_due"),
        },
    ),
    LostReport: Lifecycle(
        ReportStatus, REPORT_MOVES, "lostfound.report_status", "status_changed_at",
        gettext_noop("A lost report that is “%(current)s” cannot become “%(target)s”."),
        stamps={RS.MATCHED: "matched_at"},
        refusals={RS.MATCHED: (gettext_noop("This report already has a confirmed match."), "already_matched")},
    ),
    MatchSuggestion: Lifecycle(
        SuggestionStatus, SUGGESTION_MOVES, "lostfound.suggestion_status", "decided_at",
        gettext_noop("A suggestion that is “%(current)s” cannot become “%(target)s”."),
    ),
    Claim: Lifecycle(
        ClaimStatus, CLAIM_MOVES, "lostfound.claim_status", "handed_over_at",
        gettext_noop("A claim that is “%(current)s” cannot become “%(target)s”."),
        refusals={CS.HANDED_OVER: (gettext_noop("This item has already been handed over or disposed of."),
                                  "not_claimable")},
    ),
}
AUDITED_LOST_PROPERTY_ACTIONS = (*(lifecycle.action for lifecycle in LIFECYCLES.values()),
                                 "lostfound.disposal_request", "lostfound.disposal_approval", "lostfound.announce")


def allowed_moves(record) -> frozenset:
    """The statuses `move` would accept for `record` now."""
    lifecycle = LIFECYCLES[type(record)]
    allowed = lifecycle.moves[lifecycle.statuses(record.status)]
    if isinstance(record, FoundItem) and record.status == IS.STORED and record.category not in NO_PHOTO_CATEGORIES:
        allowed = allowed - {IS.DISPOSED}  # only ID documents and bank cards go before they are due
    return allowed


def move(record, target, actor, *, changes: dict | None = None):
    """Move `record` to `target` if its lifecycle allows it; stamp the time; audit the move.

    `changes` are stored in the same conditional update (e.g. where a received item is kept).
    `record` is updated in place and returned.
    """
    lifecycle = LIFECYCLES[type(record)]
    current = lifecycle.statuses(record.status)
    try:
        target = lifecycle.statuses(target)
    except ValueError:
        raise IllegalMove(gettext("Unknown status.")) from None
    if target not in allowed_moves(record):
        raise _refusal(lifecycle, current, target)
    if target == IS.DISPOSED and not _signed_off(record):
        raise IllegalMove(gettext("Phones, identity papers, bank cards and money are disposed of only with the "
                                  "mall manager's approval: request the disposal and ask the manager to approve it."),
                          "needs_manager_approval")
    now = timezone.now()
    fields = {"status": target.value, lifecycle.stamp: now, **(changes or {})}
    if target in lifecycle.stamps:
        fields[lifecycle.stamps[target]] = now
    with transaction.atomic():
        if not type(record).objects.filter(pk=record.pk, status=current.value).update(**fields):
            raise _refusal(lifecycle, current, target, raced=True)
        mall_id, reference = _subject(record)
        record_audit(actor, lifecycle.action, mall=Mall(pk=mall_id), subject=reference,
                     detail=f"{reference} {current.value} → {target.value}")
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def _signed_off(item: FoundItem) -> bool:
    """Valuables need the manager's approval before they are disposed of (rules.MANAGER_SIGNOFF_CATEGORIES)."""
    return not needs_manager_signoff(item) or DisposalApproval.objects.filter(
        item_id=item.pk, approved_at__isnull=False).exists()


def _refusal(lifecycle: Lifecycle, current, target, *, raced: bool = False) -> IllegalMove:
    if target in lifecycle.refusals:
        message, code = lifecycle.refusals[target]
        return IllegalMove(gettext(message), code)
    if raced:
        return IllegalMove(gettext("Someone else changed this meanwhile. Reload the page and try again."),
                           "changed_meanwhile")
    return IllegalMove(gettext(lifecycle.refused) % {"current": current.label, "target": target.label})


def _subject(record) -> tuple[str, str]:
    """(mall id, what staff call the record) for the audit entry."""
    if isinstance(record, FoundItem):
        return record.mall_id, record.number
    if isinstance(record, LostReport):
        return record.mall_id, record.reference
    if isinstance(record, MatchSuggestion):
        return record.report.mall_id, f"{record.report.reference} ~ {record.item.number}"
    return record.item.mall_id, record.item.number
