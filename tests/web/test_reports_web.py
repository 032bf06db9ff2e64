"""The customer service report in a real Chromium: the manager writes the month's analysis on the
page, reads the call-back rate and hot spots, switches to the quarter, and opens the print view;
in Simplified Chinese and in English, with screenshots of the page and of the print view."""
from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import callbacks, flows, intake
from server.cases.models import Case
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]
PASSWORD = "Guest-desk-2026!"
ANALYSIS = "十一月投诉集中在一楼茶馆的午市。\n改进：午间增加一名巡场人员。"


def _complaint(kiosk, store: str, level: str, received: str, **fields) -> Case:
    upload = CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-{secrets.choice('ABCDEFGH')}{secrets.randbelow(900) + 100}",
        tracking_token_sha256=sha256_hex(secrets.token_urlsafe(32).encode("ascii")), kind="complaint",
        category=fields.pop("category", "service_attitude"), description="午市排队太久，店员态度差",
        contact_phone=fields.pop("phone", "13812345678"), contact_consent=True,
        created_at="2026-11-02T12:00:00+08:00", store_id=store)
    case = intake.receive_upload(kiosk, upload)[0]
    moment = datetime.fromisoformat(received).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    Case.objects.filter(pk=case.pk).update(received_at=moment, level_id=level)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def november():
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza", name_zh_tw="星光廣場")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    boss = create_staff_user("boss-wang", "manager", PASSWORD, mall=mall, check_password=False,
                             display_name="王经理")
    called, waiting = (_complaint(kiosk, "s-tea", "L1", "2026-11-02 12:10"),
                       _complaint(kiosk, "s-tea", "L1", "2026-11-03 12:40", category="safety"))
    _complaint(kiosk, "s-coat", "L2", "2026-11-07 19:05", category="price_question", phone=None)
    for case, cause in ((called, "staff_service"), (waiting, "facilities")):
        flows.transition(case, "accepted", boss)
        flows.transition(case, "resolved", boss, extra_changes={"root_cause": cause})
    callbacks.record_callback(Case.objects.get(pk=called.pk), boss, reached=True, satisfaction=4)
    return mall


def test_the_manager_writes_the_monthly_analysis_and_prints_it(chromium, live_server, november, screenshots):
    address = f"{live_server.url}/console/reports/monthly?period=month&at=2026-11"
    page = signed_in_page(chromium, address, "boss-wang", PASSWORD, "**/console/reports/monthly*")

    expect(page.get_by_role("heading", name="客服接待月报表")).to_be_visible()
    assert "50.0%" in page.locator("#callback-rate").inner_text()  # 1 of 2 called back
    assert "回访率" in page.locator("#callback-rate").inner_text()
    assert page.locator("#hot-stores tbody tr").first.inner_text().startswith("s-tea")
    assert page.locator('svg.chart[aria-label="投诉时段分布"] rect').count() == 24

    page.fill("textarea[name=text]", ANALYSIS)
    page.get_by_role("button", name="保存分析").click()
    page.wait_for_url("**/console/reports/monthly?*#analysis")
    assert "十一月投诉集中在一楼茶馆的午市。" in page.locator("#analysis").inner_text()
    page.screenshot(path=str(screenshots / "report-service-month-zh_CN.png"), full_page=True)

    # Printing the console page leaves the menus and the form out.
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible() and not page.locator("textarea[name=text]").is_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="打印视图").click()
    page.wait_for_url("**/console/reports/monthly/print?*")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="客服接待月报表")).to_be_visible()
    assert "改进：午间增加一名巡场人员。" in page.locator("#analysis").inner_text()
    assert not page.get_by_role("button", name="打印").is_visible()
    expect(page.get_by_text("制表人：")).to_be_visible()
    page.screenshot(path=str(screenshots / "report-service-month-print-zh_CN.png"), full_page=True)

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/console/reports/monthly?period=quarter&at=2026-Q4")
    expect(page.get_by_role("heading", name="客服接待季度报表")).to_be_visible()
    assert page.locator('svg.chart[aria-label="每月工单"] rect').count() == 3


def test_the_report_in_english(chromium, live_server, november, screenshots):
    address = f"{live_server.url}/console/reports/monthly?period=month&at=2026-11&lang=en"
    page = signed_in_page(chromium, address, "boss-wang", PASSWORD, "**/console/reports/monthly*", locale="en-GB")
    page.goto(address)
    expect(page.get_by_role("heading", name="Customer service monthly report")).to_be_visible()
    assert "Call-back rate (1 of 2)" in page.locator("#callback-rate").inner_text()
    expect(page.get_by_role("columnheader", name="Change").first).to_be_visible()
    page.screenshot(path=str(screenshots / "report-service-month-en.png"), full_page=True)

    page.get_by_role("link", name="Print view").click()
    page.wait_for_url("**/console/reports/monthly/print?*")
    page.emulate_media(media="print")
    expect(page.get_by_text("Prepared by:")).to_be_visible()
    page.screenshot(path=str(screenshots / "report-service-month-print-en.png"), full_page=True)
