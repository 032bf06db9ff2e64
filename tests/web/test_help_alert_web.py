"""The help alert in a real Chromium, on Django's test server (the WSGI form of the live stream;
uvicorn's async form: tests/e2e/test_help_request.py): a kiosk's help request shows as a banner
on an open console page without a reload, with the kiosk's place and "I'm on my way"; staff of
another mall see nothing."""
from __future__ import annotations

import pytest
from django.utils import timezone
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.desk import help as assistance
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import AssistanceRequest

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
NOT_RELOADED = "window.__stillTheSamePage === true"


@pytest.fixture
def scene(settings):
    settings.CONCIERGE_LIVE_STREAM_SECONDS = 8
    settings.CONCIERGE_LIVE_CHECK_SECONDS = 0.3
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza", name_zh_tw="星光廣場")
    far = Mall.objects.create(id="harbour", name_zh_cn="海港城")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    kiosk.name = "二楼扶梯旁"
    kiosk.save(update_fields=["name"])
    create_staff_user("agent-li", "agent", PASSWORD, mall=mall, check_password=False)
    create_staff_user("agent-far", "agent", PASSWORD, mall=far, check_password=False)
    return {"mall": mall, "kiosk": kiosk}


def test_a_help_request_shows_on_an_open_console_page_and_is_taken_from_it(chromium, live_server, scene,
                                                                           screenshots):
    page = signed_in_page(chromium, f"{live_server.url}/console/cases/", "agent-li", PASSWORD, "**/console/cases/")
    far_page = signed_in_page(chromium, f"{live_server.url}/console/cases/", "agent-far", PASSWORD,
                              "**/console/cases/")
    csp_errors: list[str] = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.wait_for_timeout(1000)  # the stream has told the page what it shows now
    page.evaluate("window.__stillTheSamePage = true")
    assert page.locator(".help-alert").count() == 0

    assistance.receive(scene["kiosk"], AssistanceRequest(id=str(ULID()), requested_at=timezone.now()))

    alert = page.locator(".help-alert")
    alert.get_by_text("有访客在 二楼扶梯旁 需要帮助").wait_for(timeout=15000)
    assert page.evaluate(NOT_RELOADED)
    assert alert.evaluate("a => getComputedStyle(a).position") == "sticky"  # its stylesheet loaded
    page.screenshot(path=str(screenshots / "help-alert-zh-hans.png"))

    with page.expect_navigation(url="**/console/cases/"):  # back to the page it was pressed on
        alert.get_by_role("button", name="我这就过去").click()
    page.locator(".help-alert").get_by_text("agent-li 正在前往").wait_for(timeout=15000)
    assert csp_errors == []

    far_page.wait_for_timeout(1500)
    assert far_page.locator(".help-alert").count() == 0, "another mall's desk is not alerted"
    page.context.close()  # the streams end with the pages, before the test's database goes
    far_page.context.close()
