"""The SLA view: the cases whose deadline falls within the next few working hours, before they
breach, and those already past it, for the desk and the managers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from server.malls.models import Mall

from .models import Case
from .routing import ACTIVE_STATUSES, business_calendar

#: The window the view offers, in working hours.
DEFAULT_HOURS = 4
MAX_HOURS = 72


@dataclass(frozen=True)
class DeadlineRow:
    case: Case
    working_minutes_left: int

    @property
    def hours_left(self) -> int:
        return self.working_minutes_left // 60

    @property
    def minutes_left(self) -> int:
        return self.working_minutes_left % 60


def about_to_breach(cases: QuerySet[Case], hours: int, now: datetime | None = None) -> list[DeadlineRow]:
    """Running cases due within `hours` of the mall's opening hours from now, soonest first.

    Per mall, the window's end is the moment `hours` working hours ahead (the calendar skips
    nights and holidays), so one range query per mall finds them.
    """
    now = now or timezone.now()
    running = cases.filter(status__in=[s.value for s in ACTIVE_STATUSES], due_at__gte=now)
    rows = []
    for mall in Mall.objects.filter(pk__in=running.values("mall_id")):
        calendar = business_calendar(mall)
        window_end = calendar.add_business_seconds(now, hours * 3600)
        for case in running.filter(mall=mall, due_at__lte=window_end).select_related("mall", "owner"):
            minutes = int(calendar.business_seconds_between(now, case.due_at) // 60)
            rows.append(DeadlineRow(case, minutes))
    return sorted(rows, key=lambda row: (row.case.due_at, row.case.pk))


def breached(cases: QuerySet[Case], now: datetime | None = None, limit: int = 200) -> list[Case]:
    """Running cases already past their deadline, the longest overdue first."""
    now = now or timezone.now()
    return list(cases.filter(status__in=[s.value for s in ACTIVE_STATUSES], due_at__lt=now)
                .select_related("mall", "owner").order_by("due_at", "id")[:limit])
