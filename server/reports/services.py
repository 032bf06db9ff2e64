"""The desk's daily log and the customer service report (客服接待月报表) of a month, quarter or
year, computed from the cases and the kiosks' satisfaction taps with grouped queries on indexed
columns.

Handling rate: cases received in the period that have been resolved (or followed up, or
closed) by now. On-time rate: of those resolved with a deadline, the share resolved by it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from server.cases.models import CATEGORY_LABELS, KIND_LABELS, Case, RootCause
from server.malls.models import Department
from sync.protocol import CaseKind, CaseStatus

from .periods import Span, month_span

HANDLED_STATUSES = [CaseStatus.RESOLVED.value, CaseStatus.FOLLOWED_UP.value, CaseStatus.CLOSED.value]
#: The kiosk's four faces, from the pulse widget: 1 = unhappy … 4 = very happy.
PULSE_FACES = ("1", "2", "3", "4")
HOT_SPOT_LIMIT = 10


def _local_range(mall, first: date, last: date) -> tuple[datetime, datetime]:
    zone = mall.zone
    return (datetime.combine(first, datetime.min.time(), zone),
            datetime.combine(last + timedelta(days=1), datetime.min.time(), zone))


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def kind_label(kind: str) -> str:
    try:
        return str(KIND_LABELS[CaseKind(kind)])
    except (ValueError, KeyError):
        return kind


def category_label(category: str) -> str:
    for key, label in CATEGORY_LABELS.items():
        if key.value == category:
            return str(label)
    return category or "—"


@dataclass
class Period:
    received: int
    handled: int
    by_kind: list[tuple[str, int]]

    @property
    def handling_rate(self) -> float | None:
        return _rate(self.handled, self.received)


def _period(cases) -> Period:
    by_kind = dict(cases.order_by().values_list("kind").annotate(n=Count("id")))
    handled = cases.filter(status__in=HANDLED_STATUSES).count()
    kinds = [(kind_label(k.value), by_kind.get(k.value, 0)) for k in CaseKind]
    return Period(received=sum(by_kind.values()), handled=handled, by_kind=kinds)


@dataclass
class DailyLog:
    day: date
    period: Period
    cases: list[Case]
    satisfaction_taps: int
    ledgers: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    """The desk's other ledgers that day: (section, [(what, count)]): loans, left luggage and
    first aid, lost property (desk entries included)."""

    @property
    def complaints(self) -> int:
        return dict(self.period.by_kind).get(kind_label(CaseKind.COMPLAINT.value), 0)


def daily_log(mall, day: date, *, max_rows: int = 500) -> DailyLog:
    """What came to the desk on `day` (mall time) and how much of it is handled."""
    start, end = _local_range(mall, day, day)
    cases = Case.objects.filter(mall=mall, received_at__gte=start, received_at__lt=end)
    rows = list(cases.select_related("owner__staff_profile").order_by("received_at")[:max_rows])
    taps = _pulse_events(mall, start, end).count()
    return DailyLog(day=day, period=_period(cases), cases=rows, satisfaction_taps=taps,
                    ledgers=desk_ledgers(mall, day))


def desk_ledgers(mall, day: date) -> list[tuple[str, list[tuple[str, int]]]]:
    """The day's counts of the desk's ledgers, each ledger's figures in words, for the page and the export."""
    from server.desk.figures import counts_for_day as desk_counts
    from server.loans.figures import counts_for_day as loan_counts
    from server.loans.models import LendableKind
    from server.lostfound.figures import counts_for_day as lost_property_counts

    loan_words = {"lent": _("%(kind)s lent"), "returned": _("%(kind)s returned"),
                  "overdue": _("%(kind)s overdue at the end of the day")}
    loans = [(words % {"kind": LendableKind(kind).label}, counts[figure])
             for kind, counts in loan_counts(mall, day).items() for figure, words in loan_words.items()]
    desk_words = {
        "luggage_checked_in": _("Left luggage checked in"), "luggage_picked_up": _("Left luggage picked up"),
        "luggage_open": _("Left luggage still held at the end of the day"),
        "first_aid_uses": _("First-aid kit uses"), "incidents": _("Incidents"),
    }
    desk = desk_counts(mall, day)
    lost_words = {
        "found_items": _("Found items taken into storage"), "found_items_at_desk": _("of them entered at the desk"),
        "lost_reports": _("Lost reports"), "lost_reports_at_desk": _("of them taken at the desk"),
        "returned": _("Found items returned to their owners"), "disposed": _("Found items disposed of"),
    }
    lost = lost_property_counts(mall, day)
    return [
        (_("Loans at the desk"), loans),
        (_("Left luggage and first aid"), [(words, desk[key]) for key, words in desk_words.items() if key in desk]),
        (_("Lost property"), [(words, lost[key]) for key, words in lost_words.items()]),
    ]


