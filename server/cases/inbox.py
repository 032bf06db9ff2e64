"""The console's inbox: filters, search, counts and pages over the cases a staff member sees."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from sync.protocol import REFERENCE_RE, CaseStatus

from .flows import FINAL_STATUSES
from .models import Case
from .routing import overdue_q

S = CaseStatus
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
    sort: str = ""  # "" newest first; "priority" most urgent first; "due" soonest deadline first


#: The inbox's orders; each but "due" walks an index (case_priority_idx, case_mall_recent_idx).
SORTS = {
    "": ("-received_at", "-id"),
    "priority": ("-priority", "-received_at", "-id"),
    "due": (F("due_at").asc(nulls_last=True), "-received_at", "-id"),
}


def filter_inbox(cases: QuerySet[Case], filters: InboxFilters | str, zone: ZoneInfo | None = None
                 ) -> QuerySet[Case]:
    """The cases matching `filters`, in the order asked (newest first unless told otherwise).
    A bare string filters by status only.

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
    return cases.order_by(*SORTS.get(filters.sort, SORTS[""]))


def escalated_open(cases: QuerySet[Case], limit: int = 20) -> list[Case]:
    """Open cases handed up to the manager, most urgent first: the top of a manager's inbox."""
    return list(cases.filter(escalated_at__isnull=False, status__in=OPEN_STATUS_VALUES)
                .select_related("mall", "owner__staff_profile")
                .order_by("-priority", "escalated_at", "id")[:limit])


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
