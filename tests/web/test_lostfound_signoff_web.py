"""In a real Chromium: a desk agent announces a found phone on one floor's kiosks (the kiosks poll
it through the broadcast API; the texts hold none of its hidden details), asks the manager to
approve its disposal, and the manager approves it."""
from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from web_helpers import signed_in_page

from server.accounts.models import AuditEntry
from server.accounts.services import create_staff_user
from server.fleet import services as fleet
from server.lostfound import intake, retention
from server.lostfound.models import Disposal, FoundItem, ItemStatus, LostReport
from sync.protocol import BroadcastState

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lost-and-found-2026!"
SECRETS = ("壁纸是一只柴犬", "柴犬", "华为", "透明手机壳", "Safe A")


@pytest.fixture
def office(demo_mall):
    """The demo mall with a kiosk in the 1F lobby and one in the 3F atrium, a desk agent, the
    manager, and a black phone found on 3F kept in the safe."""
    create_staff_user("desk-wang", "agent", PASSWORD, mall=demo_mall, check_password=False)
    create_staff_user("boss-zhao", "manager", PASSWORD, mall=demo_mall, check_password=False)
    kiosks = {point: fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall, point).code, hostname=point)
              for point in ("lobby-1f", "atrium-3f")}
    item = intake.register_found_item(
        demo_mall, None, category="phone", colour="black", brand="华为", description="黑色华为手机，透明手机壳",
        hidden_details="壁纸是一只柴犬", found_at=timezone.now() - timedelta(hours=1), level_id="3f",
        storage_place="Safe A")
    return {"mall": demo_mall, "item": item, "kiosks": kiosks}


