"""The desk's daily log and the monthly report (客服接待月报表), computed from the cases and
the kiosks' satisfaction taps with grouped queries on indexed columns.

Handling rate: cases received in the period that have been resolved (or followed up, or
closed) by now. On-time rate: of those resolved with a deadline, the share resolved by it.
"""
from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, F, Q
from django.utils.translation import gettext as _

from server.cases.models import CATEGORY_LABELS, KIND_LABELS, Case
from server.malls.models import Department
from sync.protocol import CaseKind, CaseStatus

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

    @property
    def complaints(self) -> int:
        return dict(self.period.by_kind).get(kind_label(CaseKind.COMPLAINT.value), 0)


def daily_log(mall, day: date, *, max_rows: int = 500) -> DailyLog:
    """What came to the desk on `day` (mall time) and how much of it is handled."""
    start, end = _local_range(mall, day, day)
    cases = Case.objects.filter(mall=mall, received_at__gte=start, received_at__lt=end)
    rows = list(cases.select_related("owner__staff_profile").order_by("received_at")[:max_rows])
    taps = _pulse_events(mall, start, end).count()
    return DailyLog(day=day, period=_period(cases), cases=rows, satisfaction_taps=taps)


@dataclass
class MonthlyReport:
    month: date
    period: Period
    by_category: list[tuple[str, int]]
    by_floor: list[tuple[str, int]]
    by_store: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    per_day: list[tuple[str, int]]
    on_time_rate: float | None
    mean_hours_to_resolve: float | None
    mean_rating: float | None
    ratings: int
    mean_callback_satisfaction: float | None
    callbacks: int
    hot_spots: list[dict]
    pulse: dict = field(default_factory=dict)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def monthly_report(mall, month: date, store_names: dict[str, str] | None = None,
                   floor_names: dict[str, str] | None = None) -> MonthlyReport:
    store_names, floor_names = store_names or {}, floor_names or {}
    first, last = month_bounds(month)
    start, end = _local_range(mall, first, last)
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
    ratings = cases.filter(rating__isnull=False).aggregate(n=Count("id"), mean=Avg("rating"))
    callbacks = cases.filter(callback_satisfaction__isnull=False).aggregate(
        n=Count("id"), mean=Avg("callback_satisfaction"))
    zone = mall.zone
    per_day = Counter(
        moment.astimezone(zone).day
        for moment in cases.values_list("received_at", flat=True).iterator(chunk_size=5000)
    )
    return MonthlyReport(
        month=first,
        period=_period(cases),
        by_category=sorted(((category_label(k), n) for k, n in by_category.items()), key=lambda x: -x[1]),
        by_floor=sorted(((floor_names.get(k, k) or _("Unknown floor"), n) for k, n in by_floor.items()),
                        key=lambda x: -x[1]),
        by_store=sorted(((store_names.get(k, k), n) for k, n in by_store.items()), key=lambda x: -x[1])[:20],
        by_department=sorted(((_department_label(k), n) for k, n in by_department.items()), key=lambda x: -x[1]),
        per_day=[(str(d), per_day.get(d, 0)) for d in range(1, last.day + 1)],
        on_time_rate=_rate(on_time, with_deadline.count()),
        mean_hours_to_resolve=round(sum(durations) / len(durations) / 3600, 1) if durations else None,
        mean_rating=round(ratings["mean"], 2) if ratings["mean"] is not None else None,
        ratings=ratings["n"],
        mean_callback_satisfaction=round(callbacks["mean"], 2) if callbacks["mean"] is not None else None,
        callbacks=callbacks["n"],
        hot_spots=complaint_hot_spots(mall, first, store_names),
        pulse=satisfaction_pulse(mall, start, end),
    )


def _department_label(value: str) -> str:
    try:
        return str(Department(value).label)
    except ValueError:
        return value or "—"


def complaint_hot_spots(mall, month: date, store_names: dict[str, str]) -> list[dict]:
    """Stores whose complaints rose against the month before, the biggest rise first."""
    first, last = month_bounds(month)
    previous_first, previous_last = month_bounds(first - timedelta(days=1))
    start, end = _local_range(mall, first, last)
    previous_start, _previous_end = _local_range(mall, previous_first, previous_last)
    rows = (Case.objects.filter(mall=mall, kind=CaseKind.COMPLAINT.value, received_at__gte=previous_start,
                                received_at__lt=end).exclude(store_id="").order_by()
            .values("store_id")
            .annotate(now=Count("id", filter=Q(received_at__gte=start)),
                      before=Count("id", filter=Q(received_at__lt=start))))
    rising = [
        {"store": store_names.get(row["store_id"], row["store_id"]), "store_id": row["store_id"],
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
