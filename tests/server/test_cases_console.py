"""The staff console under /console/: sign-in, the inbox, a case, its forms (with real CSRF checks)."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from test_cases_support import STAFF_PASSWORD, csrf_token_of, make_staff, new_case, put_in, visible_text

from server.cases import flows, notes, tracking
from server.cases.models import Case, CaseEvent
from sync.protocol import CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus
CASES = "/console/cases/"


def detail_url(case) -> str:
    return f"{CASES}{case.pk}/"


@pytest.fixture
def browser() -> Client:
    """A client that, like a browser, must send the CSRF token the page gave it."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def signed_in(browser, agent) -> Client:
    browser.force_login(agent)
    return browser


def submit(browser: Client, page_url: str, action: str, data: dict):
    """Open the page, then post a form with the CSRF token from that page."""
    page = browser.get(page_url)
    assert page.status_code == 200
    return browser.post(action, {"csrfmiddlewaretoken": csrf_token_of(page), **data})


# ---------------------------------------------------------------- sign-in and access
@pytest.mark.parametrize("path", ["/console/", CASES, f"{CASES}01JAAAAAAAAAAAAAAAAAAAAAAA/"])
def test_the_console_requires_signing_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_posting_a_form_without_signing_in_changes_nothing(client, kiosk):
    case = new_case(kiosk)

    response = client.post(f"{detail_url(case)}status", {"to_status": "accepted"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Case.objects.get(pk=case.pk).status == "new"


def test_staff_sign_in_through_the_form_and_land_on_the_inbox(browser, mall, kiosk):
    make_staff("desk-zhou", "agent", mall, hashed=True)
    case = new_case(kiosk)
    login_page = browser.get(f"/accounts/login/?next={CASES}")

    response = browser.post("/accounts/login/", {
        "csrfmiddlewaretoken": csrf_token_of(login_page), "username": "desk-zhou",
        "password": STAFF_PASSWORD, "next": CASES,
    })

    assert response.status_code == 302 and response["Location"] == CASES
    assert case.reference in visible_text(browser.get(CASES))


def test_signing_in_without_the_csrf_token_is_refused(browser, mall):
    make_staff("desk-zhou", "agent", mall, hashed=True)

    response = browser.post("/accounts/login/", {"username": "desk-zhou", "password": STAFF_PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_a_content_editor_sees_no_cases(browser, mall, kiosk):
    new_case(kiosk)
    browser.force_login(make_staff("editor-qian", "content_editor", mall))

    response = browser.get(CASES)

    assert response.status_code == 403
    assert "无权查看工单" in visible_text(response)


def test_staff_see_only_their_own_malls_cases(signed_in, kiosk, other_kiosk):
    mine = new_case(kiosk, description="本商场的工单")
    theirs = new_case(other_kiosk, description="别的商场的工单")

    listing = visible_text(signed_in.get(CASES))

    assert mine.reference in listing and theirs.reference not in listing
    assert signed_in.get(detail_url(theirs)).status_code == 404
    assert signed_in.get(detail_url(mine)).status_code == 200


def test_a_superuser_sees_every_mall(browser, kiosk, other_kiosk):
    administrator = make_staff("root", "administrator", None)
    browser.force_login(administrator)
    cases = [new_case(kiosk), new_case(other_kiosk)]

    listing = visible_text(browser.get(CASES))

    assert all(case.reference in listing for case in cases)
    assert "星光广场" in listing and "海港城" in listing  # the mall column


def test_posting_to_another_malls_case_is_404_and_changes_nothing(signed_in, other_kiosk):
    theirs = new_case(other_kiosk)
    own_page = signed_in.get(CASES)

    response = signed_in.post(f"{detail_url(theirs)}status", {
        "csrfmiddlewaretoken": csrf_token_of(own_page), "to_status": "accepted", "visibility": "public",
    })

    assert response.status_code == 404
    assert Case.objects.get(pk=theirs.pk).status == "new"


# ---------------------------------------------------------------- the inbox
def test_the_inbox_lists_newest_first_with_masked_phones(signed_in, kiosk):
    older = new_case(kiosk, contact_phone="13912345678")
    newer = new_case(kiosk, contact_phone=None, contact_consent=False)

    response = signed_in.get(CASES)

    page = response.content.decode()
    assert page.index(newer.reference) < page.index(older.reference)
    assert "139****5678" in page and "13912345678" not in page


def test_the_inbox_filters_by_status(signed_in, kiosk, agent):
    waiting = new_case(kiosk)
    accepted = new_case(kiosk)
    flows.transition(accepted, S.ACCEPTED, agent)
    closed = put_in(new_case(kiosk), S.CLOSED)

    new_only = visible_text(signed_in.get(CASES + "?status=new"))
    open_only = visible_text(signed_in.get(CASES + "?status=open"))
    everything = visible_text(signed_in.get(CASES + "?status=nonsense"))

    assert waiting.reference in new_only and accepted.reference not in new_only
    assert {waiting.reference, accepted.reference} <= set(open_only.split())
    assert closed.reference not in open_only
    assert all(case.reference in everything for case in (waiting, accepted, closed))


def test_the_inbox_is_paginated(signed_in, kiosk):
    cases = [new_case(kiosk) for _ in range(30)]

    first = signed_in.get(CASES).content.decode()
    second = signed_in.get(CASES + "?page=2").content.decode()
    beyond = signed_in.get(CASES + "?page=99")

    assert sum(case.reference in first for case in cases) == 25
    assert sum(case.reference in second for case in cases) == 5
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert beyond.status_code == 200  # clamps to the last page


def test_the_console_speaks_simplified_chinese_by_default_and_switches(signed_in, kiosk):
    new_case(kiosk)

    assert "工单" in visible_text(signed_in.get(CASES, HTTP_ACCEPT_LANGUAGE="en"))
    english = signed_in.get(CASES + "?lang=en")
    assert "Cases" in visible_text(english) and "Complaint" in visible_text(english)
    assert "Cases" in visible_text(signed_in.get(CASES))  # remembered
    assert "工單" in visible_text(signed_in.get(CASES + "?lang=zh-hant"))


# ---------------------------------------------------------------- a case
def test_the_detail_shows_every_field_and_the_full_timeline(signed_in, kiosk, agent):
    case = new_case(kiosk, store_id="s-tea", details={"colour": "红色"})
    flows.transition(case, S.ACCEPTED, agent, note="已受理")
    notes.add_note(case, agent, "只给同事看的备注", "internal")

    response = signed_in.get(detail_url(case))

    text = visible_text(response)
    for expected in (case.reference, "二楼洗手间没有纸巾", "138****5678", "s-tea", "红色",
                     "环境与设施", "已受理", "只给同事看的备注", "agent-li"):
        assert expected in text
    internal = re.search(r'<li class="internal">(.*?)</li>', response.content.decode(), re.S).group(1)
    assert "只给同事看的备注" in internal and "内部" in internal


def test_changing_the_status_through_the_form(signed_in, kiosk, agent):
    case = new_case(kiosk)

    response = submit(signed_in, detail_url(case), f"{detail_url(case)}status", {
        "to_status": "accepted", "note": "您好，已受理", "visibility": "public",
    })

    assert response.status_code == 302 and response["Location"] == detail_url(case)
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "accepted" and stored.owner == agent
    event = stored.events.get(kind="status")
    assert (event.note, event.visibility, event.actor) == ("您好，已受理", "public", agent)


def test_the_status_form_offers_only_allowed_moves(signed_in, kiosk):
    case = new_case(kiosk)

    page = signed_in.get(detail_url(case)).content.decode()

    select = re.search(r'<select name="to_status".*?</select>', page, re.S).group(0)
    # Not "duplicate": a merge names the case that carries on, in its own form.
    assert re.findall(r'value="([a-z_]+)"', select) == ["accepted", "withdrawn"]


def test_an_illegal_transition_shows_the_reason_on_the_page(signed_in, kiosk):
    case = new_case(kiosk)

    response = submit(signed_in, detail_url(case), f"{detail_url(case)}status", {
        "to_status": "closed", "note": "直接关掉", "visibility": "internal",
    })

    assert response.status_code == 409
    text = visible_text(response)
    assert "处于“新建”的工单不能改为“已结案”。" in text
    assert "直接关掉" in text  # what the agent typed is kept
    assert Case.objects.get(pk=case.pk).status == "new"
    assert not CaseEvent.objects.filter(case=case, kind="status").exists()


def test_a_bad_form_is_shown_again_not_a_500(signed_in, kiosk):
    case = new_case(kiosk)

    response = submit(signed_in, detail_url(case), f"{detail_url(case)}status", {
        "to_status": "to_the_moon", "visibility": "everyone",
    })

    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == "new"


def test_a_form_without_the_csrf_token_is_refused(signed_in, kiosk):
    case = new_case(kiosk)

    response = signed_in.post(f"{detail_url(case)}status", {"to_status": "accepted", "visibility": "public"})

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).status == "new"


def test_adding_notes_public_and_internal(signed_in, kiosk):
    case = new_case(kiosk)

    for text, visibility in (("已联系店铺", "public"), ("店长态度敷衍", "internal")):
        response = submit(signed_in, detail_url(case), f"{detail_url(case)}notes",
                          {"text": text, "visibility": visibility})
        assert response.status_code == 302

    written = list(case.events.filter(kind="note").values_list("note", "visibility"))
    assert written == [("已联系店铺", "public"), ("店长态度敷衍", "internal")]
    assert [e.note for e in tracking.public_timeline(case)] == ["", "已联系店铺"]


def test_an_empty_note_is_refused_on_the_page(signed_in, kiosk):
    case = new_case(kiosk)

    response = submit(signed_in, detail_url(case), f"{detail_url(case)}notes",
                      {"text": "   ", "visibility": "internal"})

    assert response.status_code == 400
    assert not case.events.filter(kind="note").exists()


def test_handing_a_case_over_to_a_department(signed_in, kiosk, agent, mall):
    engineer = make_staff("eng-zhao", "department_handler", mall)
    make_staff("editor-qian", "content_editor", mall)
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)

    page = signed_in.get(detail_url(case)).content.decode()
    options = re.search(r'<select name="new_owner".*?</select>', page, re.S).group(0)
    assert "eng-zhao" in options and "editor-qian" not in options
    response = submit(signed_in, detail_url(case), f"{detail_url(case)}owner",
                      {"new_owner": engineer.pk, "note": "请检查水管"})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).owner == engineer


def test_a_department_handler_can_move_a_case_along(browser, kiosk, mall, agent):
    case = new_case(kiosk)
    flows.transition(case, S.ACCEPTED, agent)
    # The case (facilities) is routed to engineering, where this handler works.
    browser.force_login(make_staff("eng-zhao", "department_handler", mall, department="engineering"))

    response = submit(browser, detail_url(case), f"{detail_url(case)}status",
                      {"to_status": "in_progress", "visibility": "internal"})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_markup_in_a_description_is_escaped_in_the_list_and_the_detail(signed_in, kiosk):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    case = new_case(kiosk, description=attack, details={"<b>colour</b>": "<i>red</i>"})

    for url in (CASES, detail_url(case)):
        response = signed_in.get(url)
        page = response.content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b>colour" not in page and "<i>red" not in page
    assert attack in visible_text(signed_in.get(detail_url(case)))


def test_the_case_admin_is_read_only(client, kiosk):
    case = new_case(kiosk)
    client.force_login(make_staff("root", "administrator", None))

    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/cases/case/add/").status_code == 403
    client.post(f"/admin/cases/case/{case.pk}/change/", {"status": "closed", "description": "改写"})
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.description) == ("new", "二楼洗手间没有纸巾")
