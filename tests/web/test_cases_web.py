"""The tracking page and the console in a real Chromium (Debian's), phone and desktop viewports.

The phone page is checked the way WeChat's in-app browser would open it: a small screen,
JavaScript off, and no request may leave our own server.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from ulid import ULID

from server.accounts.services import create_staff_user
from server.cases import flows, intake, notes
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CaseStatus, CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
    "NetType/WIFI Language/zh_CN"
)
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "user_agent": WECHAT_UA}


@pytest.fixture
def scene():
    """A mall, a kiosk, an agent, and a complaint with public and internal updates."""
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza",
                               name_zh_tw="星光廣場")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    agent = create_staff_user("agent-li", "agent", PASSWORD, mall=mall, check_password=False)
    token = secrets.token_urlsafe(32)
    case = intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-3QX9",
        tracking_token_sha256=sha256_hex(token.encode("ascii")), kind="complaint",
        category="service_attitude", description="三楼奶茶店的店员对老人很不耐烦，希望商场处理。",
        contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00",
    ))[0]
    flows.transition(case, CaseStatus.ACCEPTED, agent, note="您好，我们已受理，今天内给您答复。")
    notes.add_note(case, agent, "内部：该店本月第二次", "internal")
    flows.transition(case, CaseStatus.IN_PROGRESS, agent, note="已联系店长了解情况。")
    return {"case": case, "token": token, "agent": agent}


def own_server_only(page, live_server) -> list[str]:
    """Record every request the page makes that does not go to our own server."""
    ours = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    page.on("request", lambda request: foreign.append(request.url)
            if urlsplit(request.url).netloc != ours else None)
    return foreign


def test_the_tracking_page_on_a_phone_without_javascript(chromium, live_server, scene, screenshots):
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN", **PHONE)
    page = context.new_page()
    foreign = own_server_only(page, live_server)

    response = page.goto(f"{live_server.url}/t/{scene['token']}")

    assert response.status == 200
    expect(page.get_by_text(scene["case"].reference).first).to_be_visible()
    expect(page.get_by_text("处理中").first).to_be_visible()
    expect(page.get_by_text("您好，我们已受理，今天内给您答复。")).to_be_visible()
    assert page.get_by_text("内部：该店本月第二次").count() == 0
    assert page.get_by_text("13812345678").count() == 0
    current = page.locator('li[aria-current="step"]')
    assert "处理中" in current.inner_text()
    # Nothing sticks out sideways on a 360 px screen (no horizontal scrolling).
    for selector in ("header", "main .card", ".ref", "ol.timeline", "footer"):
        for box in (page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())):
            assert box["x"] >= 0 and box["x"] + box["width"] <= 360 + 0.5, selector
    page.screenshot(path=str(screenshots / "tracking-phone-zh-hans.png"), full_page=True)
    assert foreign == []
    context.close()


def test_the_language_toggle_on_a_phone(chromium, live_server, scene, screenshots):
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN", **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/t/{scene['token']}")

    page.get_by_role("link", name="繁").click()
    expect(page.get_by_role("heading", name="您的工單")).to_be_visible()
    expect(page.get_by_text("星光廣場")).to_be_visible()
    page.screenshot(path=str(screenshots / "tracking-phone-zh-hant.png"), full_page=True)

    page.get_by_role("link", name="EN").click()
    expect(page.get_by_role("heading", name="Your case")).to_be_visible()
    page.reload()  # the choice is remembered in a cookie
    expect(page.get_by_role("heading", name="Your case")).to_be_visible()
    page.screenshot(path=str(screenshots / "tracking-phone-en.png"), full_page=True)
    context.close()


def test_an_unknown_token_gets_a_friendly_page(chromium, live_server, scene, screenshots):
    context = chromium.new_context(java_script_enabled=False, locale="en-US", **PHONE)
    page = context.new_page()

    response = page.goto(f"{live_server.url}/t/{secrets.token_urlsafe(32)}")

    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find this case")).to_be_visible()
    page.screenshot(path=str(screenshots / "tracking-phone-not-found.png"), full_page=True)
    context.close()


def test_an_agent_signs_in_and_moves_a_case_which_the_visitor_then_sees(
    chromium, live_server, scene, screenshots
):
    case = scene["case"]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    foreign = own_server_only(page, live_server)

    page.goto(f"{live_server.url}/console/cases/")
    page.fill('input[name="username"]', "agent-li")
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation(url="**/console/cases/"):  # the login page's ?next= matches too
        page.click('button[type="submit"]')
    expect(page.get_by_text("138****5678")).to_be_visible()
    page.screenshot(path=str(screenshots / "console-list.png"), full_page=True)

    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_text("内部：该店本月第二次")).to_be_visible()
    page.select_option('select[name="to_status"]', "resolved")
    page.fill("#status_note", "店长已向您致歉，并对店员进行了培训。")
    page.check('input[name="visibility"][value="public"]')
    page.screenshot(path=str(screenshots / "console-detail.png"), full_page=True)
    page.get_by_role("button", name="更改状态").click()
    assert page.locator("h1 .badge").first.inner_text() == "已解决"

    assert foreign == []
    context.close()

    phone = chromium.new_context(java_script_enabled=False, locale="zh-CN", **PHONE).new_page()
    phone.goto(f"{live_server.url}/t/{scene['token']}")
    expect(phone.get_by_text("店长已向您致歉，并对店员进行了培训。")).to_be_visible()
    assert "已解决" in phone.locator('li[aria-current="step"]').inner_text()
