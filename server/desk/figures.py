"""The desk ledgers' figures for one day of one mall, for the daily log and its export."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q

from server.malls.models import Mall

from .models import FirstAidUse, Incident, LeftLuggage


def day_bounds(mall: Mall, day: date) -> tuple[datetime, datetime]:
    """The instants `day` starts and ends in the mall's time zone."""
    start = datetime.combine(day, time.min, tzinfo=mall.zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=mall.zone)


def counts_for_day(mall: Mall, day: date) -> dict[str, int]:
    """Left luggage checked in, picked up and still open at the end of `day` (local), first-aid
    uses and incidents that day."""
    start, end = day_bounds(mall, day)
    luggage = LeftLuggage.objects.filter(mall=mall)
    return {
        "luggage_checked_in": luggage.filter(checked_in_at__gte=start, checked_in_at__lt=end).count(),
        "luggage_picked_up": luggage.filter(picked_up_at__gte=start, picked_up_at__lt=end).count(),
        "luggage_open": luggage.filter(checked_in_at__lt=end)
                               .filter(Q(picked_up_at__isnull=True) | Q(picked_up_at__gte=end)).count(),
        "first_aid_uses": FirstAidUse.objects.filter(mall=mall, used_at__gte=start, used_at__lt=end).count(),
        "incidents": Incident.objects.filter(mall=mall, occurred_at__gte=start, occurred_at__lt=end).count(),
    }
