"""Case business rules: receiving uploads, the lifecycle, notes, hand-overs, tracking look-ups.

Every status change goes through `transition`, the one place that knows which moves are
allowed (DESIGN decision 4), stamps the times and writes the event. Views and the API only
call these functions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sync.protocol import CaseStatus, CaseUpload, has_control_characters, sha256_hex

from .access import can_change_case
from .models import STATUS_LABELS, VISITOR_STATUS_LABELS, Case, CaseEvent, EventKind, Visibility
from server.accounts.services import person_name

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
MAX_NOTE_CHARS = 2000
MAX_DETAILS = 30
MAX_DETAIL_KEY_CHARS = 64
MAX_DETAIL_VALUE_CHARS = 500
MAX_LOCATION_ID_CHARS = 64
# The kiosk makes tokens of ≥128 random bits, URL-safe; anything else cannot be a token.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")  # 22 base64url characters = 128 bits


class CaseError(Exception):
    """A request the case rules refuse; `code` is machine-readable, the message is for people."""

    code = "case_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UploadConflict(CaseError):
    """The upload clashes with a different case (its id, reference or token is taken)."""

    code = "conflict"


class UploadRejected(CaseError):
    """The upload is well-formed for the protocol but breaks a server-side limit."""

    code = "invalid_case"


class IllegalTransition(CaseError):
    code = "illegal_transition"


class InvalidNote(CaseError):
    code = "invalid_note"


class InvalidHandOver(CaseError):
    code = "invalid_hand_over"


# ---------------------------------------------------------------- receiving from kiosks
def receive_upload(kiosk, upload: CaseUpload) -> tuple[Case, bool]:
    """Store one case from `kiosk`'s outbox; return (case, created).

    Idempotent on the case id: a retry (even one racing the first upload) returns the stored
    case with created=False. The primary key decides the race, not a read before the write.
    """
    _check_server_limits(upload)
    mall = kiosk.mall
    now = timezone.now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                id=upload.id,
                mall=mall,
                kiosk=kiosk,
                reference=upload.reference,
                tracking_token_sha256=upload.tracking_token_sha256,
                kind=upload.kind.value,
                category=upload.category.value if upload.category else "",
                store_id=upload.store_id or "",
                occurred_at=_aware(upload.occurred_at, mall),
                description=upload.description,
                contact_phone=upload.contact_phone if upload.contact_consent else None,
                contact_consent=upload.contact_consent,
                language=upload.language,
                status=S.NEW.value,
                created_at=_aware(upload.created_at, mall),
                received_at=now,
                status_changed_at=now,
                location_id=upload.location_id or getattr(kiosk, "location_id", ""),
                details=dict(upload.details),
            )
            CaseEvent.objects.create(
                case=case, at=now, kind=EventKind.CREATED, to_status=S.NEW.value,
                actor_label=_kiosk_label(kiosk), visibility=Visibility.PUBLIC,
            )
        return case, True
    except IntegrityError:
        pass
    return _already_received(kiosk, upload), False


def _already_received(kiosk, upload: CaseUpload) -> Case:
    """After a failed insert: the same case sent again, or a clash with another case."""
    existing = Case.objects.filter(pk=upload.id).first()
    if existing is not None:
        same_case = (
            existing.mall_id == kiosk.mall_id
            and existing.reference == upload.reference
            and existing.tracking_token_sha256 == upload.tracking_token_sha256
        )
        if same_case:
            return existing
        raise UploadConflict(
            f"case id {upload.id} is already used by a different case", code="id_conflict"
        )
    if Case.objects.filter(reference=upload.reference).exists():
        raise UploadConflict(
            f"reference {upload.reference} is already used by another case",
            code="reference_conflict",
        )
    if Case.objects.filter(tracking_token_sha256=upload.tracking_token_sha256).exists():
        raise UploadConflict(
            "tracking token is already used by another case", code="token_conflict"
        )
    # Neither a duplicate nor a clash we know of (e.g. the kiosk's row vanished meanwhile).
    raise UploadConflict("the case could not be stored; retry later", code="conflict")


def _check_server_limits(upload: CaseUpload) -> None:
    """Limits the protocol leaves open but the database and the console need."""
    if upload.location_id and len(upload.location_id) > MAX_LOCATION_ID_CHARS:
        raise UploadRejected(f"location_id is longer than {MAX_LOCATION_ID_CHARS} characters")
    for text in (upload.store_id, upload.location_id):
        if text and has_control_characters(text):
            raise UploadRejected("store_id and location_id must not contain control characters")
    if len(upload.details) > MAX_DETAILS:
        raise UploadRejected(f"details has more than {MAX_DETAILS} fields")
    for key, value in upload.details.items():
        if not key or len(key) > MAX_DETAIL_KEY_CHARS or len(value) > MAX_DETAIL_VALUE_CHARS:
            raise UploadRejected(
                f"details keys need 1-{MAX_DETAIL_KEY_CHARS} characters and values at most "
                f"{MAX_DETAIL_VALUE_CHARS}"
            )
        if has_control_characters(key) or has_control_characters(value):
            raise UploadRejected("details must not contain control characters")


def _aware(moment: datetime | None, mall) -> datetime | None:
    """Kiosk clocks are local: a time without an offset is read in the mall's time zone."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=mall_zone(mall))


