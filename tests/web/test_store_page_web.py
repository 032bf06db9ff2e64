"""The store page a kiosk hands to a phone by QR code, in a real Chromium (Debian's) at a phone
viewport the way WeChat's in-app browser opens it: JavaScript off, nothing fetched from
elsewhere, everything within the screen's width, the route from the kiosk one tap away."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
    "NetType/WIFI Language/zh_CN"
)
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "user_agent": WECHAT_UA}
STORE_PAGE = "/s/galaxy-harbour/cloud-coffee?from=lobby-1f"
"""What the kiosk's QR code holds (after the public base URL)."""


def test_the_store_page_on_a_phone(chromium, live_server, demo_mall, screenshots):
    context = chromium.new_context(java_script_enabled=False, locale="zh-CN", **PHONE)
    page = context.new_page()
    ours = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    page.on("request", lambda request: foreign.append(request.url) if urlsplit(request.url).netloc != ours else None)

    response = page.goto(f"{live_server.url}{STORE_PAGE}")
    assert response.status == 200
    expect(page.get_by_role("heading", name="云朵咖啡")).to_be_visible()
    text = page.locator("main").inner_text()
    for expected in ("铺位 1F-19", "每天", "云朵咖啡 第二杯半价"):
        assert expected in text, expected
    logo = page.locator("main img")
    assert logo.evaluate("image => image.naturalWidth") > 0, "the logo loads from our own blob store"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "nothing wider than the phone"
    page.screenshot(path=str(screenshots / "store-page-phone-zh_CN.png"), full_page=True)

    page.locator("nav.langs a[hreflang=en]").click()
    expect(page.get_by_role("heading", name="Cloud Coffee")).to_be_visible()
    assert "Unit 1F-19" in page.locator("main").inner_text()

    page.locator("a.button").click()
    assert urlsplit(page.url).path == "/r/galaxy-harbour/lobby-1f/cloud-coffee"
    assert page.locator("ol.steps li").count() >= 1, "the route from the kiosk opens"
    assert foreign == [], f"requests to other hosts: {foreign}"
    context.close()
