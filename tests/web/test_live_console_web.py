"""The live console and the live tracking page in a real Chromium: a new case appears in the
inbox, with a count on the tab and beside "Cases", and the visitor's page shows the desk's
answer, both without a reload (server-sent events; Django's test server runs the WSGI form
of the stream, uvicorn the async one: tests/e2e/test_case_loop.py)."""
from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import flows, intake, notes
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CaseStatus, CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
NOT_RELOADED = "window.__stillTheSamePage === true"


@pytest.fixture
def scene(settings):
    settings.CONCIERGE_LIVE_STREAM_SECONDS = 8  # streams end and reconnect while the test runs
    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0.3
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza", name_zh_tw="星光廣場")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    agent = create_staff_user("agent-li", "agent", PASSWORD, mall=mall, check_password=False)
    return {"mall": mall, "kiosk": kiosk, "agent": agent}


def file_case(kiosk, description: str, reference: str) -> tuple:
    token = secrets.token_urlsafe(32)
    case = intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-{reference}", tracking_token_sha256=sha256_hex(token.encode()),
        kind="complaint", category="environment_facilities", description=description,
        contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00",
    ))[0]
    return case, token


def test_a_new_case_appears_in_the_inbox_without_a_reload(chromium, live_server, scene, screenshots):
    colleague = create_staff_user("agent-chen", "agent", PASSWORD, mall=scene["mall"], check_password=False)
    first, _ = file_case(scene["kiosk"], "一楼大门口地面湿滑", "1AAA")
    page = signed_in_page(chromium, f"{live_server.url}/console/cases/", "agent-li", PASSWORD, "**/console/cases/")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    assert page.locator("nav.sections .live-count").inner_text() == "1"
    expect(page.get_by_text(first.reference)).to_be_visible()
    page.fill('input[name="q"]', "half typed")  # what is being typed survives the refresh
    page.evaluate("window.__stillTheSamePage = true")

    second, _ = file_case(scene["kiosk"], "三楼电梯停在两层之间", "2BBB")

    page.get_by_text(second.reference).wait_for(timeout=15000)
    expect(page).to_have_title(re.compile(r"^\(2\) "))
    assert page.evaluate(NOT_RELOADED)
    assert page.locator("nav.sections .live-count").inner_text() == "2"
    assert page.input_value('input[name="q"]') == "half typed"
    expect(page.get_by_text("三楼电梯停在两层之间")).to_be_visible()
    assert page.locator("table.cases th").first.evaluate("th => getComputedStyle(th).fontWeight") == "600"
    assert csp_errors == []
    page.screenshot(path=str(screenshots / "live-inbox-zh-hans.png"), full_page=True)

    # Taking a case lowers the count everywhere in the console, the page open or not.
    flows.transition(second, CaseStatus.ACCEPTED, scene["agent"])
    expect(page).to_have_title(re.compile(r"^\(1\) "), timeout=15000)
    assert page.evaluate(NOT_RELOADED)

    # On a case's page a colleague's note comes in beside the note being written.
    page.goto(f"{live_server.url}/console/cases/{second.pk}/")
    # The agent is typing when it comes: the focus stays in the box and the typing goes on.
    page.fill("#note_text", "电梯公司")
    page.evaluate("window.__stillTheSamePage = true")
    notes.add_note(second, colleague, "已通知电梯维保单位", "internal")
    page.get_by_text("已通知电梯维保单位").wait_for(timeout=15000)
    assert page.evaluate(NOT_RELOADED)
    assert page.evaluate("document.activeElement.id") == "note_text"
    page.keyboard.insert_text("已在路上")
    assert page.input_value("#note_text") == "电梯公司已在路上"
    assert csp_errors == []
    page.screenshot(path=str(screenshots / "live-case-page-zh-hans.png"), full_page=True)
    page.context.close()  # the stream ends with the page, before the test's database goes


def test_the_tracking_page_shows_the_answer_without_a_reload(chromium, live_server, scene, screenshots):
    case, token = file_case(scene["kiosk"], "二楼洗手间没有纸巾", "3CCC")
    flows.transition(case, CaseStatus.ACCEPTED, scene["agent"], note="您好，我们已受理。")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/t/{token}")
    expect(page.get_by_text("您好，我们已受理。")).to_be_visible()
    page.evaluate("window.__stillTheSamePage = true")
    page.wait_for_timeout(1500)  # the stream has told the page what it shows now

    flows.transition(case, CaseStatus.RESOLVED, scene["agent"], note="纸巾已补充，谢谢您的反馈。")

    page.get_by_text("纸巾已补充，谢谢您的反馈。").wait_for(timeout=15000)
    assert page.evaluate(NOT_RELOADED)
    assert "已解决" in page.locator("[data-live=status] .status").inner_text()
    # The status moved and nothing was typed: the rating form came in with the rest.
    page.get_by_text("4★").wait_for(timeout=5000)
    assert csp_errors == []
    page.screenshot(path=str(screenshots / "live-tracking-zh-hans.png"), full_page=True)
    context.close()


def test_a_manager_sets_the_engineering_robot_and_reads_a_failure(chromium, live_server, scene, screenshots):
    from server.notifications.models import Message, MessageStatus

    create_staff_user("mgr-zhao", "manager", PASSWORD, mall=scene["mall"], check_password=False)
    case, _ = file_case(scene["kiosk"], "一楼大门口地面湿滑", "4DDD")
    Message.objects.create(mall=scene["mall"], case_id=case.pk, case_reference=case.reference, trigger="new_case",
                           channel="email", recipient="wang@plaza.example", body="…", attempts=6,
                           status=MessageStatus.FAILED, last_error="mail server: Connection refused")
    page = signed_in_page(chromium, f"{live_server.url}/console/notifications/", "mgr-zhao", PASSWORD,
                          "**/console/notifications/")
    expect(page.get_by_role("heading", name="部门群机器人")).to_be_visible()
    expect(page.get_by_text("mail server: Connection refused")).to_be_visible()
    expect(page.get_by_text("发送失败")).to_be_visible()
    expect(page.get_by_role("columnheader", name="发给")).to_be_visible()
    page.click("summary:has-text('工程部')")
    page.fill("#id_engineering-webhook_url", "not a web address")
    page.locator("details[open] form").filter(has=page.locator("#id_engineering-webhook_url")) \
        .get_by_role("button", name="保存").click()
    expect(page.locator("#id_engineering-webhook_url")).to_be_visible()  # the form came back with its error
    page.fill("#id_engineering-webhook_url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    page.locator("details[open] form").filter(has=page.locator("#id_engineering-webhook_url")) \
        .get_by_role("button", name="保存").click()
    page.get_by_text("已保存。").wait_for()
    page.get_by_role("button", name="重试").click()
    page.get_by_text("待发送").wait_for()
    page.screenshot(path=str(screenshots / "notification-settings-zh-hans.png"), full_page=True)
    page.context.close()
