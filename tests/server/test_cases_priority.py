"""Priority, "escalate now", the end-of-day check and the SLA view: on the database, through the
services and the console pages, with the clock frozen where the time of day matters."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from test_cases_support import csrf_token_of, make_staff, new_case, put_in, visible_text

from server.accounts.models import AuditEntry
from server.cases import escalation, inbox, jobs, priority, signals, sla
from server.cases.errors import InvalidEscalation, InvalidPriority
from server.cases.models import Case, CaseEvent, CategoryRule, Priority, SameDayReport
from server.core import jobs as core_jobs
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOURS = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "open": "10:00", "close": "22:00"}]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@contextmanager
def frozen(text: str):
    with mock.patch("django.utils.timezone.now", return_value=at(text)):
        yield


@pytest.fixture
def open_mall(mall):
    mall.hours = HOURS
    mall.timezone = "Asia/Shanghai"
    mall.save()
    return mall


@pytest.fixture
def manager(mall):
    return make_staff("boss-wang", "manager", mall)


@contextmanager
def received(signal):
    """Collect what `signal` sends while the block runs."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    signal.connect(receiver)
    try:
        yield calls
    finally:
        signal.disconnect(receiver)


def browser_for(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def post_form(browser: Client, page_url: str, action: str, data: dict):
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    return browser.post(action, {"csrfmiddlewaretoken": csrf_token_of(page), **data})


# ---------------------------------------------------------------- priority
@pytest.mark.parametrize("category, expected", [
    ("safety", Priority.URGENT), ("service_attitude", Priority.HIGH),
    ("environment_facilities", Priority.NORMAL),
])
def test_a_new_case_takes_the_default_priority_of_its_category(kiosk, category, expected):
    assert new_case(kiosk, category=category).priority == expected


def test_the_malls_category_rule_sets_the_priority(mall, kiosk):
    CategoryRule.objects.create(mall=mall, category="environment_facilities", department="engineering",
                                working_days=0, priority=Priority.URGENT)

    assert new_case(kiosk).priority == Priority.URGENT
    assert new_case(kiosk, kind="suggestion", category=None).priority == Priority.NORMAL


def test_staff_change_the_priority_with_a_reason_on_the_timeline(kiosk, agent):
    case = new_case(kiosk)

    event = priority.set_priority(case, "4", agent, "顾客情绪激动")

    assert Case.objects.get(pk=case.pk).priority == Priority.URGENT
    assert event.kind == "priority" and event.visibility == "internal" and "顾客情绪激动" in event.note
    assert AuditEntry.objects.filter(action="case.priority", subject=case.pk).exists()
    assert priority.set_priority(case, Priority.URGENT, agent) is None  # no change, no entry


@pytest.mark.parametrize("bad", ["9", "urgent", "", None, 0])
def test_a_priority_outside_the_list_is_refused(kiosk, agent, bad):
    case = new_case(kiosk)
    with pytest.raises(InvalidPriority):
        priority.set_priority(case, bad, agent)
    assert Case.objects.get(pk=case.pk).priority == Priority.NORMAL


def test_a_finished_case_keeps_its_priority(kiosk, agent):
    case = put_in(new_case(kiosk), S.CLOSED, agent)
    with pytest.raises(InvalidPriority):
        priority.set_priority(case, Priority.HIGH, agent)


def test_the_priority_form_sets_it_and_refuses_bad_input_with_a_message(kiosk, agent):
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)
    page = f"/console/cases/{case.pk}/"
    browser = browser_for(agent)

    bad = post_form(browser, page, f"{page}priority", {"priority": "7"})
    assert bad.status_code == 400 and Case.objects.get(pk=case.pk).priority == Priority.NORMAL
    assert "7" in visible_text(bad) or "选择" in visible_text(bad) or "Select" in visible_text(bad)

    good = post_form(browser, page, f"{page}priority", {"priority": "3"})
    assert good.status_code == 302 and Case.objects.get(pk=case.pk).priority == Priority.HIGH


def test_the_inbox_sorts_the_most_urgent_first_and_shows_the_priority(kiosk, agent):
    low, urgent, normal = new_case(kiosk), new_case(kiosk, category="safety"), new_case(kiosk)
    Case.objects.filter(pk=low.pk).update(priority=Priority.LOW)

    ordered = list(inbox.filter_inbox(Case.objects.all(), inbox.InboxFilters(sort="priority")))
    assert [c.pk for c in ordered] == [urgent.pk, normal.pk, low.pk]

    page = browser_for(agent).get("/console/cases/?sort=priority")
    text = visible_text(page)
    assert text.index(urgent.reference) < text.index(normal.reference) < text.index(low.reference)
    assert "紧急" in text or "Urgent" in text
    # A made-up order is ignored, not an error page.
    assert browser_for(agent).get("/console/cases/?sort=bogus").status_code == 200