def mall_zone(mall) -> ZoneInfo:
    """The mall's time zone, for reading kiosk times and showing times to visitors."""
    try:
        return ZoneInfo(mall.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _kiosk_label(kiosk) -> str:
    name = getattr(kiosk, "code", "") or kiosk.pk
    return f"kiosk {name}"


# ---------------------------------------------------------------- lifecycle
def allowed_next_statuses(case: Case) -> list[CaseStatus]:
    """The statuses `transition` would accept now, in lifecycle order (for the console form)."""
    allowed = ALLOWED_TRANSITIONS[CaseStatus(case.status)]
    if CaseStatus(case.status) == S.RESOLVED and case.contact_phone:
        allowed = allowed - {S.CLOSED}
    return [status for status in CaseStatus if status in allowed]


def transition(
    case: Case,
    to_status: CaseStatus | str,
    actor,
    note: str = "",
    visibility: Visibility | str = Visibility.PUBLIC,
) -> CaseEvent:
    """Move `case` to `to_status` if the lifecycle allows it; stamp the times; log the event.

    Accepting makes `actor` the owner. The update is conditional on the status read, so two
    people acting on the same case at once cannot both succeed. `case` is updated in place.
    """
    try:
        target = CaseStatus(to_status)
    except ValueError:
        raise IllegalTransition(gettext("Unknown status.")) from None
    visibility = _visibility(visibility)
    note = _clean_note(note, required=False)
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
    with transaction.atomic():
        updated = Case.objects.filter(pk=case.pk, status=current.value).update(**changes)
        if not updated:
            raise IllegalTransition(
                gettext("Someone else changed this case meanwhile. Reload it and try again.")
            )
        event = CaseEvent.objects.create(
            case=case, at=now, actor=actor, actor_label=_actor_label(actor),
            kind=EventKind.STATUS, from_status=current.value, to_status=target.value,
            note=note, visibility=visibility,
        )
    for field, value in changes.items():
        setattr(case, field, value)
    return event


def add_note(
    case: Case, actor, text: str, visibility: Visibility | str = Visibility.INTERNAL
) -> CaseEvent:
    """A note on the case's timeline; public notes are what the visitor reads on the phone."""
    return CaseEvent.objects.create(
        case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.NOTE,
        note=_clean_note(text, required=True), visibility=_visibility(visibility),
    )


def hand_over(case: Case, new_owner, actor, note: str = "") -> CaseEvent:
    """Pass an accepted case to another staff member, who becomes responsible for it.

    Internal: visitors are not told staff names. The new owner must be allowed to change
    cases of this mall.
    """
    note = _clean_note(note, required=False)
    if case.status == S.NEW.value:
        raise InvalidHandOver(gettext("Accept the case before handing it over."))
    if CaseStatus(case.status) in FINAL_STATUSES:
        raise InvalidHandOver(gettext("This case is finished; it cannot be handed over."))
    if new_owner is None or not can_change_case(new_owner, case):
        raise InvalidHandOver(gettext("That person cannot handle cases of this mall."))
    if case.owner_id == new_owner.pk:
        raise InvalidHandOver(gettext("That person already owns this case."))
    label = _actor_label(new_owner)
    with transaction.atomic():
        # Conditional, like transition: a case finished or moved meanwhile is not handed over.
        if not Case.objects.filter(pk=case.pk, status=case.status).update(owner=new_owner):
            raise InvalidHandOver(
                gettext("Someone else changed this case meanwhile. Reload it and try again.")
            )
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.ASSIGN,
            note=f"→ {label}" + (f"\n{note}" if note else ""), visibility=Visibility.INTERNAL,
        )
    case.owner = new_owner
    return event


