"""The periods a report covers: a calendar month, quarter or year of the mall's own days, how
each is written in a page's address, and the period before it (for hot spots)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from .models import PeriodKind

MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def _shift_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Span:
    kind: str
    first: date

    @property
    def last(self) -> date:
        end = _shift_months(self.first, MONTHS_IN[PeriodKind(self.kind)])
        return date.fromordinal(end.toordinal() - 1)

    @property
    def previous(self) -> Span:
        return Span(self.kind, _shift_months(self.first, -MONTHS_IN[PeriodKind(self.kind)]))

    @property
    def value(self) -> str:
        """As the page's address writes it: 2026-11, 2026-Q4, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        """As the report's title says it, in the page's language."""
        if self.kind == PeriodKind.MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.first.year, "month": self.first.month}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)d Q%(quarter)d") % {"year": self.first.year,
                                                  "quarter": (self.first.month - 1) // 3 + 1}
        return _("Year %(year)d") % {"year": self.first.year}

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def month_span(day: date) -> Span:
    return Span(PeriodKind.MONTH, day.replace(day=1))


def quarter_span(day: date) -> Span:
    return Span(PeriodKind.QUARTER, date(day.year, (day.month - 1) // 3 * 3 + 1, 1))


def year_span(day: date) -> Span:
    return Span(PeriodKind.YEAR, date(day.year, 1, 1))


SPAN_OF = {PeriodKind.MONTH: month_span, PeriodKind.QUARTER: quarter_span, PeriodKind.YEAR: year_span}


def parse_span(kind: str | None, text: str | None, today: date) -> Span:
    """The period a page asks for; anything unreadable means the period holding `today`."""
    try:
        period = PeriodKind(kind or PeriodKind.MONTH)
    except ValueError:
        period = PeriodKind.MONTH
    text = (text or "").strip()
    try:
        if period == PeriodKind.MONTH and text:
            return month_span(date.fromisoformat(f"{text}-01"))
        if period == PeriodKind.QUARTER and (match := _QUARTER_RE.match(text)):
            return Span(period, date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1))
        if period == PeriodKind.YEAR and (match := _YEAR_RE.match(text)):
            return year_span(date(int(match[1]), 1, 1))
    except ValueError:
        pass
    return SPAN_OF[period](today)
