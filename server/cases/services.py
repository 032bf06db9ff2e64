"""Case business rules: receiving uploads, the lifecycle, notes, hand-overs, tracking look-ups.

Every status change goes through `transition`, the one place that knows which moves are
allowed (DESIGN decision 4), stamps the times and writes the event. Views and the API only
call these functions.
"""
from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from ulid import ULID

from server.accounts.services import department_of, person_name, record_audit
from server.malls.models import Department, Mall
from sync.protocol import (
    MAX_DETAIL_KEY_CHARS,
    MAX_DETAIL_VALUE_CHARS,
    MAX_DETAILS,
    REFERENCE_ALPHABET,
    REFERENCE_RE,
    CaseKind,
    CaseStatus,
    CaseUpload,
    ComplaintCategory,
    has_control_characters,
    sha256_hex,
)

from .access import may_own_cases_of
from .deadlines import BusinessCalendar
from .models import (
    STATUS_LABELS,
    VISITOR_STATUS_LABELS,
    CannedReply,
    Case,
    CaseAttachment,
    CaseEvent,
    CategoryRule,
    DeskReferencePrefix,
    EventKind,
    Holiday,
    Source,
    Visibility,
)

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
    category = upload.category.value if upload.category else ""
    department, due_at = route(mall, upload.kind.value, category, now)
    store_id = upload.store_id or ""
    location_id = upload.location_id or getattr(kiosk, "location_id", "")
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
                location_id=location_id,
                details=dict(upload.details),
                source=Source.KIOSK,
                department=department,
                due_at=due_at,
                level_id=floor_of(mall, store_id, location_id),
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
    return moment.replace(tzinfo=mall.zone)


def _kiosk_label(kiosk) -> str:
    name = getattr(kiosk, "code", "") or kiosk.pk
    return f"kiosk {name}"


# ---------------------------------------------------------------- routing and deadlines
D, C = Department, ComplaintCategory
#: Where each complaint category goes and the working days promised (0 = the same day), unless
#: the mall has its own CategoryRule. Safety to security, facilities to engineering, disputes
#: with a store to floor management, as the manuals divide the work.
DEFAULT_RULES: dict[str, tuple[str, int]] = {
    C.SAFETY: (D.SECURITY, 0),
    C.ENVIRONMENT_FACILITIES: (D.ENGINEERING, 0),
    C.TENANT_DISPUTE: (D.FLOOR, 5),
    C.PRODUCT_QUALITY: (D.FLOOR, 3),
    C.SERVICE_ATTITUDE: (D.FLOOR, 1),
    C.PRICE_QUESTION: (D.FLOOR, 0),
    C.OTHER: (D.SERVICE_DESK, 0),
}
#: Other kinds of case: the service desk; None = no deadline (praise needs thanks, not a fix).
KIND_RULES: dict[str, tuple[str, int | None]] = {
    CaseKind.ENQUIRY: (D.SERVICE_DESK, 0),
    CaseKind.COMPLAINT: (D.SERVICE_DESK, 0),
    CaseKind.SUGGESTION: (D.SERVICE_DESK, 5),
    CaseKind.LOST_REPORT: (D.SERVICE_DESK, 0),
    CaseKind.FOUND_ITEM: (D.SERVICE_DESK, None),
    CaseKind.PRAISE: (D.SERVICE_DESK, None),
}
#: Working days the desk has to call a visitor back after a case is resolved.
CALLBACK_WORKING_DAYS = 1


def business_calendar(mall) -> BusinessCalendar:
    """The mall's opening hours and holidays (one query for the holidays)."""
    holidays = Holiday.objects.filter(mall=mall, day__gte=timezone.now().date() - timedelta(days=400))
    return BusinessCalendar.from_hours(
        mall.zone, mall.hours, holidays.values_list("day", flat=True)
    )


def rule_for(mall, kind: str, category: str) -> tuple[str, int | None]:
    """(department, working days or None) for a new case of this kind and category."""
    if kind == CaseKind.COMPLAINT.value and category:
        rule = CategoryRule.objects.filter(mall=mall, category=category).first()
        if rule is not None:
            return rule.department, rule.working_days
        if category in DEFAULT_RULES:
            return DEFAULT_RULES[category]
    return KIND_RULES.get(kind, (D.SERVICE_DESK, 0))


