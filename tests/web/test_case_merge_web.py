"""Merge in a real Chromium: the desk merges a duplicate from the case page, and the visitor who
scans the duplicate's QR code lands on the surviving case, whose timeline shows both."""
from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import attachments, flows, intake
from server.cases.models import Case
from server.fleet import services as fleet
from server.malls.models import Mall
from sync.protocol import CaseStatus, CaseUpload, sha256_hex
from venue.paths import tracking_url

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Guest-desk-2026!"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _kiosk_case(kiosk, suffix: str, **fields) -> tuple[Case, str]:
    token = secrets.token_urlsafe(32)
    case = intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-{suffix}", tracking_token_sha256=sha256_hex(token.encode("ascii")),
        kind="complaint", category="environment_facilities", created_at="2026-11-20T15:42:10+08:00", **fields,
    ))[0]
    return case, token


@pytest.fixture
def scene():
    """Two visitors report the same leak: the first (accepted, no phone), then a second one in
    English with a phone, and a photo the desk took."""
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza",
                               name_zh_tw="星光廣場")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    agent = create_staff_user("agent-li", "agent", PASSWORD, mall=mall, check_password=False)
    survivor, survivor_token = _kiosk_case(kiosk, "3QX9", description="三楼北侧洗手间漏水，地面湿滑。",
                                           language="zh_CN")
    flows.transition(survivor, CaseStatus.ACCEPTED, agent, note="已通知工程部，正在维修。")
    duplicate, duplicate_token = _kiosk_case(
        kiosk, "7KM2", description="Water all over the floor of the 3F toilets, I nearly slipped.",
        language="en", contact_phone="13912345678", contact_consent=True)
    attachments.attach_photo(duplicate, agent, "floor.png", _png())
    return {"survivor": survivor, "duplicate": duplicate, "duplicate_token": duplicate_token,
            "survivor_token": survivor_token}


def test_the_duplicates_qr_page_leads_to_the_surviving_case(chromium, live_server, scene, screenshots):
    survivor, duplicate = scene["survivor"], scene["duplicate"]
    url = f"{live_server.url}/console/cases/{duplicate.pk}/"
    desk = signed_in_page(chromium, url, "agent-li", PASSWORD, url)

    desk.get_by_text("合并到另一个工单").click()  # the merge form is folded away: a deliberate act
    desk.fill("#merge_reference", survivor.reference)
    desk.fill("#merge_note", "Thank you: this is the same leak another visitor reported.")
    desk.get_by_role("button", name="合并", exact=True).click()

    desk.wait_for_url(f"{live_server.url}/console/cases/{survivor.pk}/")
    timeline = desk.locator("ol.timeline")
    expect(timeline.get_by_text(f"工单 {duplicate.reference} 已合并到本工单。")).to_be_visible()
    assert timeline.get_by_text(f"来自 {duplicate.reference}").count() >= 3  # created, photo, status
    expect(desk.get_by_role("link", name=duplicate.reference).first).to_be_visible()
    expect(desk.get_by_text("Water all over the floor").first).to_be_visible()  # the merged case listed
    assert desk.locator("ul.photos img").count() == 1  # the photo came over
    desk.screenshot(path=str(screenshots / "merge-console-survivor-zh-hans.png"), full_page=True)
    desk.get_by_role("link", name=duplicate.reference).first.click()
    desk.wait_for_url(f"{live_server.url}/console/cases/{duplicate.pk}/")
    expect(desk.get_by_text("此工单已合并到")).to_be_visible()
    expect(desk.get_by_role("link", name=survivor.reference)).to_be_visible()
    desk.screenshot(path=str(screenshots / "merge-console-duplicate-zh-hans.png"), full_page=True)

    # The visitor who filed the duplicate scans its QR code (the URL the kiosk printed).
    phone = chromium.new_context(java_script_enabled=False, locale="en-US", **PHONE).new_page()
    response = phone.goto(tracking_url(live_server.url, scene["duplicate_token"]))

    assert response.status == 200
    notice = phone.locator("#merged-notice")
    expect(notice).to_be_visible()
    assert f"Your case {duplicate.reference} was merged with case {survivor.reference}" in notice.inner_text()
    assert phone.locator(".ref").first.inner_text() == survivor.reference
    expect(phone.get_by_text("Water all over the floor")).to_be_visible()  # what this visitor told us
    assert phone.get_by_text("三楼北侧洗手间漏水").count() == 0  # not the other visitor's words
    updates = phone.locator("ol.timeline")
    expect(updates.get_by_text("已通知工程部，正在维修。")).to_be_visible()  # the surviving case's update
    expect(updates.get_by_text(f"Case {duplicate.reference} was merged into this case.")).to_be_visible()
    expect(updates.get_by_text("Thank you: this is the same leak another visitor reported.")).to_be_visible()
    assert updates.locator(".from", has_text=f"Case {duplicate.reference}").count() >= 2  # labelled
    assert phone.get_by_text("13912345678").count() == 0
    phone.screenshot(path=str(screenshots / "merge-tracking-duplicate-en.png"), full_page=True)

    # The first visitor's own page shows the same case, with the merge in its updates.
    first = chromium.new_context(java_script_enabled=False, locale="zh-CN", **PHONE).new_page()
    first.goto(tracking_url(live_server.url, scene["survivor_token"]))
    assert first.locator("#merged-notice").count() == 0
    expect(first.get_by_text(f"工单 {duplicate.reference} 已合并到本工单。")).to_be_visible()
    first.screenshot(path=str(screenshots / "merge-tracking-survivor-zh-hans.png"), full_page=True)