# ---------------------------------------------------------------- escalate now
def test_escalate_now_tells_the_manager_with_the_reason(kiosk, agent, manager, django_capture_on_commit_callbacks):
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)

    with received(signals.case_escalated) as sent, django_capture_on_commit_callbacks(execute=True):
        event = escalation.escalate_now(case, agent, "顾客要求经理出面")

    assert Case.objects.get(pk=case.pk).escalated_at is not None
    assert (event.kind, event.actor, event.note) == ("escalate", agent, "顾客要求经理出面")
    assert sent == [{"signal": signals.case_escalated, "case": case, "actor": agent, "reason": "顾客要求经理出面"}]
    # The manager sees it at the top of the inbox, above the list.
    page = browser_for(manager).get("/console/cases/")
    assert [c.pk for c in page.context["escalated"]] == [case.pk]
    html = page.content.decode()
    assert html.index('id="escalated-heading"') < html.index(case.reference) < html.index('<table class="cases"')


def test_the_escalated_block_lists_open_escalated_cases_most_urgent_then_longest_waiting(kiosk, agent, manager):
    def escalated(priority_value: int, status, when: str) -> Case:
        case = put_in(new_case(kiosk), status, agent)
        Case.objects.filter(pk=case.pk).update(priority=priority_value, escalated_at=at(when))
        return case

    normal_early = escalated(Priority.NORMAL, S.IN_PROGRESS, "2026-11-20 09:00")
    urgent_late = escalated(Priority.URGENT, S.ACCEPTED, "2026-11-20 15:00")
    urgent_early = escalated(Priority.URGENT, S.WAITING_ON_VISITOR, "2026-11-20 11:00")
    escalated(Priority.URGENT, S.CLOSED, "2026-11-20 08:00")  # settled: no longer the manager's
    put_in(new_case(kiosk), S.ACCEPTED, agent)  # open, never escalated

    page = browser_for(manager).get("/console/cases/")
    assert [c.pk for c in page.context["escalated"]] == [urgent_early.pk, urgent_late.pk, normal_early.pk]
    text = visible_text(page)
    assert text.index(urgent_early.reference) < text.index(urgent_late.reference) < text.index(
        normal_early.reference)


@pytest.mark.parametrize("reason", ["", "   ", "\x00"])
def test_escalating_needs_a_reason(kiosk, agent, reason):
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)
    with pytest.raises(InvalidEscalation):
        escalation.escalate_now(case, agent, reason)
    assert Case.objects.get(pk=case.pk).escalated_at is None


def test_a_case_is_escalated_once_and_only_while_open(kiosk, agent):
    case = put_in(new_case(kiosk), S.IN_PROGRESS, agent)
    escalation.escalate_now(case, agent, "重大投诉")
    with pytest.raises(InvalidEscalation):
        escalation.escalate_now(case, agent, "再次")
    resolved = put_in(new_case(kiosk), S.RESOLVED, agent)
    with pytest.raises(InvalidEscalation):
        escalation.escalate_now(resolved, agent, "已解决")
    assert CaseEvent.objects.filter(kind="escalate").count() == 1


def test_the_escalate_form_refuses_an_empty_reason_and_then_escalates(kiosk, agent):
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)
    page = f"/console/cases/{case.pk}/"
    browser = browser_for(agent)

    assert post_form(browser, page, f"{page}escalate", {"reason": ""}).status_code == 400
    assert post_form(browser, page, f"{page}escalate", {"reason": "涉及人身安全"}).status_code == 302
    assert Case.objects.get(pk=case.pk).escalated_at is not None
    again = post_form(browser, page, f"{page}escalate", {"reason": "再次"})
    assert again.status_code == 409


def test_the_overdue_job_sends_the_escalation_signal_too(kiosk, django_capture_on_commit_callbacks):
    case = new_case(kiosk)
    Case.objects.filter(pk=case.pk).update(due_at=case.received_at - timedelta(hours=1))

    with received(signals.case_escalated) as sent, django_capture_on_commit_callbacks(execute=True):
        jobs.escalate_overdue()

    assert [(call["case"].pk, call["actor"]) for call in sent] == [(case.pk, None)]


# ---------------------------------------------------------------- end of day
@pytest.fixture
def day_of_cases(open_mall, kiosk, other_kiosk, agent):
    """Monday 2026-11-23 in Shanghai: what is open, due when."""
    with frozen("2026-11-23 09:00"):
        cases = {name: new_case(kiosk, description=name) for name in
                 ("due_today", "late_since_friday", "waiting_today", "due_tomorrow", "resolved_today", "no_deadline")}
        cases["other_mall"] = new_case(other_kiosk, description="other_mall")
    due = {"due_today": at("2026-11-23 22:00"), "late_since_friday": at("2026-11-20 22:00"),
           "waiting_today": at("2026-11-23 16:00"), "due_tomorrow": at("2026-11-24 22:00"),
           "resolved_today": at("2026-11-23 22:00"), "no_deadline": None, "other_mall": at("2026-11-23 22:00")}
    for name, moment in due.items():
        Case.objects.filter(pk=cases[name].pk).update(due_at=moment)
    put_in(cases["waiting_today"], S.WAITING_ON_VISITOR, agent)
    put_in(cases["resolved_today"], S.RESOLVED, agent)
    return cases