def route(mall, kind: str, category: str, received: datetime) -> tuple[str, datetime | None]:
    """(department, due time) of a case received now."""
    department, working_days = rule_for(mall, kind, category)
    if working_days is None:
        return str(department), None
    return str(department), business_calendar(mall).deadline(received, working_days)


def floor_of(mall, store_id: str, location_id: str) -> str:
    """The floor (level id) a case is about: its store's, else the kiosk point's, else ""."""
    from server.content.models import KioskPoint, Store

    if store_id:
        level = Store.objects.filter(mall=mall, content_id=store_id).values_list(
            "level__content_id", flat=True).first()
        if level:
            return level
    if location_id:
        level = KioskPoint.objects.filter(mall=mall, content_id=location_id).values_list(
            "level__content_id", flat=True).first()
        if level:
            return level
    return ""


ACTIVE_STATUSES = frozenset({S.NEW, S.ACCEPTED, S.IN_PROGRESS})
"""Statuses whose deadline is running (waiting on the visitor pauses it)."""


def is_overdue(case: Case, now: datetime | None = None) -> bool:
    return (case.due_at is not None and CaseStatus(case.status) in ACTIVE_STATUSES
            and case.due_at < (now or timezone.now()))


def overdue_q(now: datetime | None = None) -> Q:
    return Q(status__in=[s.value for s in ACTIVE_STATUSES], due_at__lt=now or timezone.now())


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
            case=case, at=now, actor=actor, actor_label=actor_label or _actor_label(actor),
            kind=EventKind.STATUS, from_status=current.value, to_status=target.value,
            note=note, visibility=visibility,
        )
        if actor is not None:
            _audit(actor, "case.status", case, f"{case.reference} {current.value} → {target.value}")
    for field, value in changes.items():
        setattr(case, field, value)
    return event


def add_note(
    case: Case, actor, text: str, visibility: Visibility | str = Visibility.INTERNAL
) -> CaseEvent:
    """A note on the case's timeline; public notes are what the visitor reads on the phone."""
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.NOTE,
            note=_clean_note(text, required=True), visibility=_visibility(visibility),
        )
        if actor is not None:
            _audit(actor, "case.note", case, f"{case.reference} {event.visibility}")
    return event


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
    if new_owner is None or not may_own_cases_of(new_owner, case.mall_id):
        raise InvalidHandOver(gettext("That person cannot handle cases of this mall."))
    if case.owner_id == new_owner.pk:
        raise InvalidHandOver(gettext("That person already owns this case."))
    label = _actor_label(new_owner)
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
            case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.ASSIGN,
            note=f"→ {label}" + (f"\n{note}" if note else ""), visibility=Visibility.INTERNAL,
        )
        _audit(actor, "case.hand_over", case, f"{case.reference} → {new_owner.get_username()} ({department})")
    case.owner = new_owner
    case.department = department
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


#: What the audit log records of the case desk (besides the case's own timeline): every change a
#: staff member makes, the system's escalations, and every reveal of a visitor's phone number.
AUDITED_CASE_ACTIONS = ("case.register", "case.status", "case.note", "case.hand_over", "case.callback",
                        "case.attachment", "case.reveal_contact", "case.escalate")


def _audit(actor, action: str, case: Case, detail: str) -> None:
    record_audit(actor, action, mall=Mall(pk=case.mall_id), subject=case.pk, detail=detail)


