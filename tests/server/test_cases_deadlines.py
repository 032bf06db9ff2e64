"""Deadlines in the mall's opening hours: same day, working days, holidays, pauses while waiting
on the visitor, and the escalation job. The calendar arithmetic is tested on plain values; the
lifecycle parts through the services, on the database."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from test_cases_support import make_staff, new_case

from server.cases import flows, jobs, routing
from server.cases.deadlines import BusinessCalendar
from server.cases.models import Case, CaseEvent, CategoryRule, Holiday
from sync.protocol import CaseStatus

S = CaseStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = [{"weekdays": [0, 1, 2, 3, 4], "open": "10:00", "close": "22:00"},
         {"weekdays": [5, 6], "open": "10:00", "close": "23:00"}]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def calendar(holidays=()) -> BusinessCalendar:
    return BusinessCalendar.from_hours(SHANGHAI, HOURS, holidays)


# ---------------------------------------------------------------- the calendar alone
def test_a_simple_case_is_due_at_closing_the_same_day():
    # 2026-11-23 is a Monday.
    assert calendar().deadline(at("2026-11-23 15:00"), 0) == at("2026-11-23 22:00")


def test_a_case_after_closing_counts_from_the_next_opening_day():
    assert calendar().deadline(at("2026-11-23 22:30"), 0) == at("2026-11-24 22:00")
    assert calendar().deadline(at("2026-11-23 08:00"), 0) == at("2026-11-23 22:00")


def test_working_days_skip_holidays():
    # Received Thursday; 2 working days with Friday a holiday: Sat (1), Sun (2), closing 23:00.
    holidays = {date(2026, 11, 27)}
    assert calendar(holidays).deadline(at("2026-11-26 12:00"), 2) == at("2026-11-29 23:00")
    assert calendar().deadline(at("2026-11-26 12:00"), 2) == at("2026-11-28 23:00")


def test_a_case_received_on_a_holiday_counts_from_the_next_working_day():
    holidays = {date(2026, 10, 1), date(2026, 10, 2)}
    assert calendar(holidays).deadline(at("2026-10-01 12:00"), 0) == at("2026-10-03 23:00")


def test_business_seconds_count_only_opening_hours():
    cal = calendar()
    # Monday 21:00 → Tuesday 11:00 is 1 h on Monday and 1 h on Tuesday.
    assert cal.business_seconds_between(at("2026-11-23 21:00"), at("2026-11-24 11:00")) == 2 * 3600
    assert cal.add_business_seconds(at("2026-11-23 21:00"), 2 * 3600) == at("2026-11-24 11:00")
    assert cal.business_seconds_between(at("2026-11-24 11:00"), at("2026-11-23 21:00")) == 0


def test_bad_hours_fall_back_to_the_default_day():
    cal = BusinessCalendar.from_hours(SHANGHAI, [{"weekdays": "x"}, {"open": "25:00"}])
    assert cal.deadline(at("2026-11-23 12:00"), 0) == at("2026-11-23 22:00")


@hypothesis_settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
       seconds=st.integers(min_value=0, max_value=20 * 12 * 3600))
def test_adding_then_measuring_business_time_gives_it_back(start, seconds):
    cal = calendar({date(2026, 10, 1), date(2027, 2, 17)})
    begin = start.replace(tzinfo=SHANGHAI)
    end = cal.add_business_seconds(begin, seconds)
    assert end >= begin
    assert cal.business_seconds_between(begin, end) == pytest.approx(seconds, abs=1e-3)


# ---------------------------------------------------------------- on cases


@pytest.fixture
def open_mall(mall):
    mall.hours = HOURS
    mall.save()
    return mall


@pytest.mark.django_db
@pytest.mark.parametrize("category, department", [
    ("safety", "security"), ("environment_facilities", "engineering"),
    ("tenant_dispute", "floor"), ("price_question", "floor"), ("other", "service_desk"),
])
def test_complaints_are_routed_to_their_department(kiosk, category, department):
    assert new_case(kiosk, category=category).department == department


@pytest.mark.django_db
def test_a_mall_rule_overrides_the_default_routing_and_promise(open_mall, kiosk):
    CategoryRule.objects.create(mall=open_mall, category="safety", department="engineering", working_days=3)

    case = new_case(kiosk, category="safety")

    assert case.department == "engineering"
    expected = routing.business_calendar(open_mall).deadline(case.received_at, 3)
    assert case.due_at == expected


@pytest.mark.django_db
def test_praise_has_no_deadline_and_a_complex_complaint_gets_working_days(open_mall, kiosk):
    praise = new_case(kiosk, kind="praise", category=None)
    dispute = new_case(kiosk, category="tenant_dispute")

    assert praise.due_at is None
    assert dispute.due_at == routing.business_calendar(open_mall).deadline(dispute.received_at, 5)


@pytest.mark.django_db
def test_waiting_on_the_visitor_pauses_the_deadline(open_mall, kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    due = at("2026-11-23 22:00")
    Case.objects.filter(pk=case.pk).update(due_at=due, paused_at=at("2026-11-23 20:00"),
                                           status=S.WAITING_ON_VISITOR.value)
    case = Case.objects.get(pk=case.pk)
    # The visitor answers 14:00 next day: waited 2 h Monday + 4 h Tuesday of opening hours.
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at("2026-11-24 14:00")):
        flows.transition(case, S.IN_PROGRESS, agent)

    stored = Case.objects.get(pk=case.pk)
    assert stored.paused_at is None
    assert stored.due_at == at("2026-11-24 16:00")  # 6 h of opening time after Monday 22:00


@pytest.mark.django_db
def test_entering_waiting_records_the_pause_and_is_not_overdue(kiosk, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    flows.transition(case, S.WAITING_ON_VISITOR, agent, note="请问是哪一层？")
    Case.objects.filter(pk=case.pk).update(due_at=case.received_at - timedelta(hours=1))

    stored = Case.objects.get(pk=case.pk)
    assert stored.paused_at is not None
    assert not routing.is_overdue(stored)
    assert jobs.escalate_overdue() == []


@pytest.mark.django_db
def test_escalation_happens_once_per_overdue_case_and_names_the_manager(kiosk, agent, mall):
    make_staff("boss-wang", "manager", mall)
    late, on_time, finished = new_case(kiosk), new_case(kiosk), new_case(kiosk)
    past = late.received_at - timedelta(hours=2)
    Case.objects.filter(pk__in=[late.pk, finished.pk]).update(due_at=past)
    Case.objects.filter(pk=finished.pk).update(status="resolved")

    first = jobs.escalate_overdue()
    second = jobs.escalate_overdue()  # a second server running the job right after

    assert [c.pk for c in first] == [late.pk] and second == []
    assert Case.objects.get(pk=late.pk).escalated_at is not None
    assert Case.objects.get(pk=on_time.pk).escalated_at is None
    events = CaseEvent.objects.filter(case_id=late.pk, kind="escalate")
    assert events.count() == 1 and "boss-wang" in events.get().note
    assert events.get().visibility == "internal"
    from server.accounts.models import AuditEntry

    audit = AuditEntry.objects.get(action="case.escalate")
    assert (audit.subject, audit.actor_label) == (late.pk, "system")


@pytest.mark.django_db
def test_the_escalation_command_reports_what_it_did(kiosk):
    from io import StringIO

    from django.core.management import call_command

    case = new_case(kiosk)
    Case.objects.filter(pk=case.pk).update(due_at=case.received_at - timedelta(minutes=5))
    out = StringIO()
    call_command("escalate_overdue", stdout=out)

    assert case.reference in out.getvalue() and "1 case(s) escalated" in out.getvalue()


@pytest.mark.django_db
def test_holidays_entered_for_the_mall_move_deadlines(open_mall, kiosk):
    from unittest import mock

    Holiday.objects.create(mall=open_mall, day=date(2026, 11, 24), name="测试假日")
    with mock.patch("django.utils.timezone.now", return_value=at("2026-11-23 22:30")):
        case = new_case(kiosk)  # after closing on Monday; Tuesday is a holiday

    assert case.due_at == at("2026-11-25 22:00")


@pytest.mark.django_db
def test_a_holiday_is_entered_in_the_admin(client, open_mall):
    client.force_login(make_staff("root", "administrator", None))

    response = client.post("/admin/cases/holiday/add/", {"mall": open_mall.pk, "day": "2026-10-01", "name": "国庆节"})

    assert response.status_code == 302, response.content[:500]
    assert Holiday.objects.get().day == date(2026, 10, 1)
    assert not routing.business_calendar(open_mall).is_business_day(date(2026, 10, 1))