@dataclass
class CallbackRate:
    """Call-backs (回访) of the period's handled cases that left a phone to call."""

    due: int
    done: int

    @property
    def rate(self) -> float | None:
        return _rate(self.done, self.due)


@dataclass
class ServiceReport:
    """The customer service report (客服接待月报表) of a month, quarter or year."""

    span: Span
    period: Period
    by_category: list[tuple[str, int]]
    by_floor: list[tuple[str, int]]
    by_store: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    per_day: list[tuple[str, int]]
    per_month: list[tuple[str, int]]
    on_time_rate: float | None
    mean_hours_to_resolve: float | None
    mean_rating: float | None
    ratings: int
    low_scores: int
    mean_callback_satisfaction: float | None
    callbacks: CallbackRate
    root_causes: list[tuple[str, int]]
    complaints_by_hour: list[tuple[str, int]]
    complaints_by_weekday: list[tuple[str, int]]
    hot_spots: list[dict]
    floor_hot_spots: list[dict]
    pulse: dict = field(default_factory=dict)

    @property
    def month(self) -> date:
        return self.span.first


def month_bounds(month: date) -> tuple[date, date]:
    span = month_span(month)
    return span.first, span.last


def monthly_report(mall, month: date, store_names: dict[str, str] | None = None,
                   floor_names: dict[str, str] | None = None) -> ServiceReport:
    return service_report(mall, month_span(month), store_names, floor_names)


def service_report(mall, span: Span, store_names: dict[str, str] | None = None,
                   floor_names: dict[str, str] | None = None) -> ServiceReport:
    store_names, floor_names = store_names or {}, floor_names or {}
    start, end = _local_range(mall, span.first, span.last)
    cases = Case.objects.filter(mall=mall, received_at__gte=start, received_at__lt=end).order_by()
    complaints = cases.filter(kind=CaseKind.COMPLAINT.value)

    def grouped(queryset, column: str) -> dict[str, int]:
        return dict(queryset.values_list(column).annotate(n=Count("id")))

    by_category = grouped(complaints, "category")
    by_floor = grouped(cases, "level_id")
    by_store = grouped(cases.exclude(store_id=""), "store_id")
    by_department = grouped(cases, "department")
    resolved = cases.filter(resolved_at__isnull=False)
    with_deadline = resolved.filter(due_at__isnull=False)
    on_time = with_deadline.filter(resolved_at__lte=F("due_at")).count()
    durations = [(r - c).total_seconds() for r, c in resolved.values_list("resolved_at", "received_at")[:100_000]]
    ratings = cases.filter(rating__isnull=False).aggregate(
        n=Count("id"), mean=Avg("rating"), low=Count("id", filter=Q(rating__lte=2)))
    callbacks = cases.filter(callback_satisfaction__isnull=False).aggregate(
        n=Count("id"), mean=Avg("callback_satisfaction"))
    zone = mall.zone
    received = [moment.astimezone(zone)
                for moment in cases.values_list("received_at", flat=True).iterator(chunk_size=5000)]
    per_date = Counter(moment.date() for moment in received)
    per_month = Counter((moment.year, moment.month) for moment in received)
    complaint_moments = [moment.astimezone(zone) for moment in
                         complaints.values_list("received_at", flat=True).iterator(chunk_size=5000)]
    by_hour = Counter(moment.hour for moment in complaint_moments)
    by_weekday = Counter(moment.weekday() for moment in complaint_moments)
    return ServiceReport(
        span=span,
        period=_period(cases),
        by_category=sorted(((category_label(k), n) for k, n in by_category.items()), key=lambda x: -x[1]),
        by_floor=sorted(((floor_names.get(k, k) or _("Unknown floor"), n) for k, n in by_floor.items()),
                        key=lambda x: -x[1]),
        by_store=sorted(((store_names.get(k, k), n) for k, n in by_store.items()), key=lambda x: -x[1])[:20],
        by_department=sorted(((_department_label(k), n) for k, n in by_department.items()), key=lambda x: -x[1]),
        per_day=[(str(day.day), per_date.get(day, 0)) for day in _days(span)] if span.kind == "month" else [],
        per_month=[(f"{first:%Y-%m}", per_month.get((first.year, first.month), 0)) for first in _months(span)]
        if span.kind != "month" else [],
        on_time_rate=_rate(on_time, with_deadline.count()),
        mean_hours_to_resolve=round(sum(durations) / len(durations) / 3600, 1) if durations else None,
        mean_rating=round(ratings["mean"], 2) if ratings["mean"] is not None else None,
        ratings=ratings["n"],
        low_scores=ratings["low"],
        mean_callback_satisfaction=round(callbacks["mean"], 2) if callbacks["mean"] is not None else None,
        callbacks=callback_rate(cases),
        root_causes=root_causes(cases),
        complaints_by_hour=[(f"{hour:02d}", by_hour.get(hour, 0)) for hour in range(24)],
        complaints_by_weekday=[(str(WEEKDAYS[day]), by_weekday.get(day, 0)) for day in range(7)],
        hot_spots=rising_complaints(mall, span, "store_id", store_names),
        floor_hot_spots=rising_complaints(mall, span, "level_id", floor_names),
        pulse=satisfaction_pulse(mall, start, end),
    )