def polled(live_server, enrollment) -> list:
    """What the kiosk's poll of the broadcast API answers, over HTTP as the kiosk asks it."""
    request = urllib.request.Request(f"{live_server.url}/api/v1/kiosk/broadcasts",
                                     headers={"Authorization": f"Bearer {enrollment.device_key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return BroadcastState.model_validate_json(response.read()).broadcasts


def test_announcing_a_found_phone_on_its_floor(chromium, live_server, office, screenshots):
    item = office["item"]
    desk = signed_in_page(chromium, f"{live_server.url}/console/lost-property/items/{item.pk}/?lang=en",
                          "desk-wang", PASSWORD, "**/console/lost-property/items/**", locale="en-GB")
    preview = desk.locator("#notice-preview").inner_text()
    assert "Phone" not in preview and "手机" in preview and "3F" in preview
    assert desk.locator('input[name="levels"][value="3f"]').is_checked(), "the floor it was found on is ticked"
    desk.fill('input[name="days"]', "2")
    desk.get_by_role("button", name="Announce on the kiosks").click()
    desk.locator(".public-address").first.wait_for()
    spoken = [text.strip() for text in desk.locator(".public-address").all_inner_texts()]
    assert spoken[0].startswith("各位顾客请注意") and "手机（黑色）" in spoken[0]
    assert spoken[1].startswith("Attention please.") and "Phone (Black)" in spoken[1]
    for secret in SECRETS:
        assert all(secret not in text for text in spoken)
    desk.screenshot(path=str(screenshots / "lostfound-announced-en.png"), full_page=True)

    lobby = polled(live_server, office["kiosks"]["lobby-1f"])
    atrium = polled(live_server, office["kiosks"]["atrium-3f"])
    assert lobby == [] and len(atrium) == 1
    notice = atrium[0]
    assert notice.kind == "notice" and notice.title.zh_TW.startswith("招領")
    shown = " ".join([notice.title.zh_CN, notice.title.en, notice.title.zh_TW, notice.text.zh_CN, notice.text.en,
                      notice.text.zh_TW])
    for secret in SECRETS:
        assert secret not in shown


def test_the_manager_approves_the_disposal_an_agent_requested(chromium, live_server, office, screenshots):
    item = office["item"]
    FoundItem.objects.filter(pk=item.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    assert retention.mark_due_items() == 1
    url = f"{live_server.url}/console/lost-property/items/{item.pk}/?lang=en"

    desk = signed_in_page(chromium, url, "desk-wang", PASSWORD, "**/console/lost-property/items/**", locale="en-GB")
    assert desk.get_by_role("button", name="Record the disposal").count() == 0, "an agent only requests"
    desk.select_option('select[name="action"]', "police")
    desk.fill('input[name="recipient"]', "城南派出所 回执 0042")
    desk.get_by_role("button", name="Request the manager's approval").click()
    desk.locator("#disposal-request").wait_for()
    assert "Waiting for the manager's approval" in desk.locator("#disposal-request").inner_text()
    assert FoundItem.objects.get(pk=item.pk).status == ItemStatus.DUE

    boss = signed_in_page(chromium, url, "boss-zhao", PASSWORD, "**/console/lost-property/items/**", locale="en-GB")
    assert "desk-wang" in boss.locator("#disposal-request").inner_text()
    boss.screenshot(path=str(screenshots / "lostfound-disposal-approval-en.png"), full_page=True)
    boss.get_by_role("button", name="Approve and record the disposal").click()
    boss.get_by_role("heading", name="Disposal", exact=True).wait_for()
    assert "城南派出所" in boss.locator("main").inner_text()

    disposal = Disposal.objects.get(item=item)
    assert (disposal.action, disposal.recorded_by) == ("police", "boss-zhao")
    assert AuditEntry.objects.filter(action="lostfound.disposal_approval", subject=item.number,
                                     actor__username="boss-zhao").exists()


def test_a_lost_report_taken_at_the_desk_gets_a_ticket_whose_qr_opens_the_tracking_page(
        chromium, live_server, office, screenshots, settings):
    import zxingcpp
    from PIL import Image

    settings.PUBLIC_BASE_URL = live_server.url  # the QR code leads to this server
    desk = signed_in_page(chromium, f"{live_server.url}/console/lost-property/reports/new?lang=zh-hans",
                          "desk-wang", PASSWORD, "**/console/lost-property/reports/new**")
    desk.select_option('select[name="category"]', "wallet")
    desk.fill('textarea[name="description"]', "棕色皮质钱包，里面有会员卡")
    desk.fill('input[name="contact_name"]', "陈")
    desk.fill('input[name="contact_phone"]', "13800138000")
    desk.get_by_role("button", name="保存并打印凭条").click()
    desk.locator("#ticket-reference").wait_for()
    path = screenshots / "lostfound-desk-lost-report-ticket-zh_CN.png"
    desk.locator(".ticket").screenshot(path=str(path))

    report = LostReport.objects.get()
    assert desk.locator("#ticket-reference").inner_text() == report.case.reference
    assert (report.contact_name, report.case.contact_phone) == ("陈", "13800138000")
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(path))]
    assert len(decoded) == 1 and decoded[0].startswith(f"{live_server.url}/t/")
    phone = chromium.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}).new_page()
    phone.goto(decoded[0])
    assert report.case.reference in phone.content()
    assert "13800138000" not in phone.content() and "陈" not in phone.content()


def test_the_daily_log_shows_the_desk_entries_of_the_day(chromium, live_server, office, screenshots):
    mall = office["mall"]
    boss = User.objects.get(username="boss-zhao")
    intake.take_desk_lost_report(mall, boss, category="wallet", description="棕色钱包", contact_name="陈",
                                 contact_phone="13800138000")
    page = signed_in_page(chromium, f"{live_server.url}/console/reports/?lang=zh-hans", "boss-zhao", PASSWORD,
                          "**/console/reports/**")
    lost_property = page.locator("section.ledger", has=page.get_by_role("heading", name="失物招领", exact=True))
    rows = dict(zip(lost_property.locator("td:not(.num)").all_inner_texts(),
                    lost_property.locator("td.num").all_inner_texts(), strict=True))
    assert rows["拾获物品入库"] == "1" and rows["其中服务台登记"] == "1"
    assert rows["报失"] == "1" and rows["其中服务台受理"] == "1"
    page.screenshot(path=str(screenshots / "daily-log-ledgers-zh_CN.png"), full_page=True)
