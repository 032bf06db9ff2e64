"""The Content-Security-Policy in a real Chromium (Debian's): the console, the sign-in page and the
phone pages (tracking, route, store) come with the policy, the browser reports no violation of it
(every script and style is ours: static files, or <style> blocks with the response's nonce), and
what needs JavaScript still works: the emergency confirmation, the print buttons."""
from __future__ import annotations

import secrets

import pytest
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.broadcasts.models import Broadcast
from server.cases import intake
from server.fleet import services as fleet
from sync.protocol import CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
MALL = "galaxy-harbour"
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  `${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`));
window.print = () => { window.printed = (window.printed || 0) + 1; };
"""
"""Every violation the browser sees goes to the test; window.print only counts (no dialog)."""


def watch(context) -> list[str]:
    violations: list[str] = []
    context.expose_function("reportCspViolation", lambda violation: violations.append(violation))
    context.add_init_script(WATCH_VIOLATIONS)
    return violations


def open_page(page, url: str, violations: list[str]):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    page.wait_for_load_state("load")
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", f"{url}: its own styles apply"
    assert violations == [], f"{url}: {violations}"
    return response


@pytest.fixture
def manager(demo_mall):
    return create_staff_user("sec-manager", "manager", PASSWORD, mall=demo_mall, check_password=False)


def test_the_phone_pages_keep_to_the_policy(chromium, live_server, demo_mall):
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code, hostname="kiosk-sec").kiosk
    token = secrets.token_urlsafe(32)
    intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-7KQ2", tracking_token_sha256=sha256_hex(token.encode("ascii")),
        kind="complaint", category="environment_facilities", description="二楼洗手间没有纸巾",
        contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00",
    ))
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True)
    violations = watch(context)
    page = context.new_page()
    for path in (f"/t/{token}", f"/r/{MALL}/lobby-1f/cloud-coffee?lang=en",
                 f"/s/{MALL}/cloud-coffee?lang=en&from=lobby-1f", "/accounts/login/"):
        open_page(page, f"{live_server.url}{path}", violations)

    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    for _ in range(50):  # the event and its report to the test arrive a moment later
        if violations:
            break
        page.wait_for_timeout(100)
    assert any("style-src" in violation for violation in violations), "the watch sees a violation when one happens"
    context.close()


def test_the_console_keeps_to_the_policy_and_its_scripts_work(chromium, live_server, manager):
    page = signed_in_page(chromium, f"{live_server.url}/console/broadcasts/", "sec-manager", PASSWORD,
                          "**/console/broadcasts/")
    violations = watch(page.context)

    open_page(page, f"{live_server.url}/console/broadcasts/", violations)
    assert page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor") == "rgb(29, 33, 41)"
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="立即发送").click()
    page.wait_for_timeout(300)
    assert len(asked) == 1, "the emergency asks first (broadcasts/confirm_emergency.js)"
    assert not Broadcast.objects.exists(), "dismissed: nothing went out"

    open_page(page, f"{live_server.url}/console/reports/", violations)
    page.locator("[data-print]").first.click()
    assert page.evaluate("window.printed") == 1, "the print link prints (console/print.js)"

    for path in ("/console/cases/", "/console/promotions/", "/console/lost-property/",
                 f"/console/wayfinding/?mall={MALL}", "/admin/", "/admin/auth/user/"):
        open_page(page, f"{live_server.url}{path}", violations)
    page.context.close()