def _days(span: Span):
    return (span.first + timedelta(days=offset) for offset in range(span.days))


def _months(span: Span):
    return sorted({day.replace(day=1) for day in _days(span)})


def callback_rate(cases) -> CallbackRate:
    """Of the handled cases with a call-back to make (the desk sets one when a resolved case
    left a phone), how many were called back."""
    owed = cases.filter(status__in=HANDLED_STATUSES).filter(
        Q(callback_due_at__isnull=False) | Q(callback_done_at__isnull=False))
    counts = owed.aggregate(due=Count("id"), done=Count("id", filter=Q(callback_done_at__isnull=False)))
    return CallbackRate(due=counts["due"], done=counts["done"])


def root_causes(cases) -> list[tuple[str, int]]:
    """Handled cases by the root cause recorded on resolution, most first; unrecorded last."""
    counts = dict(cases.filter(status__in=HANDLED_STATUSES).values_list("root_cause").annotate(n=Count("id")))
    named = sorted(((str(RootCause(key).label), n) for key, n in counts.items() if key in RootCause.values),
                   key=lambda x: -x[1])
    unrecorded = sum(n for key, n in counts.items() if key not in RootCause.values)
    return named + ([(_("Not recorded"), unrecorded)] if unrecorded else [])


def _department_label(value: str) -> str:
    try:
        return str(Department(value).label)
    except ValueError:
        return value or "—"


def rising_complaints(mall, span: Span, column: str, names: dict[str, str]) -> list[dict]:
    """Places (a store or a floor, by `column`) whose complaints rose against the period before,
    the biggest rise first."""
    start, end = _local_range(mall, span.first, span.last)
    previous_start, _previous_end = _local_range(mall, span.previous.first, span.previous.last)
    rows = (Case.objects.filter(mall=mall, kind=CaseKind.COMPLAINT.value, received_at__gte=previous_start,
                                received_at__lt=end).exclude(**{column: ""}).order_by()
            .values(column)
            .annotate(now=Count("id", filter=Q(received_at__gte=start)),
                      before=Count("id", filter=Q(received_at__lt=start))))
    rising = [
        {"store": names.get(row[column], row[column]), "store_id": row[column],
         "now": row["now"], "before": row["before"], "change": row["now"] - row["before"]}
        for row in rows if row["now"] > row["before"]
    ]
    rising.sort(key=lambda r: (-r["change"], -r["now"], r["store"]))
    return rising[:HOT_SPOT_LIMIT]


# ---------------------------------------------------------------- the kiosk's satisfaction pulse
def _pulse_events(mall, start: datetime, end: datetime):
    from server.fleet.models import KioskEvent

    return KioskEvent.objects.filter(mall=mall, kind="satisfaction", at__gte=start, at__lt=end,
                                     value__in=PULSE_FACES)


def satisfaction_pulse(mall, start: datetime, end: datetime) -> dict:
    """Smiley taps per kiosk, per hour of the day and per floor: counts of each face and the
    mean (1–4). Repeated presses were already filtered on the kiosk."""
    from server.content.models import KioskPoint

    zone = mall.zone
    floors = dict(KioskPoint.objects.filter(mall=mall).values_list("content_id", "level__short_name"))
    by_kiosk: dict[str, Counter] = defaultdict(Counter)
    by_hour: dict[int, Counter] = defaultdict(Counter)
    by_floor: dict[str, Counter] = defaultdict(Counter)
    rows = _pulse_events(mall, start, end).values_list(
        "kiosk__code", "kiosk__name", "kiosk__location_id", "at", "value")
    for code, name, location, at, value in rows.iterator(chunk_size=5000):
        by_kiosk[f"{code} {name}".strip()][value] += 1
        by_hour[at.astimezone(zone).hour][value] += 1
        by_floor[floors.get(location, location) or "—"][value] += 1

    def summary(groups, order) -> list[dict]:
        out = []
        for key in order:
            counts = groups[key]
            total = sum(counts.values())
            mean = sum(int(face) * n for face, n in counts.items()) / total if total else None
            label = f"{key:02d}:00" if isinstance(key, int) else str(key)
            out.append({"label": label, "total": total, "mean": round(mean, 2) if mean else None,
                        "faces": [counts.get(face, 0) for face in PULSE_FACES]})
        return out

    total = sum(sum(c.values()) for c in by_kiosk.values())
    return {
        "total": total,
        "by_kiosk": summary(by_kiosk, sorted(by_kiosk)),
        "by_hour": summary(by_hour, sorted(by_hour)),
        "by_floor": summary(by_floor, sorted(by_floor)),
    }