# ---------------------------------------------------------------- the console's inbox
OPEN_FILTER = "open"
OPEN_STATUS_VALUES = [s.value for s in CaseStatus if s not in FINAL_STATUSES]
MAX_SEARCH_CHARS = 100


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox is filtered by; empty values filter nothing."""

    status: str = ""
    kind: str = ""
    category: str = ""
    department: str = ""
    owner: int | str | None = None  # a user id, or "none" for unowned cases
    overdue: bool = False
    callback_due: bool = False
    escalated: bool = False
    floor: str = ""
    store: str = ""
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""


def filter_inbox(cases: QuerySet[Case], filters: InboxFilters | str, zone: ZoneInfo | None = None
                 ) -> QuerySet[Case]:
    """The cases matching `filters`, newest first. A bare string filters by status only.

    Each filter is one equality on an indexed column (case_*_idx), so the first page at a
    million cases is an index range scan. Search matches the reference exactly or the
    description and the phone's last digits as text.
    """
    if isinstance(filters, str):
        filters = InboxFilters(status=filters)
    zone = zone or ZoneInfo(settings.TIME_ZONE)
    if filters.status == OPEN_FILTER:  # IN, not NOT IN: an index range, at any size
        cases = cases.filter(status__in=OPEN_STATUS_VALUES)
    elif filters.status in {s.value for s in CaseStatus}:
        cases = cases.filter(status=filters.status)
    for field_name, value in (("kind", filters.kind), ("category", filters.category),
                              ("department", filters.department), ("level_id", filters.floor),
                              ("store_id", filters.store)):
        if value:
            cases = cases.filter(**{field_name: value})
    if filters.owner == "none":
        cases = cases.filter(owner__isnull=True)
    elif filters.owner:
        cases = cases.filter(owner_id=filters.owner)
    now = timezone.now()
    if filters.overdue:
        cases = cases.filter(overdue_q(now))
    if filters.callback_due:
        cases = cases.filter(status=S.RESOLVED.value, callback_due_at__isnull=False)
    if filters.escalated:
        cases = cases.filter(escalated_at__isnull=False, status__in=OPEN_STATUS_VALUES)
    if filters.received_from:
        cases = cases.filter(received_at__gte=datetime.combine(filters.received_from, datetime.min.time(), zone))
    if filters.received_to:
        cases = cases.filter(received_at__lt=datetime.combine(
            filters.received_to + timedelta(days=1), datetime.min.time(), zone))
    text = filters.search.strip()[:MAX_SEARCH_CHARS]
    if REFERENCE_RE.match(text.upper()):
        cases = cases.filter(reference=text.upper())  # a reference is unique: no text scan
    elif text:
        query = description_matches(text)
        if text.isdigit() and len(text) >= 4:
            query |= Q(contact_phone__endswith=text)
        cases = cases.filter(query)
    return cases.order_by("-received_at", "-id")


#: Up to this many cases whose description holds the searched text are looked up in the search
#: index and then paged like any filter; a term found more often is common enough that the
#: inbox's own newest-first scan meets a page of it sooner.
SEARCH_CANDIDATES = 2000
_FTS_TABLE = "cases_case_fts"
_TRIGRAM_INDEX = "case_description_trgm_idx"


def description_matches(text: str) -> Q:
    """The cases whose description contains `text` (any case, any script).

    A term of three characters or more is looked up in the trigram index (migration 0005:
    FTS5 on SQLite, pg_trgm on PostgreSQL), so a rare word is found among millions of cases
    without reading them all; without the index, or for shorter terms, the description is
    compared row by row. The comparison itself always runs too, so the index decides only
    where to look, never what matches.
    """
    ids = _indexed_description_matches(text, SEARCH_CANDIDATES + 1)
    if ids is None or len(ids) > SEARCH_CANDIDATES:
        return Q(description__icontains=text)
    return Q(pk__in=ids, description__icontains=text)


def _indexed_description_matches(text: str, limit: int) -> list[str] | None:
    """Up to `limit` ids of cases whose description contains `text`, from the trigram index;
    None when there is no index to ask or the term is too short for trigrams."""
    from django.db import connection

    if len(text) < 3:
        return None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           [f"{_FTS_TABLE}_%"])
            if cursor.fetchone()[0] != 3:  # not built, or a later table rebuild dropped its triggers
                return None
            phrase = '"' + text.replace('"', '""') + '"'
            cursor.execute(f"SELECT case_id FROM {_FTS_TABLE} WHERE {_FTS_TABLE} MATCH %s LIMIT %s",
                           [phrase, limit])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [_TRIGRAM_INDEX])
            if cursor.fetchone() is None:
                return None
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            cursor.execute(f"SELECT id FROM {Case._meta.db_table} WHERE UPPER(description) LIKE UPPER(%s) "
                           "LIMIT %s", [pattern, limit])
        else:
            return None
        return [row[0] for row in cursor.fetchall()]


def status_counts(cases: QuerySet[Case]) -> dict[str, int]:
    """How many open cases are in each open status (one grouped query on the inbox index).

    Finished cases are not counted: they pile up to millions, and nobody works from that count.
    """
    open_cases = cases.filter(status__in=OPEN_STATUS_VALUES)
    return dict(open_cases.order_by().values_list("status").annotate(n=Count("id")))


def first_rows(cases: QuerySet[Case], page: int, per_page: int) -> tuple[list[Case], bool]:
    """(the page's rows, whether an older page exists), without counting every match."""
    offset = (max(page, 1) - 1) * per_page
    rows = list(cases[offset:offset + per_page + 1])
    return rows[:per_page], len(rows) > per_page


# ---------------------------------------------------------------- the visitor's view
def tracking_token_hash(raw_token: str) -> str:
    return sha256_hex(raw_token.encode("ascii"))


def find_by_token(raw_token: str) -> Case | None:
    """The case a tracking URL's token opens, or None; malformed and unknown look the same."""
    if not raw_token or not TOKEN_RE.match(raw_token):
        return None
    case = next(iter(Case.objects.raw(_TRACKING_SQL, [tracking_token_hash(raw_token)])), None)
    if case is not None:
        case.mall = Mall(**{field: getattr(case, f"mall_{field}") for field in _TRACKING_MALL_FIELDS})
    if case is not None and case.finished_at is not None and case.finished_at < retention_cutoff():
        return None  # past retention: the link stops working even before the erase job ran
    return case


def public_timeline(case: Case) -> list[CaseEvent]:
    """What the visitor may read: public events only, oldest first."""
    return list(CaseEvent.objects.raw(_TIMELINE_SQL, [case.pk, Visibility.PUBLIC.value]))


# The tracking page is the busiest page (every visitor, every refresh) and reads two small rows
# sets; compiling ORM queries of a 40-column model cost more than running them, so its two
# queries are written out (portable SQL: SQLite and PostgreSQL). Other columns load on access.
_TRACKING_CASE_FIELDS = ("id", "mall_id", "reference", "kind", "category", "created_at", "description",
                         "status", "due_at", "rating", "finished_at", "language")
_TRACKING_MALL_FIELDS = ("id", "name_zh_cn", "name_en", "name_zh_tw", "timezone")
_TRACKING_SQL = (
    "SELECT " + ", ".join(f"c.{f}" for f in _TRACKING_CASE_FIELDS) + ", "
    + ", ".join(f"m.{f} AS mall_{f}" for f in _TRACKING_MALL_FIELDS)
    + f" FROM {Case._meta.db_table} c JOIN {Mall._meta.db_table} m ON m.id = c.mall_id"
    " WHERE c.tracking_token_sha256 = %s"
)
_TIMELINE_SQL = (
    f"SELECT id, at, kind, to_status, note FROM {CaseEvent._meta.db_table}"
    " WHERE case_id = %s AND visibility = %s ORDER BY at, id"
)


@dataclass(frozen=True)
class Moment:
    iso: str
    shown: str


def moment(value: datetime | None, zone: ZoneInfo) -> Moment | None:
    """A time for the visitor's page, in the mall's zone (formatted here: cheaper than in the template)."""
    if value is None:
        return None
    local = value.astimezone(zone)
    return Moment(local.isoformat(), local.strftime("%Y-%m-%d %H:%M"))


@dataclass(frozen=True)
class TimelineRow:
    iso: str
    shown: str
    text: str
    note: str


def visitor_timeline(case: Case, zone: ZoneInfo) -> list[TimelineRow]:
    """The public timeline as the visitor reads it: newest first, in their words."""
    rows = []
    for event in reversed(public_timeline(case)):
        if event.kind == EventKind.CREATED:
            text = gettext("We received your case.")
        elif event.kind == EventKind.STATUS:
            text = gettext("Status: %(status)s") % {"status": event.visitor_status_label}
        elif event.kind == EventKind.VISITOR:
            text = gettext("You added information:")
        elif event.kind == EventKind.RATING:
            text = gettext("Your rating:")
        else:
            text = ""
        when = moment(event.at, zone)
        rows.append(TimelineRow(when.iso, when.shown, text, event.note))
    return rows


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


# ---------------------------------------------------------------- cases registered by staff
class InvalidCase(CaseError):
    code = "invalid_case"


DESK_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,18}[0-9]$")
"""Numbers staff write down: any the visitor gives (landlines, extensions' digits), not only mobiles."""


