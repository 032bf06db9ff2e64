"""Follow-ups after a low score (直至合格为止): a visitor's rating or a call-back's satisfaction
of 1 or 2 opens a task for the mall manager; it stays open until a better score arrives or a
manager closes it with a note. `move` is the one place a follow-up's status changes."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.roles import Role

from . import signals
from .access import cases_visible_to, may_own_cases_of
from .audit import audit
from .errors import CaseError
from .models import Case, FollowUp, FollowUpStatus
from .notes import clean_note

LOW_SCORES = frozenset({1, 2})
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    FollowUpStatus.OPEN: frozenset({FollowUpStatus.CLOSED}),
    FollowUpStatus.CLOSED: frozenset(),
}


class InvalidFollowUp(CaseError):
    code = "invalid_follow_up"


def open_follow_up_of(case: Case) -> FollowUp | None:
    return case.follow_ups.filter(status=FollowUpStatus.OPEN).first()


def score_received(case: Case, score: int, *, by_callback: bool) -> FollowUp | None:
    """A new score for `case`: a low one opens a follow-up (one open at a time), a better one
    closes the open follow-up. Returns the follow-up opened or closed, if any."""
    current = open_follow_up_of(case)
    if score in LOW_SCORES:
        if current is not None:
            return None
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(case=case, low_score=score, opened_by_callback=by_callback)
        except IntegrityError:  # another request opened it meanwhile
            return None
        transaction.on_commit(lambda: signals.follow_up_opened.send(FollowUp, follow_up=follow_up, case=case))
        return follow_up
    if current is None:
        return None
    return move(current, FollowUpStatus.CLOSED, better_score=score)


def can_close_follow_ups(user, case: Case) -> bool:
    """Managers (and administrators) of the case's mall close a follow-up by hand."""
    if not may_own_cases_of(user, case.mall_id):
        return False
    return user.is_superuser or user.groups.filter(name=Role.MANAGER.value).exists()


def close_by_manager(follow_up: FollowUp, actor, note: str) -> FollowUp:
    if not can_close_follow_ups(actor, follow_up.case):
        raise InvalidFollowUp(gettext("Only the mall manager closes a follow-up by hand."))
    note = clean_note(note, required=True)
    follow_up = move(follow_up, FollowUpStatus.CLOSED, actor=actor, note=note)
    audit(actor, "case.follow_up_close", follow_up.case, f"{follow_up.case.reference} {note[:100]}")
    return follow_up


def move(follow_up: FollowUp, to_status: str, *, actor=None, note: str = "",
         better_score: int | None = None) -> FollowUp:
    """Change a follow-up's status if ALLOWED_MOVES lets it, conditional on the status read."""
    if to_status not in ALLOWED_MOVES[follow_up.status]:
        raise InvalidFollowUp(gettext("This follow-up is already closed."))
    changes = {"status": to_status, "closed_at": timezone.now(), "closed_by": actor,
               "closing_note": note, "better_score": better_score}
    with transaction.atomic():
        if not FollowUp.objects.filter(pk=follow_up.pk, status=follow_up.status).update(**changes):
            raise InvalidFollowUp(gettext("Someone else changed this follow-up meanwhile. Reload it and try again."))
    for field, value in changes.items():
        setattr(follow_up, field, value)
    transaction.on_commit(lambda: signals.follow_up_closed.send(
        FollowUp, follow_up=follow_up, case=follow_up.case))
    return follow_up


def open_follow_ups_for(user) -> QuerySet[FollowUp]:
    """Open follow-ups of the cases `user` may see, oldest first."""
    return (FollowUp.objects.filter(status=FollowUpStatus.OPEN, case__in=cases_visible_to(user))
            .select_related("case", "case__mall").order_by("opened_at", "id"))
