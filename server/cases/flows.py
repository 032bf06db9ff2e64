"""The case lifecycle: every status move goes through `transition`, the one place that knows
which moves are allowed (DESIGN decision 4), stamps the times and writes the event; and the
hand-over of ownership between staff."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.services import department_of
from sync.protocol import CaseStatus

from .access import may_own_cases_of
from .audit import audit, label_of
from .errors import IllegalTransition, InvalidHandOver
from .models import STATUS_LABELS, Case, CaseEvent, EventKind, Visibility
from .notes import as_visibility, clean_note
from .routing import CALLBACK_WORKING_DAYS, business_calendar

S = CaseStatus

#: Which statuses a case may move to from each status. Read as "from → allowed next steps".
#:
#: - new → accepted: a staff member takes the case and becomes its owner (first-contact
#:   responsibility: they own it until they hand it over). A new case can also be withdrawn by
#:   the visitor or marked as a duplicate of another case.
#: - accepted/in_progress → waiting_on_visitor: the desk needs something from the visitor; the
#:   deadline pauses. waiting_on_visitor → in_progress when they answer.
#: - → resolved: the outcome has been told to the visitor. A simple case may be resolved
#:   straight from accepted (answered on the spot).
#: - resolved → followed_up: the call-back (回访) is done; → in_progress reopens the case
#:   when the visitor is not satisfied; → closed only when there is no phone to call back.
#: - followed_up → closed (archived), or → in_progress if the call-back reveals more work.
#: - → duplicate only by merging into the case that carries on (merging.merge_into).
#: - closed, withdrawn and duplicate are final.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.NEW: frozenset({S.ACCEPTED, S.WITHDRAWN, S.DUPLICATE}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.WAITING_ON_VISITOR, S.RESOLVED, S.WITHDRAWN, S.DUPLICATE}),
    S.IN_PROGRESS: frozenset({S.WAITING_ON_VISITOR, S.RESOLVED, S.WITHDRAWN}),
    S.WAITING_ON_VISITOR: frozenset({S.IN_PROGRESS, S.RESOLVED, S.WITHDRAWN}),
    S.RESOLVED: frozenset({S.FOLLOWED_UP, S.IN_PROGRESS, S.CLOSED}),
    S.FOLLOWED_UP: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DUPLICATE: frozenset(),
}
FINAL_STATUSES = frozenset({S.CLOSED, S.WITHDRAWN, S.DUPLICATE})


def allowed_next_statuses(case: Case) -> list[CaseStatus]:
    """The statuses `transition` would accept now, in lifecycle order (for the console form).
    Not duplicate: that takes the surviving case, so the merge has its own form."""
    allowed = ALLOWED_TRANSITIONS[CaseStatus(case.status)] - {S.DUPLICATE}
    if CaseStatus(case.status) == S.RESOLVED and case.contact_phone:
        allowed = allowed - {S.CLOSED}
    return [status for status in CaseStatus if status in allowed]


def transition(
    case: Case,
    to_status: CaseStatus | str,
    actor,
    note: str = "",
    visibility: Visibility | str = Visibility.PUBLIC,
    *,
    actor_label: str = "",
    extra_changes: dict | None = None,
) -> CaseEvent:
    """Move `case` to `to_status` if the lifecycle allows it; stamp the times; log the event.

    Accepting makes `actor` the owner. Waiting on the visitor pauses the deadline; leaving
    that status moves the deadline on by the opening hours spent waiting. Resolving a case with
    a phone number sets the call-back task. The update is conditional on the status read, so
    two people acting on the same case at once cannot both succeed. `case` is updated in place.
    `extra_changes` are stored in the same update (e.g. the call-back's outcome).
    """
    try:
        target = CaseStatus(to_status)
    except ValueError:
        raise IllegalTransition(gettext("Unknown status.")) from None
    visibility = as_visibility(visibility)
    note = clean_note(note, required=False)
    current = CaseStatus(case.status)
    if target not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransition(
            gettext("A case that is “%(current)s” cannot become “%(target)s”.")
            % {"current": STATUS_LABELS[current], "target": STATUS_LABELS[target]}
        )
    if current == S.RESOLVED and target == S.CLOSED and case.contact_phone:
        raise IllegalTransition(
            gettext("The visitor left a phone number: call them back (followed up) before closing.")
        )
    if target == S.ACCEPTED and actor is None:
        raise IllegalTransition(gettext("Only a staff member can accept a case."))
    if target == S.DUPLICATE and not (extra_changes or {}).get("merged_into"):
        raise IllegalTransition(
            gettext("A duplicate is merged into the case that carries on: give that case's reference."))

    now = timezone.now()
    changes: dict = {"status": target.value, "status_changed_at": now}
    if target == S.ACCEPTED:
        changes["owner"] = actor
        changes["accepted_at"] = now
    if target == S.RESOLVED:
        changes["resolved_at"] = now
    if target == S.IN_PROGRESS and current in (S.RESOLVED, S.FOLLOWED_UP):
        changes["resolved_at"] = None  # reopened: it is not resolved any more
    if target in FINAL_STATUSES:
        changes["finished_at"] = now
    if target == S.WAITING_ON_VISITOR:
        changes["paused_at"] = now
    elif current == S.WAITING_ON_VISITOR:
        changes["paused_at"] = None
        if case.due_at is not None and case.paused_at is not None:
            calendar = business_calendar(case.mall)
            # Whole minutes: a pause of seconds must not move a deadline due at closing time
            # to the next morning.
            waited = calendar.business_seconds_between(case.paused_at, now) // 60 * 60
            changes["due_at"] = calendar.add_business_seconds(case.due_at, waited)
    if target == S.RESOLVED and case.contact_phone:
        changes["callback_due_at"] = business_calendar(case.mall).deadline(now, CALLBACK_WORKING_DAYS)
    changes.update(extra_changes or {})
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, status=current.value).update(**changes)
        if not updated:
            raise IllegalTransition(
                gettext("Someone else changed this case meanwhile. Reload it and try again.")
            )
        event = CaseEvent.objects.create(
            case=case, at=now, actor=actor, actor_label=actor_label or label_of(actor),
            kind=EventKind.STATUS, from_status=current.value, to_status=target.value,
            note=note, visibility=visibility,
        )
        if actor is not None:
            audit(actor, "case.status", case, f"{case.reference} {current.value} → {target.value}")
    for field, value in changes.items():
        setattr(case, field, value)
    return event


def hand_over(case: Case, new_owner, actor, note: str = "") -> CaseEvent:
    """Pass an accepted case to another staff member, who becomes responsible for it.

    Internal: visitors are not told staff names. The new owner must be allowed to change
    cases of this mall.
    """
    note = clean_note(note, required=False)
    if case.status == S.NEW.value:
        raise InvalidHandOver(gettext("Accept the case before handing it over."))
    if CaseStatus(case.status) in FINAL_STATUSES:
        raise InvalidHandOver(gettext("This case is finished; it cannot be handed over."))
    if new_owner is None or not may_own_cases_of(new_owner, case.mall_id):
        raise InvalidHandOver(gettext("That person cannot handle cases of this mall."))
    if case.owner_id == new_owner.pk:
        raise InvalidHandOver(gettext("That person already owns this case."))
    label = label_of(new_owner)
    # Routing follows the hand-over: a case given to an engineer is engineering's now.
    department = department_of(new_owner) or case.department
    with transaction.atomic():
        # Conditional, like transition: a case finished or moved meanwhile is not handed over.
        updated = Case.objects.filter(pk=case.pk, status=case.status).update(
            owner=new_owner, department=department)
        if not updated:
            raise InvalidHandOver(
                gettext("Someone else changed this case meanwhile. Reload it and try again.")
            )
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=label_of(actor), kind=EventKind.ASSIGN,
            note=f"→ {label}" + (f"\n{note}" if note else ""), visibility=Visibility.INTERNAL,
        )
        audit(actor, "case.hand_over", case, f"{case.reference} → {new_owner.get_username()} ({department})")
    case.owner = new_owner
    case.department = department
    return event