def register_case(mall, actor, *, source: str, kind: str, description: str, category: str = "",
                  store_id: str = "", contact_phone: str = "", contact_consent: bool = False,
                  language: str = "zh_CN") -> tuple[Case, str]:
    """A case a staff member registers for a walk-in or a phone call; returns (case, token).

    The staff member took it, so they accept it at once and own it (first-contact
    responsibility). The raw tracking token is returned once, for the ticket the desk prints.
    """
    if actor is None:
        raise InvalidCase(gettext("Only a staff member can accept a case."))
    if source not in (Source.DESK, Source.PHONE):
        raise InvalidCase(gettext("Choose where the case came from."))
    if kind not in {k.value for k in CaseKind}:
        raise InvalidCase(gettext("Choose a kind of case."))
    if category and category not in {c.value for c in ComplaintCategory}:
        raise InvalidCase(gettext("Choose a category from the list."))
    if kind == CaseKind.COMPLAINT.value and not category:
        raise InvalidCase(gettext("A complaint needs a category."))
    if not (description or "").strip():
        raise InvalidCase(gettext("Write down what the visitor told us."))
    try:
        description = _clean_note(description, required=True)
    except InvalidNote as exc:
        raise InvalidCase(exc.message) from None
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not DESK_PHONE_RE.match(contact_phone):
        raise InvalidCase(gettext("That does not look like a phone number."))
    if contact_phone and not contact_consent:
        raise InvalidCase(gettext("Keep a phone number only when the visitor agrees to be contacted."))
    now = timezone.now()
    department, due_at = route(mall, kind, category, now)
    token = secrets.token_urlsafe(24)
    for _attempt in range(20):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    id=str(ULID()), mall=mall, reference=_desk_reference(mall),
                    tracking_token_sha256=tracking_token_hash(token), kind=kind,
                    category=category if kind == CaseKind.COMPLAINT.value else "",
                    store_id=store_id, description=description,
                    contact_phone=contact_phone or None, contact_consent=bool(contact_phone),
                    language=language, created_at=now, received_at=now, status_changed_at=now,
                    source=source, department=department, due_at=due_at,
                    level_id=floor_of(mall, store_id, ""),
                )
                CaseEvent.objects.create(
                    case=case, at=now, actor=actor, actor_label=_actor_label(actor),
                    kind=EventKind.CREATED, to_status=S.NEW.value, visibility=Visibility.PUBLIC,
                )
            break
        except IntegrityError:
            continue  # a reference drawn twice: draw again
    else:
        raise InvalidCase(gettext("The case could not be stored; please try again."))
    transition(case, S.ACCEPTED, actor)
    record_audit(actor, "case.register", mall=mall, subject=case.pk, detail=f"{source} {case.reference}")
    return case, token


