"""Where a new case goes and by when: the department from the category, the deadline in the
mall's opening hours, the floor it is about; and whether a running deadline has passed."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from server.malls.models import Department
from sync.protocol import CaseKind, CaseStatus, ComplaintCategory

from .deadlines import BusinessCalendar
from .models import Case, CategoryRule, Holiday, Priority

S, D, C = CaseStatus, Department, ComplaintCategory
#: Where each complaint category goes and the working days promised (0 = the same day), unless
#: the mall has its own CategoryRule. Safety to security, facilities to engineering, disputes
#: with a store to floor management, as the manuals divide the work.
DEFAULT_RULES: dict[str, tuple[str, int]] = {
    C.SAFETY: (D.SECURITY, 0),
    C.ENVIRONMENT_FACILITIES: (D.ENGINEERING, 0),
    C.TENANT_DISPUTE: (D.FLOOR, 5),
    C.PRODUCT_QUALITY: (D.FLOOR, 3),
    C.SERVICE_ATTITUDE: (D.FLOOR, 0),  # the job description: settle it on the spot
    C.PRICE_QUESTION: (D.FLOOR, 0),
    C.OTHER: (D.SERVICE_DESK, 0),
}
#: Other kinds of case: the service desk; None = no deadline (praise needs thanks, not a fix).
KIND_RULES: dict[str, tuple[str, int | None]] = {
    CaseKind.ENQUIRY: (D.SERVICE_DESK, 0),
    CaseKind.COMPLAINT: (D.SERVICE_DESK, 0),
    CaseKind.SUGGESTION: (D.SERVICE_DESK, 5),
    CaseKind.LOST_REPORT: (D.SERVICE_DESK, 0),
    CaseKind.FOUND_ITEM: (D.SERVICE_DESK, None),
    CaseKind.PRAISE: (D.SERVICE_DESK, None),
}
#: The priority a new complaint starts with, unless the mall's CategoryRule says otherwise:
#: a safety matter is urgent, a dispute with a store or rude service high, the rest normal.
DEFAULT_PRIORITIES: dict[str, int] = {
    C.SAFETY: Priority.URGENT,
    C.TENANT_DISPUTE: Priority.HIGH,
    C.SERVICE_ATTITUDE: Priority.HIGH,
}
#: Working days the desk has to call a visitor back after a case is resolved.
CALLBACK_WORKING_DAYS = 1


def business_calendar(mall) -> BusinessCalendar:
    """The mall's opening hours and holidays (one query for the holidays)."""
    holidays = Holiday.objects.filter(mall=mall, day__gte=timezone.now().date() - timedelta(days=400))
    return BusinessCalendar.from_hours(
        mall.zone, mall.hours, holidays.values_list("day", flat=True)
    )


def rule_for(mall, kind: str, category: str) -> tuple[str, int | None]:
    """(department, working days or None) for a new case of this kind and category."""
    if kind == CaseKind.COMPLAINT.value and category:
        rule = CategoryRule.objects.filter(mall=mall, category=category).first()
        if rule is not None:
            return rule.department, rule.working_days
        if category in DEFAULT_RULES:
            return DEFAULT_RULES[category]
    return KIND_RULES.get(kind, (D.SERVICE_DESK, 0))


def initial_priority(mall, kind: str, category: str) -> int:
    """The priority a new case starts with: the mall's rule for its category, else the default."""
    if kind != CaseKind.COMPLAINT.value or not category:
        return Priority.NORMAL
    rule = CategoryRule.objects.filter(mall=mall, category=category).values_list("priority", flat=True).first()
    return rule if rule is not None else DEFAULT_PRIORITIES.get(category, Priority.NORMAL)


def route(mall, kind: str, category: str, received: datetime) -> tuple[str, datetime | None]:
    """(department, due time) of a case received now."""
    department, working_days = rule_for(mall, kind, category)
    if working_days is None:
        return str(department), None
    return str(department), business_calendar(mall).deadline(received, working_days)


def floor_of(mall, store_id: str, location_id: str) -> str:
    """The floor (level id) a case is about: its store's, else the kiosk point's, else ""."""
    from server.content.models import KioskPoint, Store

    if store_id:
        level = Store.objects.filter(mall=mall, content_id=store_id).values_list(
            "level__content_id", flat=True).first()
        if level:
            return level
    if location_id:
        level = KioskPoint.objects.filter(mall=mall, content_id=location_id).values_list(
            "level__content_id", flat=True).first()
        if level:
            return level
    return ""


ACTIVE_STATUSES = frozenset({S.NEW, S.ACCEPTED, S.IN_PROGRESS})
"""Statuses whose deadline is running (waiting on the visitor pauses it)."""


def is_overdue(case: Case, now: datetime | None = None) -> bool:
    return (case.due_at is not None and CaseStatus(case.status) in ACTIVE_STATUSES
            and case.due_at < (now or timezone.now()))


def overdue_q(now: datetime | None = None) -> Q:
    return Q(status__in=[s.value for s in ACTIVE_STATUSES], due_at__lt=now or timezone.now())
