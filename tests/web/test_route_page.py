"""The route a kiosk hands to a phone, in a real Chromium (Debian's) at a phone viewport, the way
WeChat's in-app browser opens it: small screen, JavaScript off, nothing fetched from elsewhere."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from server.content import services as content_services
from server.wayfinding import services
from venue.routing.router import router_for
from venue.routing.wording import describe_step

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) "
    "NetType/WIFI Language/zh_CN"
)
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "user_agent": WECHAT_UA}
ROUTE = "/r/galaxy-harbour/lobby-1f/gale-sports"


def phone_page(chromium, live_server, locale: str = "zh-CN"):
    context = chromium.new_context(java_script_enabled=False, locale=locale, **PHONE)
    page = context.new_page()
    ours = urlsplit(live_server.url).netloc
    foreign: list[str] = []
    page.on("request", lambda request: foreign.append(request.url) if urlsplit(request.url).netloc != ours else None)
    return page, foreign


def fits_the_screen(page, selector: str) -> None:
    locator = page.locator(selector)
    assert locator.count() > 0
    for index in range(locator.count()):
        box = locator.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360 + 0.5, (selector, box)


def test_the_route_on_a_phone_matches_the_kiosk(chromium, live_server, demo_mall, screenshots):
    page, foreign = phone_page(chromium, live_server)
    response = page.goto(f"{live_server.url}{ROUTE}?profile=standard&lang=zh-hans")
    assert response.status == 200
    expect(page.get_by_role("heading", name="去疾风运动的路线")).to_be_visible()
    route = router_for(services.published("galaxy-harbour")[1]).route("lobby-1f", "gale-sports", "standard")
    items = page.locator("ol.steps li")
    assert items.count() == len(route.steps) == 3
    for number, step in enumerate(route.steps):
        assert describe_step(step, "zh_CN")[0] in items.nth(number).inner_text()
    drawings = page.locator("section.floor svg")
    assert drawings.count() == 3
    for index in range(3):
        box = drawings.nth(index).bounding_box()
        assert box["width"] > 300 and box["height"] > 100  # a real drawing, as wide as the phone allows
    assert page.locator("section.floor polyline.route").first.bounding_box()["width"] > 10
    fits_the_screen(page, "ol.steps li")
    fits_the_screen(page, "section.floor")
    fits_the_screen(page, "nav.profiles a")
    page.screenshot(path=str(screenshots / "route-phone-zh-hans.png"), full_page=True)
    assert foreign == []


def test_choosing_step_free_and_another_language_on_the_phone(chromium, live_server, demo_mall, screenshots):
    page, foreign = phone_page(chromium, live_server, locale="en-US")
    page.goto(f"{live_server.url}{ROUTE}?lang=en")
    expect(page.get_by_role("heading", name="Your route to Gale Sports")).to_be_visible()
    page.get_by_role("link", name="Step-free").click()
    assert page.locator('nav.profiles a[aria-current="true"]').inner_text() == "Step-free"
    titles = page.locator("ol.steps .title").all_inner_texts()
    assert any(title.startswith("Take Lift ") for title in titles)
    assert not any("escalator" in title for title in titles)
    page.screenshot(path=str(screenshots / "route-phone-en-step-free.png"), full_page=True)
    page.get_by_role("link", name="繁").click()
    expect(page.get_by_role("heading", name="去疾風運動的路線")).to_be_visible()
    page.screenshot(path=str(screenshots / "route-phone-zh-hant.png"), full_page=True)
    assert foreign == []


def test_a_closed_lift_on_the_phone_explains_and_offers_the_service_desk(chromium, live_server, demo_mall,
                                                                          screenshots):
    services.set_connector_closed(demo_mall, "lift-a-1f", True)
    # The second closure takes the step-free routes away: the publish guard asks a manager.
    administrator = get_user_model().objects.create_superuser("route-admin", password=None)
    with pytest.raises(content_services.UnconfirmedLosses) as refused:
        services.set_connector_closed(demo_mall, "lift-b-1f", True, administrator)
    services.set_connector_closed(demo_mall, "lift-b-1f", True, administrator,
                                  confirm_losses=refused.value.fingerprint)
    page, _foreign = phone_page(chromium, live_server, locale="en-US")
    page.goto(f"{live_server.url}{ROUTE}?profile=pram&lang=en")
    expect(page.get_by_text("There is no way to Gale Sports with a pram from here.")).to_be_visible()
    expect(page.get_by_text("Lift A, Lift B are closed.")).to_be_visible()
    page.screenshot(path=str(screenshots / "route-phone-en-closed.png"), full_page=True)
    page.get_by_role("link", name="Show the way to Service desk").click()
    expect(page.get_by_role("heading", name="Your route to Service desk")).to_be_visible()
    assert page.locator("section.floor svg").count() == 1