def _desk_reference(mall) -> str:
    """A reference with the mall's desk prefix (a kiosk code issued to the desk)."""
    from server.fleet.services import issue_kiosk_code

    prefix = (DeskReferencePrefix.objects.filter(mall=mall).order_by("-issued_at")
              .values_list("code", flat=True).first())
    if prefix is None or Case.objects.filter(reference__startswith=prefix + "-").count() > 500_000:
        prefix = issue_kiosk_code()
        DeskReferencePrefix.objects.create(code=prefix, mall=mall)
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))


def tracking_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/t/{token}"


# ---------------------------------------------------------------- call-backs (回访)
class InvalidCallback(CaseError):
    code = "invalid_callback"


def record_callback(case: Case, actor, *, reached: bool, satisfaction: int | None = None,
                    outcome: str = "") -> CaseEvent:
    """The call-back after resolution: reached (with satisfaction 1–5) moves the case to
    followed-up; not reached is logged and the task stays due."""
    outcome = _clean_note(outcome, required=False)
    if case.status != S.RESOLVED.value:
        raise InvalidCallback(gettext("A call-back is made once the case is resolved."))
    if not reached:
        with transaction.atomic():
            event = CaseEvent.objects.create(
                case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.CALLBACK,
                note=gettext("Call-back: the visitor could not be reached.") + (f"\n{outcome}" if outcome else ""),
                visibility=Visibility.INTERNAL,
            )
            _audit(actor, "case.callback", case, f"{case.reference} not reached")
        return event
    if satisfaction not in (1, 2, 3, 4, 5):
        raise InvalidCallback(gettext("Record the visitor's satisfaction (1 to 5)."))
    now = timezone.now()
    return transition(
        case, S.FOLLOWED_UP, actor,
        note=gettext("Call-back done. Satisfaction: %(score)d/5.") % {"score": satisfaction}
        + (f"\n{outcome}" if outcome else ""),
        visibility=Visibility.INTERNAL,
        extra_changes={"callback_done_at": now, "callback_due_at": None,
                       "callback_satisfaction": satisfaction, "callback_outcome": outcome},
    )


