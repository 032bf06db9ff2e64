"""The reworked case page and the desk's reception-log form in a real Chromium: a desk agent
applies a macro ("need details" waits on the visitor in one click) and registers a walk-in's
question, answered on the spot, in one step, with the floor and store of the published content.

Screenshots of both pages in Simplified Chinese and English go to $CONCIERGE_SCREENSHOTS (or the
test's tmp dir) for people to look at.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import intake
from server.cases.models import CannedReply, Case

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
WIDE = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def desk(demo_mall):
    agent = create_staff_user("agent-li", "agent", PASSWORD, mall=demo_mall, check_password=False,
                              display_name="李客服")
    case, _token = intake.register_case(
        demo_mall, agent, source="phone", kind="complaint", category="environment_facilities",
        description="顾客来电：二楼女洗手间的烘手机坏了。", visitor_surname="王", contact_phone="13812345678",
        contact_consent=True, people_involved="保洁员", visitor_request="希望今天修好")
    # The migrations make this default macro; a transactional test before this one may have
    # flushed migration data, so it is made again here as the migrations make it.
    need_details, _made = CannedReply.objects.get_or_create(
        mall=None, title="需要更多信息 / Need details", defaults={
            "text_zh_cn": "您好，为了更好地处理，请在本页面补充具体位置和时间，谢谢。",
            "text_en": "Hello, to handle this well we need a little more: please add the exact place and time "
                       "on this page.",
            "text_zh_tw": "您好，為了更好地處理，請在本頁面補充具體位置和時間，謝謝。",
            "sets_status": "waiting_on_visitor"})
    return {"mall": demo_mall, "agent": agent, "case": case, "need_details": need_details}


def test_a_desk_agent_applies_a_macro_and_resolves_a_walk_in_question_on_the_spot(
        chromium, live_server, desk, screenshots):
    case = desk["case"]
    case_url = f"{live_server.url}/console/cases/{case.pk}/"
    page = signed_in_page(chromium, case_url, "agent-li", PASSWORD, f"**/console/cases/{case.pk}/", **WIDE)

    # One page: reply and note first, then the status (starting on "choose"), then priority and
    # escalation, then hand-over.
    headings = [h.strip() for h in page.locator(".actions h2").all_inner_texts()]
    assert headings[:3] == ["回复或备注", "更改状态", "优先级与升级"]
    assert page.locator('select[name="to_status"]').input_value() == ""
    assert "希望今天修好" in page.locator("main").inner_text()
    page.screenshot(path=str(screenshots / "case-page-zh_CN.png"), full_page=True)

    # The macro: "need details" posts the reply in the visitor's language and waits on them.
    need_details = desk["need_details"]
    option = page.locator("#canned_reply option", has_text="需要更多信息")
    assert "等待顾客回复" in option.inner_text()  # the option says what it will do
    page.select_option("#canned_reply", str(need_details.pk))
    with page.expect_navigation(url=case_url):  # the case page posts to itself
        page.get_by_role("button", name="发送回复").click()
    expect(page.locator("h1 .badge").first).to_have_text("等待顾客回复")
    assert need_details.text_zh_cn in page.locator("ol.timeline").inner_text()
    assert Case.objects.get(pk=case.pk).status == "waiting_on_visitor"

    page.goto(f"{case_url}?lang=en")
    assert page.locator(".actions h2").first.inner_text().strip() == "Reply or note"
    page.screenshot(path=str(screenshots / "case-page-en.png"), full_page=True)

    # A walk-in asks where the nursing room is; the agent answers and records it in one step.
    page.goto(f"{live_server.url}/console/cases/new?lang=zh-hans")
    floors = page.locator("#new_level_id option").all_inner_texts()
    assert "2F" in floors  # the floors and stores of the published content
    page.fill("#new_visitor_surname", "陈")
    page.select_option("#new_kind", "enquiry")
    page.select_option("#new_level_id", "2f")
    page.fill("#new_description", "请问母婴室在哪里？")
    page.fill("#new_visitor_request", "想给宝宝换尿布")
    page.fill("#new_answer", "母婴室在二楼洗手间旁，出电梯右转。")
    page.screenshot(path=str(screenshots / "desk-form-zh_CN.png"), full_page=True)
    page.get_by_role("button", name="当场解决").click()

    assert page.locator(".ticket svg").count() == 1
    walk_in = Case.objects.exclude(pk=case.pk).get()
    assert (walk_in.status, walk_in.visitor_surname, walk_in.level_id, walk_in.source) == (
        "resolved", "陈", "2f", "desk")
    page.goto(f"{live_server.url}/console/cases/{walk_in.pk}/")
    assert page.locator("h1 .badge").first.inner_text() == "已解决"
    assert "母婴室在二楼洗手间旁" in page.locator("ol.timeline").inner_text()

    # Pressing the plain button with an answer typed is a form error, not a lost answer.
    page.goto(f"{live_server.url}/console/cases/new?lang=en")
    page.select_option("#new_kind", "enquiry")
    page.fill("#new_description", "Where is the taxi stand?")
    page.fill("#new_answer", "Outside gate 3.")
    page.get_by_role("button", name="Register", exact=True).click()
    assert "Resolved on the spot" in page.locator("form .errorlist").inner_text()
    assert page.locator("#new_answer").input_value() == "Outside gate 3."
    page.screenshot(path=str(screenshots / "desk-form-en.png"), full_page=True)
