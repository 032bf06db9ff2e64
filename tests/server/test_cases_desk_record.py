"""The desk record of the reception log (物业接待记录), register-and-resolve in one step, category
deadlines, macros (a canned reply that also sets status, priority, department and owner) and the
case page's status list that never defaults to reopening a case."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from test_cases_support import csrf_token_of, make_staff, new_case, put_in, visible_text

from server.cases import intake, macros, routing, tracking
from server.cases.errors import InvalidCase, InvalidHandOver, InvalidMacro
from server.cases.models import CannedReply, Case, CaseEvent, Priority
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW = "/console/cases/new"


def browser_for(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def post_form(browser: Client, page_url: str, action: str, data: dict):
    page = browser.get(page_url)
    assert page.status_code == 200, page.status_code
    return browser.post(action, {"csrfmiddlewaretoken": csrf_token_of(page), **data})


RECORD = {
    "source": "desk", "kind": "complaint", "category": "service_attitude", "visitor_surname": "王",
    "contact_phone": "13900001111", "contact_consent": "on", "occurred_at": "2026-11-20T15:30",
    "people_involved": "三楼奶茶店收银员", "description": "收银员对老人态度很差，大声呵斥。",
    "visitor_request": "希望店方道歉", "language": "zh_CN",
}


# ---------------------------------------------------------------- the record
def test_the_desk_record_keeps_the_reception_logs_fields(mall, agent):
    happened = datetime(2026, 11, 20, 15, 30, tzinfo=SHANGHAI)

    case, _token = intake.register_case(
        mall, agent, source="phone", kind="complaint", category="service_attitude",
        description="收银员态度差", visitor_surname="王", contact_phone="13900001111", contact_consent=True,
        occurred_at=happened, people_involved="三楼奶茶店收银员", visitor_request="希望店方道歉", level_id="L3")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.visitor_surname, stored.people_involved, stored.visitor_request) == (
        "王", "三楼奶茶店收银员", "希望店方道歉")
    assert stored.occurred_at == happened and stored.level_id == "L3"
    assert stored.status == "accepted" and stored.priority == Priority.HIGH


@pytest.mark.parametrize("fields", [
    {"visitor_surname": "王" * 21},
    {"people_involved": "店员" * 101},
    {"visitor_request": "x" * 2001},
    {"visitor_request": "请\x07处理"},
    {"occurred_at": timezone.now() + timedelta(hours=2)},
    {"answer": "\x00"},
])
def test_a_bad_record_is_refused_with_a_message_and_stores_nothing(mall, agent, fields):
    with pytest.raises(InvalidCase) as refused:
        intake.register_case(mall, agent, source="desk", kind="enquiry", description="问路", **fields)
    assert refused.value.message
    assert not Case.objects.exists()


def test_the_form_registers_the_record_in_the_malls_local_time(mall, agent):
    response = post_form(browser_for(agent), NEW, NEW, RECORD)

    assert response.status_code == 200, visible_text(response)
    case = Case.objects.get()
    assert case.occurred_at == datetime(2026, 11, 20, 15, 30, tzinfo=SHANGHAI)
    assert (case.visitor_surname, case.visitor_request) == ("王", "希望店方道歉")
    page = visible_text(browser_for(agent).get(f"/console/cases/{case.pk}/"))
    assert "希望店方道歉" in page and "三楼奶茶店收银员" in page and "王" in page


@pytest.mark.parametrize("change, field", [
    ({"occurred_at": "not a time"}, "occurred_at"),
    ({"level_id": "L99"}, "level_id"),
    ({"visitor_surname": "王" * 30}, "visitor_surname"),
])
def test_the_form_shows_a_message_for_bad_input(mall, agent, change, field):
    response = post_form(browser_for(agent), NEW, NEW, {**RECORD, **change})

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Case.objects.exists()


# ---------------------------------------------------------------- register and resolve
def test_a_question_answered_on_the_spot_is_registered_and_resolved_in_one_step(mall, agent):
    response = post_form(browser_for(agent), NEW, NEW, {
        "source": "desk", "kind": "enquiry", "description": "母婴室在哪里？", "language": "zh_CN",
        "answer": "母婴室在二楼电梯旁。", "resolve": "1"})

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.status == "resolved" and case.owner == agent and case.resolved_at is not None
    token = re.search(r"/t/([A-Za-z0-9_-]+)", response.content.decode()).group(1)
    assert tracking.find_by_token(token) == case
    public = CaseEvent.objects.filter(case=case, visibility="public", note="母婴室在二楼电梯旁。")
    assert public.filter(to_status="resolved").exists()  # the visitor reads the answer on the phone


def test_resolving_on_the_spot_needs_the_answer_and_an_answer_needs_that_button(mall, agent):
    browser = browser_for(agent)
    question = {"source": "desk", "kind": "enquiry", "description": "母婴室在哪里？", "language": "zh_CN"}

    no_answer = post_form(browser, NEW, NEW, {**question, "resolve": "1"})
    stray_answer = post_form(browser, NEW, NEW, {**question, "answer": "二楼"})

    assert no_answer.status_code == 400 and no_answer.context["form"].errors["answer"]
    assert stray_answer.status_code == 400 and stray_answer.context["form"].errors["answer"]
    assert not Case.objects.exists()


# ---------------------------------------------------------------- category deadlines
def test_a_service_attitude_complaint_is_due_the_same_day(mall, kiosk):
    mall.hours = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "open": "10:00", "close": "22:00"}]
    mall.save()
    with mock.patch("django.utils.timezone.now",
                    return_value=datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)):
        case = new_case(kiosk, category="service_attitude")

    assert routing.DEFAULT_RULES["service_attitude"][1] == 0
    assert case.due_at == datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- macros
@pytest.fixture
def need_details():
    """The default reply every mall starts with (migrations 0003 and 0008)."""
    return CannedReply.objects.get(title="需要更多信息 / Need details")


def test_the_need_details_reply_waits_on_the_visitor_in_one_click(kiosk, agent, need_details):
    case = put_in(new_case(kiosk, language="en"), S.ACCEPTED, agent)

    response = post_form(browser_for(agent), f"/console/cases/{case.pk}/", f"/console/cases/{case.pk}/reply",
                         {"reply": need_details.pk})

    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "waiting_on_visitor" and stored.paused_at is not None
    event = CaseEvent.objects.get(case=case, to_status="waiting_on_visitor")
    assert event.visibility == "public" and event.note == need_details.text_en


def test_a_macro_sets_priority_department_and_owner_with_the_reply(mall, kiosk, agent):
    engineer = make_staff("eng-zhang", "agent", mall, department="engineering")
    reply = CannedReply.objects.create(
        mall=mall, title="转工程部", text_zh_cn="已转工程部处理。", text_en="Passed to engineering.",
        text_zh_tw="已轉工程部處理。", sets_status="in_progress", sets_priority=Priority.URGENT,
        sets_department="engineering", sets_owner=engineer)
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)

    macros.apply_macro(case, agent, reply)

    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.priority, stored.department, stored.owner) == (
        "in_progress", Priority.URGENT, "engineering", engineer)
    assert CaseEvent.objects.filter(case=case, kind="status", note="已转工程部处理。").exists()


def test_a_macro_that_cannot_apply_changes_nothing(kiosk, agent, need_details):
    case = put_in(new_case(kiosk), S.RESOLVED, agent)
    before = CaseEvent.objects.filter(case=case).count()

    with pytest.raises(InvalidMacro) as refused:
        macros.apply_macro(case, agent, need_details)

    assert "note" in refused.value.message or "备注" in refused.value.message
    assert Case.objects.get(pk=case.pk).status == "resolved"
    assert CaseEvent.objects.filter(case=case).count() == before
    page = post_form(browser_for(agent), f"/console/cases/{case.pk}/", f"/console/cases/{case.pk}/reply",
                     {"reply": need_details.pk})
    assert page.status_code == 409 and CaseEvent.objects.filter(case=case).count() == before


def test_a_macro_refuses_to_hand_over_to_someone_who_cannot_own_the_case(mall, other_mall, kiosk, agent):
    stranger = make_staff("agent-harbour", "agent", other_mall)
    reply = CannedReply.objects.create(mall=mall, title="x", text_zh_cn="好", text_en="ok", text_zh_tw="好",
                                       sets_priority=Priority.HIGH, sets_owner=stranger)
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)

    with pytest.raises(InvalidHandOver) as refused:
        macros.apply_macro(case, agent, reply)

    assert refused.value.message

    stored = Case.objects.get(pk=case.pk)
    assert stored.priority == Priority.NORMAL and stored.owner == agent  # all or nothing


def test_another_malls_reply_is_refused(mall, other_mall, kiosk, agent):
    foreign = CannedReply.objects.create(mall=other_mall, title="海港", text_zh_cn="好", text_en="ok",
                                         text_zh_tw="好")
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)

    response = post_form(browser_for(agent), f"/console/cases/{case.pk}/", f"/console/cases/{case.pk}/reply",
                         {"reply": foreign.pk})

    assert response.status_code == 400 and not CaseEvent.objects.filter(case=case, kind="note").exists()


# ---------------------------------------------------------------- the case page's status list
def test_the_status_list_of_a_resolved_case_never_defaults_to_reopening(kiosk, agent):
    case = put_in(new_case(kiosk, contact_phone=None, contact_consent=False), S.RESOLVED, agent)

    html = browser_for(agent).get(f"/console/cases/{case.pk}/").content.decode()
    select = re.search(r'<select name="to_status"[^>]*>(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select)

    assert options[0] == ("", "") and not any(selected for _value, selected in options)
    assert [value for value, _ in options][-1] == "in_progress"  # reopening comes last, named so
    assert "重新打开" in select or "Reopen" in select


def test_the_safe_action_comes_first_on_the_case_page(kiosk, agent):
    case = put_in(new_case(kiosk), S.ACCEPTED, agent)

    html = browser_for(agent).get(f"/console/cases/{case.pk}/").content.decode()

    order = [html.index(marker) for marker in (
        'id="note-form-heading"', 'id="status-form-heading"', 'id="priority-heading"', 'id="owner-form-heading"')]
    assert order == sorted(order)