# ---------------------------------------------------------------- the visitor's own actions
class VisitorError(CaseError):
    code = "visitor_error"


MAX_COMMENT_CHARS = 1000
RATEABLE_STATUSES = frozenset({S.RESOLVED, S.FOLLOWED_UP, S.CLOSED})


def visitor_reply(case: Case, text: str) -> CaseEvent:
    """The visitor answers the desk's question from the tracking page; the deadline runs again."""
    if case.status != S.WAITING_ON_VISITOR.value:
        raise VisitorError(gettext("The service desk is not waiting for information on this case."))
    text = _clean_note(text, required=True)
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.VISITOR, note=text, visibility=Visibility.PUBLIC,
            actor_label="visitor",
        )
        transition(case, S.IN_PROGRESS, None, actor_label="visitor")
    return event


def can_rate(case: Case) -> bool:
    return CaseStatus(case.status) in RATEABLE_STATUSES and case.rating is None


def rate_case(case: Case, stars, comment: str = "") -> CaseEvent:
    """The visitor's rating, once, after resolution (a form they submit, never a link)."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if stars not in (1, 2, 3, 4, 5):
        raise VisitorError(gettext("Choose from 1 to 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise VisitorError(gettext("The comment can be at most %(count)d characters.")
                           % {"count": MAX_COMMENT_CHARS})
    comment = _clean_note(comment, required=False) if comment else ""
    if CaseStatus(case.status) not in RATEABLE_STATUSES:
        raise VisitorError(gettext("You can rate the case once it is resolved."))
    now = timezone.now()
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, rating__isnull=True).update(
                rating=stars, rating_comment=comment, rated_at=now):
            raise VisitorError(gettext("You have already rated this case. Thank you!"))
        event = CaseEvent.objects.create(
            case=case, at=now, kind=EventKind.RATING, actor_label="visitor",
            note=f"{stars}/5" + (f"\n{comment}" if comment else ""), visibility=Visibility.PUBLIC,
        )
    case.rating, case.rating_comment, case.rated_at = stars, comment, now
    return event


# ---------------------------------------------------------------- contact details (PIPL)
def reveal_contact(case: Case, actor) -> str:
    """The visitor's full phone number, for one staff member, written to the audit log."""
    if not case.contact_phone:
        return ""
    _audit(actor, "case.reveal_contact", case, case.reference)
    return case.contact_phone


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.CONCIERGE_CONTACT_RETENTION_DAYS)


