"""The lost-property office's monthly figures: items in, returned, disposed of, and how fast."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from sync.protocol import ItemCategory

from .models import Disposal, FoundItem, ItemStatus, LostReport


@dataclass(frozen=True)
class CategoryFigures:
    category: str
    items_in: int
    returned: int

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.items_in if self.items_in else None


@dataclass(frozen=True)
class OfficeFigures:
    start: date
    end: date
    items_in: int
    returned: int
    disposed: int
    lost_reports: int
    median_hours_to_return: float | None
    by_category: list[CategoryFigures]

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.items_in if self.items_in else None


def office_figures(items: QuerySet[FoundItem], reports: QuerySet[LostReport], start: date, end: date) -> OfficeFigures:
    """Items registered from `start` to `end` (inclusive, local days), how many went home, how fast."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    period = items.exclude(status=ItemStatus.ANNOUNCED).filter(registered_at__gte=since, registered_at__lt=until)
    rows = list(period.values_list("category", "status", "registered_at", "returned_at"))
    hours = [(returned - registered).total_seconds() / 3600 for _, status, registered, returned in rows
             if status == ItemStatus.RETURNED and returned]
    by_category = []
    for category in ItemCategory:
        inside = [row for row in rows if row[0] == category.value]
        if inside:
            by_category.append(CategoryFigures(category.value, len(inside),
                                               sum(1 for row in inside if row[1] == ItemStatus.RETURNED)))
    return OfficeFigures(
        start=start, end=end, items_in=len(rows),
        returned=sum(1 for row in rows if row[1] == ItemStatus.RETURNED),
        disposed=sum(1 for row in rows if row[1] == ItemStatus.DISPOSED),
        lost_reports=reports.filter(created_at__gte=since, created_at__lt=until).count(),
        median_hours_to_return=round(statistics.median(hours), 1) if hours else None,
        by_category=by_category,
    )


def counts_for_day(mall, day: date) -> dict[str, int]:
    """The office's day for the daily log (`day` in the mall's time zone): found items taken into
    storage and lost reports (报失), each with how many came in at the desk rather than from a
    kiosk, and items returned to their owners or disposed of.

    {"found_items": 4, "found_items_at_desk": 3, "lost_reports": 2, "lost_reports_at_desk": 1,
     "returned": 1, "disposed": 0}
    """
    zone = mall.zone
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    items = FoundItem.objects.filter(mall=mall)
    stored = items.exclude(status=ItemStatus.ANNOUNCED).filter(registered_at__gte=start, registered_at__lt=end)
    reports = LostReport.objects.filter(mall=mall, created_at__gte=start, created_at__lt=end)
    return {
        "found_items": stored.count(),
        "found_items_at_desk": stored.filter(case__isnull=True).count(),
        "lost_reports": reports.count(),
        "lost_reports_at_desk": reports.filter(Q(case__isnull=True) | Q(case__source="desk")).count(),
        "returned": items.filter(returned_at__gte=start, returned_at__lt=end).count(),
        "disposed": Disposal.objects.filter(item__mall=mall, at__gte=start, at__lt=end).count(),
    }
