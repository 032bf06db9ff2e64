"""The visitor's side, opened by the tracking token: the look-up, the public timeline and
progress, and what the visitor may do there (answer the desk, rate the case)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from server.malls.models import Mall
from sync.protocol import CaseStatus, sha256_hex

from . import followups
from .errors import VisitorError
from .flows import transition
from .jobs import retention_cutoff
from .models import VISITOR_STATUS_LABELS, Case, CaseEvent, EventKind, FollowUpStatus, Visibility
from .notes import clean_note

S = CaseStatus

# The kiosk makes tokens of ≥128 random bits, URL-safe; anything else cannot be a token.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,128}$")  # 22 base64url characters = 128 bits


def tracking_token_hash(raw_token: str) -> str:
    return sha256_hex(raw_token.encode("ascii"))


def find_by_token(raw_token: str) -> Case | None:
    """The case a tracking URL's token opens, or None; malformed and unknown look the same."""
    if not raw_token or not TOKEN_RE.match(raw_token):
        return None
    case = next(iter(Case.objects.raw(_TRACKING_SQL, [tracking_token_hash(raw_token)])), None)
    if case is not None:
        case.mall = Mall(**{field: getattr(case, f"mall_{field}") for field in _TRACKING_MALL_FIELDS})
    if case is not None and case.merged_into_id is None and _past_retention(case):
        return None  # past retention: the link stops working even before the erase job ran
    return case


def _past_retention(case: Case) -> bool:
    return case.finished_at is not None and case.finished_at < retention_cutoff()


def surviving_case(case: Case) -> Case | None:
    """The case a tracking token leads to: its own, or the case it was merged into (merges
    repoint earlier ones, so this is one step; the bound guards against a loop made by hand).
    None once the surviving case is past retention."""
    for _ in range(8):
        if case.merged_into_id is None:
            break
        case = Case.objects.select_related("mall").get(pk=case.merged_into_id)
    return None if _past_retention(case) else case


def public_timeline(case: Case) -> list[CaseEvent]:
    """What the visitor may read: public events only, oldest first."""
    return list(CaseEvent.objects.raw(_TIMELINE_SQL, [case.pk, Visibility.PUBLIC.value]))


# The tracking page is the busiest page (every visitor, every refresh) and reads two small rows
# sets; compiling ORM queries of a 40-column model cost more than running them, so its two
# queries are written out (portable SQL: SQLite and PostgreSQL). Other columns load on access.
_TRACKING_CASE_FIELDS = ("id", "mall_id", "reference", "kind", "category", "created_at", "description",
                         "status", "due_at", "rating", "finished_at", "language", "merged_into_id")
_TRACKING_MALL_FIELDS = ("id", "name_zh_cn", "name_en", "name_zh_tw", "timezone")
_TRACKING_SQL = (
    "SELECT " + ", ".join(f"c.{f}" for f in _TRACKING_CASE_FIELDS) + ", "
    + ", ".join(f"m.{f} AS mall_{f}" for f in _TRACKING_MALL_FIELDS)
    + f" FROM {Case._meta.db_table} c JOIN {Mall._meta.db_table} m ON m.id = c.mall_id"
    " WHERE c.tracking_token_sha256 = %s"
)
_TIMELINE_SQL = (
    f"SELECT id, at, kind, to_status, note, merged_from_id FROM {CaseEvent._meta.db_table}"
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
    from_reference: str = ""  # the merged case the event came from, if it did


#: Events whose text the visitor wrote: after a merge, shown only to the visitor who wrote them.
_VISITORS_OWN = frozenset({EventKind.VISITOR, EventKind.RATING})


def visitor_timeline(case: Case, zone: ZoneInfo, reader: Case | None = None) -> list[TimelineRow]:
    """The public timeline as the visitor reads it: newest first, in their words.

    `reader` is the case whose token opened the page (a case merged into `case`, or `case`):
    events that came over from merged cases are labelled with their reference, and another
    visitor's own words stay out of view (two people may have reported the same matter).
    """
    reader_id = (reader or case).pk
    events = public_timeline(case)
    merged_ids = {event.merged_from_id for event in events if event.merged_from_id}
    references = dict(Case.objects.filter(pk__in=merged_ids).values_list("pk", "reference")) if merged_ids else {}
    rows = []
    for event in reversed(events):
        origin = event.merged_from_id or case.pk
        if event.kind in _VISITORS_OWN and origin != reader_id:
            continue
        if event.kind == EventKind.MERGE:
            text = gettext("Case %(reference)s was merged into this case.") % {
                "reference": references.get(event.merged_from_id, "")}
        elif event.kind == EventKind.CREATED:
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
        note = "" if event.kind == EventKind.MERGE else event.note
        from_reference = references.get(event.merged_from_id, "") if event.kind != EventKind.MERGE else ""
        rows.append(TimelineRow(when.iso, when.shown, text, note, from_reference))
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


def tracking_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/t/{token}"


MAX_COMMENT_CHARS = 1000
RATEABLE_STATUSES = frozenset({S.RESOLVED, S.FOLLOWED_UP, S.CLOSED})


def visitor_reply(case: Case, text: str) -> CaseEvent:
    """The visitor answers the desk's question from the tracking page; the deadline runs again."""
    if case.status != S.WAITING_ON_VISITOR.value:
        raise VisitorError(gettext("The service desk is not waiting for information on this case."))
    text = clean_note(text, required=True)
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case, kind=EventKind.VISITOR, note=text, visibility=Visibility.PUBLIC,
            actor_label="visitor",
        )
        transition(case, S.IN_PROGRESS, None, actor_label="visitor")
    return event


def can_rate(case: Case) -> bool:
    """Once after resolution, and again while a low rating's follow-up is open."""
    if CaseStatus(case.status) not in RATEABLE_STATUSES:
        return False
    return case.rating is None or followups.open_follow_up_of(case) is not None


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
    comment = clean_note(comment, required=False) if comment else ""
    if CaseStatus(case.status) not in RATEABLE_STATUSES:
        raise VisitorError(gettext("You can rate the case once it is resolved."))
    now = timezone.now()
    unrated = Q(rating__isnull=True) | Q(follow_ups__status=FollowUpStatus.OPEN)
    with transaction.atomic():
        if not Case.objects.filter(unrated, pk=case.pk).update(
                rating=stars, rating_comment=comment, rated_at=now):
            raise VisitorError(gettext("You have already rated this case. Thank you!"))
        event = CaseEvent.objects.create(
            case=case, at=now, kind=EventKind.RATING, actor_label="visitor",
            note=f"{stars}/5" + (f"\n{comment}" if comment else ""), visibility=Visibility.PUBLIC,
        )
        followups.score_received(case, stars, by_callback=False)
    case.rating, case.rating_comment, case.rated_at = stars, comment, now
    return event
