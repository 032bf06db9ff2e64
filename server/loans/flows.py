"""Every state change of a lendable item and of a loan goes through `move`, against the table of
allowed moves. The update is conditional on the state read, so two agents lending the same
wheelchair at once cannot both succeed: the second gets `IllegalMove`."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from server.accounts.services import record_audit
from server.malls.models import Mall

from .errors import IllegalMove
from .models import ItemState, LendableItem, Loan, LoanStatus

#: Lendable items. Available → on loan (lent at the desk) or out of service (broken, cleaning);
#: on loan → available when it comes back, or out of service when it comes back damaged;
#: out of service → available once repaired.
ITEM_MOVES: dict[ItemState, frozenset[ItemState]] = {
    ItemState.AVAILABLE: frozenset({ItemState.ON_LOAN, ItemState.OUT_OF_SERVICE}),
    ItemState.ON_LOAN: frozenset({ItemState.AVAILABLE, ItemState.OUT_OF_SERVICE}),
    ItemState.OUT_OF_SERVICE: frozenset({ItemState.AVAILABLE}),
}
#: Loans. Lent out → returned; returned is final.
LOAN_MOVES: dict[LoanStatus, frozenset[LoanStatus]] = {
    LoanStatus.OPEN: frozenset({LoanStatus.RETURNED}),
    LoanStatus.RETURNED: frozenset(),
}


@dataclass(frozen=True)
class Lifecycle:
    states: type[models.TextChoices]
    field: str
    """The state field."""
    moves: dict
    action: str
    """The audit log's action for a move of this kind of record."""
    stamp: str
    refused: str
    """What staff read when the table refuses a move (gettext_noop, with current and target)."""


LIFECYCLES: dict[type[models.Model], Lifecycle] = {
    LendableItem: Lifecycle(
        ItemState, "state", ITEM_MOVES, "loans.item_state", "state_changed_at",
        gettext_noop("An item that is “%(current)s” cannot become “%(target)s”."),
    ),
    Loan: Lifecycle(
        LoanStatus, "status", LOAN_MOVES, "loans.loan_status", "status_changed_at",
        gettext_noop("A loan that is “%(current)s” cannot become “%(target)s”."),
    ),
}


def allowed_moves(record) -> frozenset:
    lifecycle = LIFECYCLES[type(record)]
    return lifecycle.moves[lifecycle.states(getattr(record, lifecycle.field))]


def move(record, target, actor, *, changes: dict | None = None):
    """Move `record` to `target` if the table allows it, stamp the time, audit it; `changes`
    are stored in the same conditional update. `record` is updated in place and returned."""
    lifecycle = LIFECYCLES[type(record)]
    current = lifecycle.states(getattr(record, lifecycle.field))
    try:
        target = lifecycle.states(target)
    except ValueError:
        raise IllegalMove(gettext("Unknown state.")) from None
    if target not in allowed_moves(record):
        raise IllegalMove(gettext(lifecycle.refused) % {"current": current.label, "target": target.label})
    fields = {lifecycle.field: target.value, lifecycle.stamp: timezone.now(), **(changes or {})}
    with transaction.atomic():
        updated = type(record).objects.filter(pk=record.pk, **{lifecycle.field: current.value}).update(**fields)
        if not updated:
            raise IllegalMove(gettext("Someone else changed this meanwhile. Reload the page and try again."),
                              "changed_meanwhile")
        subject = record.tag if isinstance(record, LendableItem) else record.reference
        record_audit(actor, lifecycle.action, mall=Mall(pk=record.mall_id), subject=subject,
                     detail=f"{subject} {current.value} → {target.value}")
    for name, value in fields.items():
        setattr(record, name, value)
    return record
