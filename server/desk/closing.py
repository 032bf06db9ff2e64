"""At the mall's closing time, what is still in left luggage is written down (a ClosingRecord),
so the next shift's handover shows it. Run by the `desk-closing-time` job every few minutes;
a mall gets one record a day, the first run after it closes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from server.accounts.services import record_audit
from server.malls.models import Mall

from .luggage import open_luggage
from .models import ClosingRecord, LeftLuggage


def _clock(text: str) -> time | None:
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        return None
    if (hours, minutes) == (24, 0):
        return time.max
    return time(hours, minutes) if 0 <= hours < 24 and 0 <= minutes < 60 else None


def closing_time(mall: Mall, day: date) -> datetime:
    """When the mall closes on `day`: the latest close of that weekday's opening hours; the
    end of the day when the mall keeps no hours for it."""
    closes = [_clock(row.get("close", "")) for row in (mall.hours or [])
              if isinstance(row, dict) and day.weekday() in (row.get("weekdays") or [])]
    latest = max((close for close in closes if close is not None), default=time.max)
    if latest == time.max:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=mall.zone)
    return datetime.combine(day, latest, tzinfo=mall.zone)


def record_closing(mall: Mall, day: date) -> ClosingRecord | None:
    """The day's record with the bags still open now; None when it was already written."""
    try:
        with transaction.atomic():
            record = ClosingRecord.objects.create(mall=mall, day=day)
            before = LeftLuggage.objects.filter(mall=mall, checked_in_at__lt=closing_time(mall, day))
            record.luggage.set(open_luggage(before))
    except IntegrityError:
        return None
    record_audit(None, "desk.closing_record", mall=mall, subject=str(day), detail=f"{record.luggage.count()} open")
    return record


def record_closing_time(now: datetime | None = None) -> int:
    """Write the closing record of every mall that has closed today (local) and has none yet."""
    now = now or timezone.now()
    written = 0
    for mall in Mall.objects.all():
        today = timezone.localtime(now, mall.zone).date()
        for day in (today - timedelta(days=1), today):
            if now >= closing_time(mall, day) and not ClosingRecord.objects.filter(mall=mall, day=day).exists():
                written += record_closing(mall, day) is not None
    return written


def last_closing(mall: Mall) -> ClosingRecord | None:
    return ClosingRecord.objects.filter(mall=mall).prefetch_related("luggage").order_by("-day").first()
