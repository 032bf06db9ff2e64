"""The pages a visitor opens on a phone (case tracking, route, store page and their not-found
pages) audited by axe-core in a real Chromium (Debian's) in each page language, and used at
200% zoom: a 390 px phone zoomed to 200% lays the page out in 195 CSS pixels.

axe-core comes from the npm registry, pinned in tests/web/axe/package.json; tests/run.sh runs
`npm ci` there on a clean clone.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from ulid import ULID

from server.accounts.services import create_staff_user
from server.cases import flows, intake
from server.fleet import services as fleet
from sync.protocol import CaseStatus, CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
LAYOUT_AT_ZOOM = (Path(__file__).resolve().parent / "axe" / "layout_at_zoom.js").read_text(encoding="utf-8")
LANGUAGES = ("zh-hans", "en", "zh-hant")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}
ZOOMED = {"viewport": {"width": 195, "height": 422}, "device_scale_factor": 6, "is_mobile": True,
          "has_touch": True}
"""The same 390 × 844 phone at 200% zoom: half the CSS pixels, twice the device pixels each."""
BLOCKING_IMPACTS = {"serious", "critical"}
SMALLEST_READABLE_PX = 12


@pytest.fixture
def phone_pages(demo_mall):
    """Every phone page a visitor can open, as (name, path, expected HTTP status)."""
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(demo_mall).code).kiosk
    agent = create_staff_user("agent-wu", "agent", "Guest-desk-2026!", mall=demo_mall, check_password=False)
    waiting, resolved = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    for token, suffix, statuses in (
        (waiting, "7KQ2", (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_VISITOR)),
        (resolved, "8MR3", (CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED)),
    ):
        case = intake.receive_upload(kiosk, CaseUpload(
            id=str(ULID()), reference=f"{kiosk.code}-{suffix}",
            tracking_token_sha256=sha256_hex(token.encode("ascii")), kind="complaint",
            category="service_attitude", description="三楼奶茶店的店员对老人很不耐烦，希望商场处理。",
            contact_phone="13812345678", contact_consent=True, created_at="2026-11-20T15:42:10+08:00",
        ))[0]
        for status in statuses:
            flows.transition(case, status, agent, note="您好，请告诉我们大概的时间，谢谢。")
    return [
        ("tracking-reply", f"/t/{waiting}", 200),
        ("tracking-rating", f"/t/{resolved}", 200),
        ("tracking-not-found", f"/t/{secrets.token_urlsafe(32)}", 404),
        ("route", "/r/galaxy-harbour/lobby-1f/gale-sports?profile=standard", 200),
        ("route-step-free", "/r/galaxy-harbour/lobby-1f/gale-sports?profile=step_free", 200),
        ("route-missing", "/r/galaxy-harbour/lobby-1f/no-such-store", 404),
        ("store", "/s/galaxy-harbour/cloud-coffee?from=lobby-1f", 200),
        ("store-missing", "/s/galaxy-harbour/no-such-store", 404),
    ]


def with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the loaded page, one readable line each."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
        for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS
    ]


def test_axe_finds_no_serious_violation_on_any_phone_page(chromium, live_server, phone_pages):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci --prefix tests/web/axe` (tests/run.sh does)")
    # axe is injected as a script of its own; bypass_csp lets it in past the pages' strict CSP.
    context = chromium.new_context(bypass_csp=True, **PHONE)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for name, path, status in phone_pages:
            response = page.goto(live_server.url + with_language(path, language), wait_until="load")
            assert response.status == status, (name, language)
            if violations := serious_violations(page):
                found[f"{name} [{language}]"] = violations
    context.close()
    assert found == {}, "\n".join(f"{page}: {lines}" for page, lines in found.items())


def test_every_phone_page_works_at_200_percent_zoom(chromium, live_server, phone_pages, screenshots):
    context = chromium.new_context(java_script_enabled=True, **ZOOMED)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for language in LANGUAGES:
        for name, path, status in phone_pages:
            response = page.goto(live_server.url + with_language(path, language), wait_until="load")
            assert response.status == status, (name, language)
            outcome = page.evaluate(LAYOUT_AT_ZOOM)
            if outcome["problems"]:
                found[f"{name} [{language}]"] = outcome["problems"][:6]
            assert outcome["smallest"] >= SMALLEST_READABLE_PX, (name, language, outcome["smallest"])
            page.screenshot(path=str(screenshots / f"zoom200-{name}-{language}.png"), full_page=True)
    context.close()
    assert found == {}, "\n".join(f"{page}: {lines}" for page, lines in found.items())