def _visibility(value: Visibility | str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        raise InvalidNote(gettext("Choose whether the note is public or internal.")) from None


def _clean_note(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidNote(gettext("The note is empty."))
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidNote(
            gettext("A note can be at most %(count)d characters.") % {"count": MAX_NOTE_CHARS}
        )
    if has_control_characters(text.replace("\r\n", "\n")):
        raise InvalidNote(gettext("The note contains characters that cannot be shown."))
    return text.replace("\r\n", "\n")


def _actor_label(actor) -> str:
    return person_name(actor) if actor is not None else "system"


# ---------------------------------------------------------------- the console's inbox
OPEN_FILTER = "open"


def filter_inbox(cases: QuerySet[Case], status: str) -> tuple[QuerySet[Case], str]:
    """(cases newest first, the filter applied): a status, "open" (not finished), or "" (all).

    An unknown filter shows everything rather than an empty list.
    """
    if status == OPEN_FILTER:
        cases = cases.exclude(status__in=[s.value for s in FINAL_STATUSES])
    elif status in {s.value for s in CaseStatus}:
        cases = cases.filter(status=status)
    else:
        status = ""
    return cases.order_by("-received_at", "-id"), status


def status_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """How many cases are in each status (one grouped query on the inbox index)."""
    return dict(cases.order_by().values_list("status").annotate(n=Count("id")))


# ---------------------------------------------------------------- the visitor's view
def tracking_token_hash(raw_token: str) -> str:
    return sha256_hex(raw_token.encode("ascii"))


def find_by_token(raw_token: str) -> Case | None:
    """The case a tracking URL's token opens, or None; malformed and unknown look the same."""
    if not raw_token or not TOKEN_RE.match(raw_token):
        return None
    return (
        Case.objects.select_related("mall")
        .filter(tracking_token_sha256=tracking_token_hash(raw_token))
        .first()
    )


def public_timeline(case: Case) -> QuerySet[CaseEvent]:
    """What the visitor may read: public events only, oldest first."""
    return case.events.filter(visibility=Visibility.PUBLIC).order_by("at", "id")


@dataclass(frozen=True)
class ProgressStep:
    label: str
    state: str  # "done", "current" or "todo"


# The visitor's steps; waiting, follow-up and the like fold into them.
_VISITOR_STEPS: list[tuple[CaseStatus, ...]] = [
    (S.NEW,),
    (S.ACCEPTED,),
    (S.IN_PROGRESS, S.WAITING_ON_VISITOR),
    (S.RESOLVED, S.FOLLOWED_UP),
    (S.CLOSED,),
]


def visitor_progress(case: Case) -> list[ProgressStep]:
    """The step indicator for the tracking page; empty for withdrawn and duplicate cases.

    Each step is named by its first status, except the current one, which says exactly where
    the case is ("Waiting for your reply" rather than "Being handled").
    """
    status = CaseStatus(case.status)
    if status in (S.WITHDRAWN, S.DUPLICATE):
        return []
    current_index = next(i for i, members in enumerate(_VISITOR_STEPS) if status in members)
    steps = []
    for index, members in enumerate(_VISITOR_STEPS):
        if index < current_index:
            steps.append(ProgressStep(str(VISITOR_STATUS_LABELS[members[0]]), "done"))
        elif index == current_index:
            steps.append(ProgressStep(str(VISITOR_STATUS_LABELS[status]), "current"))
        else:
            steps.append(ProgressStep(str(VISITOR_STATUS_LABELS[members[0]]), "todo"))
    return steps


def mask_phone(phone: str | None) -> str:
    """138****1234: enough for staff to recognise a caller in a list, not to copy the number."""
    if not phone:
        return ""
    digits = phone.lstrip("+")
    prefix = "+" if phone.startswith("+") else ""
    if digits.startswith("86") and len(digits) == 13:
        prefix, digits = "+86 ", digits[2:]
    if len(digits) <= 7:
        return prefix + "*" * len(digits)
    return f"{prefix}{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
