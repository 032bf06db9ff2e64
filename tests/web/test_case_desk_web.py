"""The case desk in a real Chromium: an agent takes a kiosk complaint from the inbox to closed,
and the visitor follows every step on a phone (JavaScript off, as in WeChat's browser),
answers the desk's question and rates the outcome with the form.

Screenshots go to $CONCIERGE_SCREENSHOTS (or the test's tmp dir) for people to look at.
"""
from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import callbacks, flows, intake, tracking
from server.cases.models import Case
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "java_script_enabled": False, "locale": "zh-CN"}


@pytest.fixture
def complaint():
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza",
                               name_zh_tw="星光廣場")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    create_staff_user("agent-li", "agent", PASSWORD, mall=mall, check_password=False,
                      display_name="李客服")
    token = secrets.token_urlsafe(32)
    case = intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-7Q2M",
        tracking_token_sha256=sha256_hex(token.encode("ascii")), kind="complaint",
        category="environment_facilities", description="二楼女洗手间的烘手机坏了，一直不出风。",
        contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00",
    ))[0]
    return {"case": case, "token": token}


def change_status(page, status: str, note: str = "", public: bool = True):
    page.select_option('select[name="to_status"]', status)
    if note:
        page.fill("#status_note", note)
    page.check(f'input[name="visibility"][value="{"public" if public else "internal"}"]')
    page.get_by_role("button", name="更改状态").click()


def visitor_page(chromium, url: str):
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.goto(url)
    return context, page


def assert_fits_the_phone(page):
    """Nothing sticks out sideways on a 360 px screen (no horizontal scrolling)."""
    for selector in ("header", "main .card", "footer"):
        boxes = page.locator(selector)
        for index in range(boxes.count()):
            box = boxes.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360.5, selector


def test_an_agent_takes_a_case_to_closed_and_the_visitor_follows_and_rates(
        chromium, live_server, complaint, screenshots):
    case, token = complaint["case"], complaint["token"]
    track_url = f"{live_server.url}/t/{token}"
    # The agent signs in and finds the complaint in the inbox, phone masked.
    desk = signed_in_page(chromium, f"{live_server.url}/console/cases/", "agent-li", PASSWORD, "**/console/cases/",
                          viewport={"width": 1366, "height": 900})
    row = desk.locator("table.cases tbody tr", has_text=case.reference)
    assert row.is_visible() and "138****5678" in row.inner_text()
    desk.screenshot(path=str(screenshots / "desk-1-inbox.png"), full_page=True)

    # Filter by department: the routing sent this facilities complaint to engineering.
    desk.select_option('select[name="department"]', "engineering")
    desk.get_by_role("button", name="筛选").click()
    expect(desk.locator("table.cases tbody tr", has_text=case.reference)).to_be_visible()
    desk.select_option('select[name="department"]', "security")
    desk.get_by_role("button", name="筛选").click()
    assert desk.locator("table.cases").count() == 0
    desk.goto(f"{live_server.url}/console/cases/")

    # Accept: first-contact responsibility makes the agent the owner.
    desk.get_by_role("link", name=case.reference).click()
    change_status(desk, "accepted", "您好，我们已受理，工程部今天内处理。")
    assert desk.locator("h1 .badge").first.inner_text() == "已受理"
    assert "李客服" in desk.locator("dl.fields").inner_text()

    phone, visitor = visitor_page(chromium, track_url)
    assert "已受理" in visitor.locator('li[aria-current="step"]').inner_text()
    expect(visitor.get_by_text("您好，我们已受理，工程部今天内处理。")).to_be_visible()
    expect(visitor.get_by_text("预计答复时间")).to_be_visible()
    assert_fits_the_phone(visitor)
    visitor.screenshot(path=str(screenshots / "phone-1-accepted.png"), full_page=True)

    # The desk needs something from the visitor: the deadline pauses, the phone page asks.
    change_status(desk, "waiting_on_visitor", "请问是靠近电梯的那个洗手间吗？")
    visitor.reload()
    assert "等待您的回复" in visitor.locator('li[aria-current="step"]').inner_text()
    visitor.fill('textarea[name="text"]', "是的，电梯旁边那个。")
    visitor.screenshot(path=str(screenshots / "phone-2-waiting.png"), full_page=True)
    visitor.get_by_role("button", name="发送").click()
    expect(visitor.get_by_text("是的，电梯旁边那个。")).to_be_visible()
    assert "处理中" in visitor.locator('li[aria-current="step"]').inner_text()

    # Back at the desk the answer is on the timeline and the case runs again.
    desk.reload()
    expect(desk.get_by_text("是的，电梯旁边那个。")).to_be_visible()
    assert desk.locator("h1 .badge").first.inner_text() == "处理中"
    desk.fill("#note_text", "工程部已更换烘手机保险丝。")
    desk.get_by_role("button", name="添加备注").click()
    change_status(desk, "resolved", "烘手机已修好，感谢您的反馈！")
    expect(desk.get_by_role("heading", name="回访")).to_be_visible()
    desk.screenshot(path=str(screenshots / "desk-2-resolved.png"), full_page=True)

    visitor.reload()
    assert "已解决" in visitor.locator('li[aria-current="step"]').inner_text()
    assert visitor.get_by_text("工程部已更换烘手机保险丝。").count() == 0  # internal
    assert visitor.get_by_text("13812345678").count() == 0

    # Call-back (回访) with satisfaction, then close.
    desk.check('input[name="reached"][value="yes"]')
    desk.select_option('select[name="satisfaction"]', "5")
    desk.fill("#callback_outcome", "顾客表示满意。")
    desk.get_by_role("button", name="记录回访").click()
    assert desk.locator("h1 .badge").first.inner_text() == "已回访"
    change_status(desk, "closed", public=False)
    assert desk.locator("h1 .badge").first.inner_text() == "已结案"
    desk.screenshot(path=str(screenshots / "desk-3-closed.png"), full_page=True)

    # The visitor rates with the form: stars and a comment, submitted on purpose.
    visitor.reload()
    assert "已结案" in visitor.locator('li[aria-current="step"]').inner_text()
    visitor.locator('label[for="stars-5"]').click()
    visitor.fill('textarea[name="comment"]', "处理很快，谢谢！")
    visitor.screenshot(path=str(screenshots / "phone-3-rating.png"), full_page=True)
    visitor.get_by_role("button", name="提交评分").click()
    expect(visitor.get_by_text("感谢您的评分：5 分（满分 5 分）。")).to_be_visible()
    assert visitor.locator('input[name="stars"]').count() == 0
    assert_fits_the_phone(visitor)
    visitor.screenshot(path=str(screenshots / "phone-4-rated.png"), full_page=True)
    phone.close()

    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.rating, stored.rating_comment) == ("closed", 5, "处理很快，谢谢！")
    assert stored.callback_satisfaction == 5


