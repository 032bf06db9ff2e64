"""Signage in the console, in a real Chromium: a manager makes a promotion with a picture,
previews it and publishes it; sends an emergency (asked to confirm first) and watches the
kiosks' "shown at" arrive through the kiosk API.

Screenshots go to $CONCIERGE_SCREENSHOTS (or the test's tmp dir) for people to look at.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.broadcasts.models import Broadcast
from server.content.models import ContentVersion, Promotion
from server.fleet import services as fleet

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Signage-desk-2026!"


@pytest.fixture
def manager_page(chromium, live_server, demo_mall):
    create_staff_user("manager-wu", "manager", PASSWORD, mall=demo_mall, check_password=False)
    return signed_in_page(chromium, f"{live_server.url}/console/promotions/", "manager-wu", PASSWORD,
                          "**/console/promotions/", viewport={"width": 1366, "height": 900})


def test_a_manager_makes_previews_and_publishes_a_promotion(manager_page, live_server, demo_mall, screenshots,
                                                          tmp_path):
    page = manager_page
    poster = tmp_path / "winter.png"
    Image.new("RGB", (1920, 1080), (30, 90, 160)).save(poster)
    versions_before = ContentVersion.objects.filter(mall=demo_mall).count()

    page.get_by_role("link", name="+ 新建活动").click()
    page.fill("#id_content_id", "promo-winter")
    for field, text in (("title_zh_cn", "冬季暖心季"), ("title_en", "Winter Warmers"), ("title_zh_tw", "冬季暖心季"),
                        ("text_zh_cn", "热饮第二杯免费"), ("text_en", "Second hot drink free"),
                        ("text_zh_tw", "熱飲第二杯免費")):
        page.fill(f"#id_{field}", text)
    page.fill("#id_starts_on", "2026-12-01")
    page.fill("#id_ends_on", "2027-02-28")
    page.fill("#id_hours_from", "10:00")
    page.fill("#id_hours_to", "22:00")
    page.fill("#id_priority", "9")
    page.set_input_files("#id_image", str(poster))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/console/promotions/promo-winter/")

    preview = page.locator("#preview")
    assert "Winter Warmers" in preview.inner_text() and "熱飲第二杯免費" in preview.inner_text()
    assert page.locator("#id_starts_on").input_value() == "2026-12-01", "the saved date shows in the form"
    slide = preview.locator(".slide img")
    assert slide.evaluate("image => image.decode().then(() => image.naturalWidth)") == 1920
    picture = page.request.get(slide.evaluate("image => image.src"))
    assert picture.ok and Image.open(io.BytesIO(picture.body())).size == (1920, 1080), "the preview shows the upload"
    page.screenshot(path=str(screenshots / "signage-1-promotion-preview.png"), full_page=True)

    page.get_by_role("link", name="← 促销活动").click()
    page.get_by_role("button", name="发布到终端").click()
    assert "已发布为第 2 版：终端在下次同步后显示" in page.locator("[role=status]").inner_text()
    assert ContentVersion.objects.filter(mall=demo_mall).count() == versions_before + 1
    expect(page.locator("table tr", has_text="冬季暖心季")).to_be_visible()
    page.screenshot(path=str(screenshots / "signage-2-promotions-published.png"), full_page=True)
    assert Promotion.objects.get(mall=demo_mall, content_id="promo-winter").priority == 9


def test_an_emergency_asks_first_then_shows_which_kiosks_have_shown_it(manager_page, live_server, demo_mall,
                                                                       screenshots):
    page = manager_page
    lobby = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code, hostname="lobby")
    second = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code, hostname="second")
    page.goto(f"{live_server.url}/console/broadcasts/")
    page.check('input[name="kind"][value="emergency"]')

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_timeout(300)
    assert questions and "紧急" in questions[0], "the manager is asked before an emergency goes out"
    assert not Broadcast.objects.filter(mall=demo_mall).exists(), "cancelled: nothing was sent"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_url("**/console/broadcasts/*/")
    sent = Broadcast.objects.get(mall=demo_mall)
    assert "2 台终端中已有 0 台显示" in page.locator("main").inner_text()

    shown_at = datetime.now(timezone.utc).isoformat()
    answer = requests.post(f"{live_server.url}/api/v1/kiosk/broadcasts/shown",
                           json={"shown": [{"broadcast_id": sent.id, "shown_at": shown_at}]},
                           headers={"Authorization": f"Bearer {lobby.device_key}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    page.reload()
    assert "2 台终端中已有 1 台显示" in page.locator("main").inner_text()
    rows = page.locator("table tbody tr")
    waiting = rows.filter(has_text=second.kiosk.code)
    assert waiting.count() == 1 and ":" not in waiting.locator("td").nth(2).inner_text(), "not shown yet"
    page.screenshot(path=str(screenshots / "signage-3-emergency-shown-by-one.png"), full_page=True)

    page.get_by_role("button", name="在所有终端上结束").click()
    sent.refresh_from_db()
    assert sent.ended_at is not None


def test_a_notice_goes_out_without_asking(manager_page, live_server, demo_mall):
    page = manager_page
    page.goto(f"{live_server.url}/console/broadcasts/")
    page.check('input[name="kind"][value="notice"]')
    page.select_option('select[name="reason"]', "closing_time")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_url("**/console/broadcasts/*/")
    assert questions == [] and Broadcast.objects.get(mall=demo_mall).kind == "notice"
