"""Telling the manager: "escalate now" from the case page, with a reason, and the end-of-day
check that reports, the same day, the open cases due today or already late (the procedure
wants what cannot be handled that day reported that day). Overdue cases are escalated by the
job in jobs.py; all of them show at the top of the inbox for managers (inbox.escalated_open)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sync.protocol import CaseStatus

from . import signals
from .audit import audit, label_of
from .errors import InvalidEscalation, InvalidNote
from .models import Case, CaseEvent, EventKind, SameDayReport, Visibility
from .notes import clean_note
from .routing import business_calendar

S = CaseStatus
#: Cases not settled yet: a deadline still means something for them.
UNSETTLED_STATUSES = frozenset({S.NEW, S.ACCEPTED, S.IN_PROGRESS, S.WAITING_ON_VISITOR})


def escalate_now(case: Case, actor, reason: str) -> CaseEvent:
    """Hand `case` up to the mall's managers at once, with the reason on the timeline.

    Claimed like the overdue job's escalation (escalated_at still empty), so a case is
    escalated once whether by a person or by the job.
    """
    try:
        reason = clean_note(reason, required=True)
    except InvalidNote:
        raise InvalidEscalation(gettext("Say why the manager should take this case now.")) from None
    if CaseStatus(case.status) not in UNSETTLED_STATUSES:
        raise InvalidEscalation(gettext("Only a case still being handled can be escalated."))
    now = timezone.now()
    with transaction.atomic():
        claimed = Case.objects.filter(pk=case.pk, escalated_at__isnull=True,
                                      status__in=[s.value for s in UNSETTLED_STATUSES]
                                      ).update(escalated_at=now)
        if not claimed:
            raise InvalidEscalation(gettext("This case has already been escalated to the manager."))
        event = CaseEvent.objects.create(
            case=case, at=now, actor=actor, actor_label=label_of(actor), kind=EventKind.ESCALATE,
            note=reason, visibility=Visibility.INTERNAL,
        )
        audit(actor, "case.escalate", case, f"{case.reference} now: {reason[:200]}")
        transaction.on_commit(lambda: signals.case_escalated.send(
            sender=Case, case=case, actor=actor, reason=reason))
    case.escalated_at = now
    return event


# ---------------------------------------------------------------- end of day
def closing_time(mall, day: date) -> datetime | None:
    """When the mall closes on `day` (its last opening interval's end); None when it is shut."""
    intervals = business_calendar(mall).intervals_on(day)
    return intervals[-1][1] if intervals else None


def unsettled_on(mall, day: date) -> QuerySet[Case]:
    """The mall's open cases whose deadline falls on `day` or before: not settled that day."""
    zone = mall.zone
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return (Case.objects.filter(mall=mall, status__in=[s.value for s in UNSETTLED_STATUSES],
                                due_at__lt=next_midnight)
            .order_by("due_at", "id"))


def report_same_day(mall, day: date) -> SameDayReport | None:
    """The same-day report of `day` for `mall`, made once (None when another server made it).

    Each listed case gets an internal line on its timeline, so whoever opens it sees that the
    manager was told.
    """
    cases = list(unsettled_on(mall, day))
    now = timezone.now()
    try:
        with transaction.atomic():
            report = SameDayReport.objects.create(mall=mall, day=day, made_at=now)
            report.cases.set(cases)
            CaseEvent.objects.bulk_create([
                CaseEvent(case=case, at=now, kind=EventKind.NOTE, actor_label="system",
                          note=gettext("Not settled on %(day)s: reported to the manager the same day.")
                          % {"day": day.isoformat()}, visibility=Visibility.INTERNAL)
                for case in cases
            ])
            transaction.on_commit(lambda: signals.same_day_reported.send(
                sender=SameDayReport, report=report, mall=mall, cases=cases))
    except IntegrityError:  # the unique (mall, day): another server made it first
        return None
    return report


def due_reports(malls, now: datetime | None = None) -> list[SameDayReport]:
    """Make every report whose day has closed and that is not made yet (yesterday's too, for a
    mall open until midnight or a server that was down at closing time)."""
    now = now or timezone.now()
    made = []
    for mall in malls:
        today = now.astimezone(mall.zone).date()
        for day in (today - timedelta(days=1), today):
            closes = closing_time(mall, day)
            if closes is None or now < closes:
                continue
            if SameDayReport.objects.filter(mall=mall, day=day).exists():
                continue
            report = report_same_day(mall, day)
            if report is not None:
                made.append(report)
    return made
