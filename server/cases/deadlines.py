"""Deadlines counted in the mall's opening hours, skipping its holidays.

The manuals promise answers in working time: a simple case the same day, a complex one within a
number of working days. A case filed at 21:50 is not overdue at 22:01 the next morning's
opening, and the hours the desk spends waiting on the visitor do not count. All arithmetic
here is on a `BusinessCalendar`, a plain value, so it is tested without a database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: When a mall has no opening hours on record: every day, 10:00 to 22:00.
DEFAULT_HOURS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "open": "10:00", "close": "22:00"}]
#: How far ahead to look for an opening before giving up (a calendar with no opening at all).
MAX_DAYS_AHEAD = 400


def _parse_time(text: str) -> tuple[int, int]:
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    hours: tuple[tuple[frozenset[int], tuple[int, int], tuple[int, int]], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_hours(cls, zone: ZoneInfo, hours: list[dict] | None, holidays=()) -> BusinessCalendar:
        """From the mall's `hours` JSON ([{"weekdays", "open", "close"}]); bad entries are skipped."""
        parsed = []
        for entry in hours or DEFAULT_HOURS:
            try:
                opens, closes = _parse_time(entry["open"]), _parse_time(entry["close"])
                weekdays = frozenset(int(d) for d in entry["weekdays"] if 0 <= int(d) <= 6)
            except (KeyError, TypeError, ValueError):
                continue
            if weekdays and opens < closes:
                parsed.append((weekdays, opens, closes))
        if not parsed:
            return cls.from_hours(zone, DEFAULT_HOURS, holidays)
        return cls(zone, tuple(parsed), frozenset(holidays))

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's opening intervals as aware datetimes, merged and in order; none on holidays."""
        if day in self.holidays:
            return []
        spans = []
        for weekdays, (oh, om), (ch, cm) in self.hours:
            if day.weekday() not in weekdays:
                continue
            start = datetime.combine(day, time(oh, om), self.zone)
            end = (datetime.combine(day + timedelta(days=1), time(0, 0), self.zone) if ch == 24
                   else datetime.combine(day, time(ch, cm), self.zone))
            spans.append((start, end))
        spans.sort()
        merged: list[tuple[datetime, datetime]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def is_business_day(self, day: date) -> bool:
        return bool(self.intervals_on(day))

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Opening-hours seconds in [start, end); 0 when end is not after start."""
        if end <= start:
            return 0.0
        total = 0.0
        day = self._local_day(start)
        last = self._local_day(end)
        while day <= last:
            for opens, closes in self.intervals_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta(0):
                    total += overlap.total_seconds()
            day += timedelta(days=1)
        return total

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of opening hours after `start` (start itself when seconds <= 0)."""
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        day = self._local_day(start)
        for _ in range(MAX_DAYS_AHEAD):
            for opens, closes in self.intervals_on(day):
                begin = max(opens, start)
                if begin >= closes:
                    continue
                if closes - begin >= remaining:
                    return begin + remaining
                remaining -= closes - begin
            day += timedelta(days=1)
        raise ValueError("the calendar has no opening hours ahead")

    def next_business_day(self, day: date) -> date:
        for _ in range(MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise ValueError("the calendar has no opening hours ahead")

    def deadline(self, received: datetime, working_days: int) -> datetime:
        """The close of business `working_days` working days after the day a case counts from.

        A case counts from the day it is received if that is a working day and the mall has not
        closed yet; otherwise from the next working day. 0 working days = the same day.
        """
        day = self._local_day(received)
        intervals = self.intervals_on(day)
        if not intervals or received >= intervals[-1][1]:
            day = self.next_business_day(day)
        for _ in range(working_days):
            day = self.next_business_day(day)
        return self.intervals_on(day)[-1][1]
