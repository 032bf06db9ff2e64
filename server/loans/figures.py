"""The desk's loan figures for the daily log and the monthly report (server/reports reads them)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q

from server.malls.models import Mall

from .models import LendableKind, Loan

FIGURES = ("lent", "returned", "overdue")


def day_bounds(mall: Mall, day: date) -> tuple[datetime, datetime]:
    """The first instant of `day` in the mall's time zone and of the day after."""
    start = datetime.combine(day, time.min, tzinfo=mall.zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=mall.zone)


def counts_for_day(mall: Mall, day: date) -> dict[str, dict[str, int]]:
    """Per kind (every kind, zeros included): loans `lent` and `returned` during `day` (the mall's
    local day), and loans `overdue`: due before the day ended and still out at its end.

    {"wheelchair": {"lent": 3, "returned": 2, "overdue": 1}, "pram": {...}, "umbrella": {...},
    "power_bank": {...}}
    """
    start, end = day_bounds(mall, day)
    loans = Loan.objects.filter(mall=mall)
    rows = loans.values("kind").annotate(
        lent=Count("pk", filter=Q(lent_at__gte=start, lent_at__lt=end)),
        returned=Count("pk", filter=Q(returned_at__gte=start, returned_at__lt=end)),
        overdue=Count("pk", filter=Q(lent_at__lt=end, due_at__lt=end)
                      & (Q(returned_at__isnull=True) | Q(returned_at__gte=end))),
    )
    counts = {kind.value: dict.fromkeys(FIGURES, 0) for kind in LendableKind}
    for row in rows:
        if row["kind"] in counts:
            counts[row["kind"]] = {figure: row[figure] for figure in FIGURES}
    return counts