def erase_expired_contacts(now: datetime | None = None, batch: int = 500) -> int:
    """Erase contact details and revoke the tracking link of cases finished before retention.

    Safe on several servers at once: each row is claimed by a conditional update, so a case is
    erased (and logged) exactly once whoever gets there first.
    """
    cutoff = retention_cutoff(now)
    due = Case.objects.filter(
        status__in=[s.value for s in FINAL_STATUSES], finished_at__lt=cutoff,
        contact_erased_at__isnull=True,
    ).order_by("finished_at")
    erased = 0
    while True:
        ids = list(due.values_list("pk", flat=True)[:batch])
        if not ids:
            return erased
        for case_id in ids:
            with transaction.atomic():
                claimed = Case.objects.filter(pk=case_id, contact_erased_at__isnull=True).update(
                    contact_phone=None, contact_erased_at=timezone.now(),
                    # A hash of fresh random bytes: no token opens the case any more.
                    tracking_token_sha256=sha256_hex(secrets.token_bytes(32)),
                )
                if claimed:
                    CaseEvent.objects.create(
                        case_id=case_id, kind=EventKind.NOTE, actor_label="system",
                        note=gettext("Contact details erased after the retention period; the tracking link no longer works."),
                        visibility=Visibility.INTERNAL,
                    )
                    erased += claimed


# ---------------------------------------------------------------- escalation
def escalate_overdue(now: datetime | None = None) -> list[Case]:
    """Escalate every overdue, not yet escalated case to its mall's managers, once.

    Each case is claimed with a conditional update (escalated_at is null), so two servers
    running the job at the same moment escalate each case exactly once.
    """
    from django.contrib.auth import get_user_model

    from server.accounts.roles import Role

    now = now or timezone.now()
    candidates = list(Case.objects.filter(overdue_q(now), escalated_at__isnull=True)
                      .select_related("mall").order_by("due_at")[:5000])
    escalated = []
    for case in candidates:
        with transaction.atomic():
            if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            managers = get_user_model().objects.filter(
                is_active=True, groups__name=Role.MANAGER.value, staff_profile__mall_id=case.mall_id)
            names = ", ".join(person_name(m) for m in managers.select_related("staff_profile")) or "—"
            CaseEvent.objects.create(
                case=case, at=now, kind=EventKind.ESCALATE, actor_label="system",
                note=gettext("Overdue since %(due)s: escalated to the manager (%(names)s).") % {
                    "due": timezone.localtime(case.due_at, case.mall.zone).strftime("%Y-%m-%d %H:%M"),
                    "names": names},
                visibility=Visibility.INTERNAL,
            )
            _audit(None, "case.escalate", case, f"{case.reference} → {names}")
        case.escalated_at = now
        escalated.append(case)
    return escalated


# ---------------------------------------------------------------- canned replies, photos
def canned_replies_for(mall) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(Q(mall=mall) | Q(mall__isnull=True)).order_by("title")


def send_canned_reply(case: Case, actor, reply: CannedReply) -> CaseEvent:
    """Post a canned reply as a public note, in the language the visitor filed in."""
    return add_note(case, actor, reply.text_for(case.language), Visibility.PUBLIC)


class InvalidAttachment(CaseError):
    code = "invalid_attachment"


MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def attach_photo(case: Case, actor, filename: str, data: bytes) -> CaseAttachment:
    """Keep a photo (JPEG, PNG or WebP, checked by decoding it) on the case."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidAttachment(gettext("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(gettext("A photo can be at most 5 MB."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            media_type = ATTACHMENT_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        media_type = None
    if media_type is None:
        raise InvalidAttachment(gettext("Attach a photo (JPEG, PNG or WebP)."))
    name = re.sub(r"[^\w.\-]+", "_", (filename or "photo").rsplit("/", 1)[-1])[:200] or "photo"
    with transaction.atomic():
        attachment = CaseAttachment.objects.create(
            case=case, uploaded_by=actor, filename=name, media_type=media_type, size=len(data),
            data=data,
        )
        CaseEvent.objects.create(
            case=case, actor=actor, actor_label=_actor_label(actor), kind=EventKind.ATTACHMENT,
            note=name, visibility=Visibility.INTERNAL,
        )
        _audit(actor, "case.attachment", case, f"{case.reference} {name} ({len(data)} bytes)")
    return attachment