def test_an_agent_registers_a_walk_in_and_prints_the_ticket(chromium, live_server, complaint, screenshots):
    desk = signed_in_page(chromium, f"{live_server.url}/console/cases/new", "agent-li", PASSWORD,
                          "**/console/cases/new")

    desk.check('input[name="source"][value="phone"]')
    desk.select_option('select[name="kind"]', "complaint")
    desk.select_option('select[name="category"]', "safety")
    desk.fill('textarea[name="description"]', "顾客来电：B2 停车场出口灯不亮。")
    desk.get_by_role("button", name="登记").click()

    expect(desk.get_by_text("您的工单编号")).to_be_visible()
    case = Case.objects.exclude(pk=complaint["case"].pk).get()
    expect(desk.get_by_text(case.reference).first).to_be_visible()
    assert desk.locator(".ticket svg").count() == 1
    desk.screenshot(path=str(screenshots / "desk-4-ticket.png"), full_page=True)
    assert (case.status, case.department, case.source) == ("accepted", "security", "phone")

    # A kiosk case comes in while the ticket is shown: the count moves, the ticket stays.
    kiosk = complaint["case"].kiosk
    intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-8R3N", tracking_token_sha256=sha256_hex(b"second"),
        kind="suggestion", description="希望多设几个充电宝租借点。", created_at="2026-11-20T16:02:00+08:00",
    ))
    expect(desk).to_have_title(re.compile(r"^\(2\) "), timeout=15000)
    desk.wait_for_timeout(1000)  # a refresh the change set off has had its time
    expect(desk.get_by_text(case.reference).first).to_be_visible()
    assert desk.locator(".ticket svg").count() == 1
    desk.screenshot(path=str(screenshots / "desk-5-ticket-after-a-new-case.png"), full_page=True)
    desk.context.close()  # the live stream ends with the page, before the test's database goes


def test_the_monthly_report_draws_its_charts_and_prints(chromium, live_server, complaint, screenshots):
    from datetime import timedelta

    from django.utils import timezone

    from server.accounts.services import create_staff_user
    from server.fleet.models import KioskEvent, KioskEventBatch
    from server.malls.models import Mall

    mall = Mall.objects.get()
    boss = create_staff_user("boss-wang", "manager", PASSWORD, mall=mall, check_password=False)
    for category in ("safety", "safety", "service_attitude", "tenant_dispute"):
        intake.register_case(mall, boss, source="phone", kind="complaint",
                               category=category, description="电话投诉")
    # One case resolved and rated, and a morning of smiley taps on the kiosk: the figures,
    # the pulse tables and its chart have something to show.
    case = complaint["case"]
    flows.transition(case, "accepted", boss)
    flows.transition(case, "resolved", boss, note="已修好")
    callbacks.record_callback(case, boss, reached=True, satisfaction=4, outcome="满意")
    tracking.rate_case(case, 5, "很快")
    kiosk = case.kiosk
    batch = KioskEventBatch.objects.create(kiosk=kiosk, batch_id="01WEBTESTBATCH", event_count=6)
    now = timezone.now()
    for minutes, face in ((5, "4"), (20, "3"), (50, "4"), (70, "2"), (95, "4"), (130, "1")):
        KioskEvent.objects.create(batch=batch, kiosk=kiosk, mall=mall, kind="satisfaction",
                                  at=now - timedelta(minutes=minutes), subject_id="receipt", value=face)
    page = signed_in_page(chromium, f"{live_server.url}/console/reports/monthly", "boss-wang", PASSWORD,
                          "**/console/reports/monthly")

    expect(page.get_by_role("heading", name="客服接待月报表", exact=False)).to_be_visible()
    assert page.locator("svg.chart").count() >= 3
    # safety, service attitude, tenant dispute, and the fixture's facilities complaint
    assert page.locator('svg.chart[aria-label="投诉按类别"] rect').count() == 4
    page.screenshot(path=str(screenshots / "report-monthly.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.emulate_media(media="print")  # printable: no menus, no forms, the charts stay
    assert not page.locator("header.top").is_visible()
    assert not page.get_by_role("link", name="Excel").is_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.screenshot(path=str(screenshots / "report-monthly-print.png"), full_page=True)

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/console/reports/")  # the daily log, today
    assert page.locator("table").count() >= 1
    page.screenshot(path=str(screenshots / "report-daily.png"), full_page=True)
