"""A claim in a real Chromium: from the staff-only match suggestion to a hand-over signed on a
<canvas>, and what the visitor's phone shows on the way (never the found item's description)."""
from __future__ import annotations

import secrets

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from ulid import ULID
from web_helpers import signed_in_page

from server.accounts.services import create_staff_user
from server.cases import intake as case_intake
from server.fleet import services as fleet
from server.lostfound import intake, suggestions
from server.lostfound.models import Claim, FoundItem, ItemStatus, LostReport
from server.malls.models import Mall
from sync.protocol import CaseUpload, sha256_hex

pytestmark = [pytest.mark.web, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lost-and-found-2026!"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
ITEM_SECRETS = ("黑色华为手机", "透明手机壳", "壁纸是一只柴犬", "Safe A")


@pytest.fixture
def office():
    """A mall with a desk agent, a phone in storage, and a visitor's lost report from a kiosk."""
    mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    create_staff_user("desk-wang", "agent", PASSWORD, mall=mall, check_password=False)
    item = intake.register_found_item(
        mall, None, category="phone", description="黑色华为手机，透明手机壳", found_at=timezone.now(),
        colour="black", brand="华为", storage_place="Safe A", hidden_details="壁纸是一只柴犬")
    token = secrets.token_urlsafe(32)
    case, _ = case_intake.receive_upload(kiosk, CaseUpload(
        id=str(ULID()), reference=f"{kiosk.code}-7KQ2", tracking_token_sha256=sha256_hex(token.encode("ascii")),
        kind="lost_report", description="Lost my black Huawei phone with a clear case", language="en",
        created_at=timezone.now(), details={"item_category": "phone", "item_colour": "black",
                                            "item_brand": "Huawei"}))
    report = LostReport.objects.get(case=case)
    suggestions.rematch_report(report)
    return {"item": item, "report": report, "case": case, "token": token}


def phone_page(chromium, live_server, token: str):
    page = chromium.new_context(java_script_enabled=False, locale="en-GB", **PHONE).new_page()
    page.goto(f"{live_server.url}/t/{token}")
    return page


def test_a_claim_from_suggestion_to_signed_hand_over(chromium, live_server, office, screenshots):
    item, report = office["item"], office["report"]
    desk = signed_in_page(chromium, f"{live_server.url}/console/lost-property/reports/?lang=en", "desk-wang",
                          PASSWORD, "**/console/lost-property/reports/**", locale="en-GB")

    desk.get_by_role("link", name=report.reference).click()
    row = desk.locator(f'tr.suggestion[data-item="{item.number}"]')
    assert row.is_visible() and "透明手机壳" in row.inner_text(), "staff see the suggestion with its features"
    desk.screenshot(path=str(screenshots / "lostfound-report-suggestions.png"), full_page=True)

    before = phone_page(chromium, live_server, office["token"])
    assert before.locator("#match-waiting").count() == 0

    row.get_by_role("button", name="Confirm the match").click()
    assert desk.locator(f'tr.suggestion[data-item="{item.number}"] .badge').inner_text() == "Confirmed"

    visitor = phone_page(chromium, live_server, office["token"])
    assert visitor.locator("#match-waiting").inner_text() == (
        "A possible match is waiting at the service desk. Please bring identification.")
    for secret in ITEM_SECRETS + (item.number,):
        assert secret not in visitor.content(), "the visitor's page never describes the found item"
    visitor.screenshot(path=str(screenshots / "lostfound-tracking-match-waiting.png"), full_page=True)

    desk.get_by_role("link", name="Owner at the desk: start the claim").click()
    desk.fill('textarea[name="questions"]', "What is the wallpaper?")
    desk.fill('textarea[name="answers"]', "My shiba dog")
    desk.check('input[name="answers_match"]')
    desk.fill('input[name="claimant_name"]', "Tom Lee")
    desk.select_option('select[name="id_kind"]', "passport")
    desk.fill('input[name="id_last_digits"]', "4821")
    desk.get_by_role("button", name="Checks done: go to the hand-over").click()
    desk.wait_for_url("**/handover")

    handover_html = desk.content()
    for secret in ITEM_SECRETS:
        assert secret not in handover_html, "the page the claimant signs never describes the item"
    desk.get_by_role("button", name="Hand over the item").click()
    assert "Please sign in the box" in desk.locator(".error").inner_text(), "no signature, no hand-over"

    box = desk.locator("#signature-pad").bounding_box()
    desk.mouse.move(box["x"] + 40, box["y"] + 150)
    desk.mouse.down()
    for step in range(1, 25):
        desk.mouse.move(box["x"] + 40 + step * 18, box["y"] + 150 - (step % 6) * 18)
    desk.mouse.up()
    desk.screenshot(path=str(screenshots / "lostfound-handover-signed.png"), full_page=True)
    desk.get_by_role("button", name="Hand over the item").click()

    desk.locator("#handed-over").wait_for()
    # The stored signature is an image the page loads after it arrives: wait for it, then check it drew.
    desk.wait_for_function("() => { const img = document.querySelector('#handed-over img');"
                           " return img && img.complete && img.naturalWidth > 0; }")
    desk.screenshot(path=str(screenshots / "lostfound-handed-over.png"), full_page=True)

    claim = Claim.objects.get()
    assert bytes(claim.signature_png).startswith(b"\x89PNG") and claim.id_last_digits == "4821"
    assert FoundItem.objects.get(pk=item.pk).status == ItemStatus.RETURNED
    office["case"].refresh_from_db()
    assert office["case"].status == "closed"
    after = phone_page(chromium, live_server, office["token"])
    expect(after.get_by_text("Your item was returned to you at the service desk. Thank you.")).to_be_visible()
    assert after.locator("#match-waiting").count() == 0


def test_the_printed_label_qr_code_opens_the_item(chromium, live_server, office, screenshots):
    import zxingcpp
    from PIL import Image

    item = office["item"]
    page = signed_in_page(chromium, f"{live_server.url}/console/lost-property/items/{item.pk}/label", "desk-wang",
                          PASSWORD, "**/label", viewport={"width": 900, "height": 700})
    path = screenshots / "lostfound-label.png"
    page.locator(".label").screenshot(path=str(path))
    decoded = [result.text for result in zxingcpp.read_barcodes(Image.open(path))]
    assert decoded == [f"{live_server.url}/console/lost-property/l/{item.label_token}"]
    page.goto(decoded[0])
    assert page.url.endswith(f"/console/lost-property/items/{item.pk}/")
    expect(page.get_by_text(item.number).first).to_be_visible()