def test_the_end_of_day_list_holds_what_will_not_be_settled_today(open_mall, day_of_cases):
    listed = {case.description for case in escalation.unsettled_on(open_mall, at("2026-11-23 12:00").date())}

    assert listed == {"due_today", "late_since_friday", "waiting_today"}


def test_at_closing_time_the_manager_gets_the_same_day_report(
        open_mall, day_of_cases, manager, django_capture_on_commit_callbacks):
    job = next(job for job in core_jobs.registered_jobs() if job.name == "same-day-report")
    monday = at("2026-11-23 12:00").date()

    with frozen("2026-11-23 21:59"):
        jobs.make_same_day_reports()
    assert not SameDayReport.objects.filter(day=monday).exists()
    with (received(signals.same_day_reported) as sent, frozen("2026-11-23 22:00"),
          django_capture_on_commit_callbacks(execute=True)):
        core_jobs.run_job(job, force=True)
        core_jobs.run_job(job, force=True)  # a second server, or the next run: made once

    report = SameDayReport.objects.get(mall=open_mall, day=monday)
    assert {c.description for c in report.cases.all()} == {"due_today", "late_since_friday", "waiting_today"}
    today = [call for call in sent if call["report"].day == report.day and call["mall"] == open_mall]
    assert len(today) == 1 and {c.description for c in today[0]["cases"]} == {
        "due_today", "late_since_friday", "waiting_today"}
    assert today[0]["mall"] == open_mall
    # Each listed case says so on its timeline; the manager reads the report in the console.
    assert CaseEvent.objects.filter(case=day_of_cases["due_today"], note__contains="2026-11-23").exists()
    assert not CaseEvent.objects.filter(case=day_of_cases["due_tomorrow"], note__contains="2026-11-23").exists()
    browser = browser_for(manager)
    page = visible_text(browser.get("/console/cases/same-day"))
    assert day_of_cases["due_today"].reference in page and day_of_cases["due_tomorrow"].reference not in page
    assert day_of_cases["other_mall"].reference not in page
    assert "2026-11-23" in visible_text(browser.get("/console/cases/"))


def test_the_report_waits_for_the_malls_closing_time_in_its_own_zone(open_mall, day_of_cases):
    # 13:30 UTC is 21:30 in Shanghai: the mall is still open.
    with mock.patch("django.utils.timezone.now",
                    return_value=datetime(2026, 11, 23, 13, 30, tzinfo=ZoneInfo("UTC"))):
        made = jobs.make_same_day_reports()
    assert not [r for r in made if r.day == at("2026-11-23 12:00").date()]


def test_a_desk_agent_without_the_reports_permission_cannot_open_the_reports(mall, kiosk):
    handler = make_staff("eng-zhang", "department_handler", mall, department="engineering")
    assert browser_for(handler).get("/console/cases/same-day").status_code == 403


# ---------------------------------------------------------------- SLA view
def test_the_sla_view_lists_what_breaches_within_the_working_hours(open_mall, kiosk, agent):
    with frozen("2026-11-23 09:00"):
        soon, overnight, later, late = (new_case(kiosk, description=d) for d in ("soon", "overnight", "later", "late"))
    for case, due in ((soon, "2026-11-23 21:00"), (overnight, "2026-11-24 11:00"),
                      (later, "2026-11-24 22:00"), (late, "2026-11-23 19:00")):
        Case.objects.filter(pk=case.pk).update(due_at=at(due))

    # Monday 20:00, 4 working hours: 2 h tonight and 2 h from Tuesday's opening (nights don't count).
    rows = sla.about_to_breach(Case.objects.all(), 4, at("2026-11-23 20:00"))
    assert [(row.case.description, row.working_minutes_left) for row in rows] == [("soon", 60), ("overnight", 180)]
    assert [c.description for c in sla.breached(Case.objects.all(), at("2026-11-23 20:00"))] == ["late"]

    with frozen("2026-11-23 20:00"):
        page = browser_for(agent).get("/console/cases/deadlines?hours=4")
    text = visible_text(page)
    assert page.status_code == 200
    assert soon.reference in text and overnight.reference in text and late.reference in text
    assert later.reference not in text


@pytest.mark.parametrize("hours", ["abc", "0", "999", "-3"])
def test_the_sla_view_answers_a_bad_window_with_a_message(agent, hours):
    page = browser_for(agent).get(f"/console/cases/deadlines?hours={hours}")

    assert page.status_code == 400
    assert page.context["hours"] == sla.DEFAULT_HOURS
    assert page.context["form"].errors["hours"]
