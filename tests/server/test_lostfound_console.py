"""The lost-property console through Django's test client: pages, forms, access."""
from __future__ import annotations

import pytest
from django.utils import timezone
from lostfound_helpers import PASSWORD, file_kiosk_case, jpeg_bytes, signature_data_url

from server.accounts.services import create_staff_user
from server.fleet import services as fleet
from server.lostfound import claims, intake, suggestions
from server.lostfound.models import Claim, FoundItem, ItemStatus, LostReport
from server.malls.models import Mall

pytestmark = pytest.mark.django_db


@pytest.fixture
def mall():
    return Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")


@pytest.fixture
def agent(mall):
    return create_staff_user("desk-wang", "agent", PASSWORD, mall=mall, check_password=False)


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def item(mall, agent):
    return intake.register_found_item(
        mall, agent, category="phone", description="黑色华为手机，透明手机壳", found_at=timezone.now(),
        colour="black", brand="华为", storage_place="Safe A", hidden_details="壁纸是一只柴犬")


def test_the_register_lists_items_and_the_menu_has_an_entry(desk, item):
    page = desk.get("/console/lost-property/?lang=en")
    assert page.status_code == 200
    html = page.content.decode()
    assert item.number in html and "Safe A" in html
    assert 'href="/console/lost-property/"' in html, "the console menu links to the office"


def test_registering_a_found_item_through_the_form(desk):
    response = desk.post("/console/lost-property/items/new", {
        "category": "umbrella", "colour": "blue", "brand": "", "description": "蓝色折叠伞，有伞套",
        "found_at": "2026-11-20T14:30", "level_id": "", "store_id": "", "place": "2F 电梯口",
        "storage_place": "Shelf 3", "hidden_details": ""})
    assert response.status_code == 302
    stored = FoundItem.objects.get()
    assert (stored.category, stored.storage_place, stored.place, stored.status) == (
        "umbrella", "Shelf 3", "2F 电梯口", ItemStatus.STORED)


def test_bad_form_input_gets_a_message_not_a_500(desk):
    response = desk.post("/console/lost-property/items/new", {"category": "spaceship", "description": ""})
    assert response.status_code == 400
    assert FoundItem.objects.count() == 0


def test_the_label_has_a_qr_code_and_no_description(desk, item):
    html = desk.get(f"/console/lost-property/items/{item.pk}/label?lang=en").content.decode()
    assert "<svg" in html and item.number in html
    assert "透明手机壳" not in html and "柴犬" not in html
    assert desk.get(f"/console/lost-property/l/{item.label_token}").url == f"/console/lost-property/items/{item.pk}/"


def test_photo_upload_and_view(desk, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = desk.post(f"/console/lost-property/items/{item.pk}/photos",
                         {"photo": SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")})
    assert response.status_code == 302
    photo = item.photos.get()
    image = desk.get(f"/console/lost-property/items/{item.pk}/photos/{photo.pk}")
    assert image["Content-Type"] == "image/jpeg" and image.content.startswith(b"\xff\xd8")


def test_claim_from_suggestion_to_signed_hand_over(desk, mall, agent, item):
    kiosk = fleet.enroll_kiosk(fleet.create_enrollment_code(mall).code).kiosk
    case, _ = file_kiosk_case(kiosk, "lost_report", "Black Huawei phone, clear case", category="phone",
                              colour="black", brand="Huawei", language="en")
    report = LostReport.objects.get(case=case)
    suggestions.rematch_report(report)
    suggestion = report.suggestions.get(item=item)

    page = desk.get(f"/console/lost-property/reports/{report.pk}/?lang=en").content.decode()
    assert item.number in page
    desk.post(f"/console/lost-property/reports/{report.pk}/suggestions/{suggestion.pk}", {"decision": "confirm"})
    claim_page = desk.get(f"/console/lost-property/items/{item.pk}/claim?report={report.pk}&lang=en")
    assert claim_page.status_code == 200 and "壁纸是一只柴犬" in claim_page.content.decode()

    response = desk.post(f"/console/lost-property/items/{item.pk}/claim", {
        "report": report.pk, "claimant_name": "Tom Lee", "questions": "What is the wallpaper?",
        "answers": "A shiba dog", "answers_match": "on", "id_kind": "passport", "id_last_digits": "4821"})
    claim = Claim.objects.get()
    assert response.url == f"/console/lost-property/claims/{claim.pk}/handover"

    handover = desk.get(response.url + "?lang=en").content.decode()
    for secret in ("透明手机壳", "柴犬", "华为", "Safe A"):
        assert secret not in handover, "the page the claimant signs never describes the item"
    assert "<canvas" in handover

    done = desk.post(response.url, {"signature": signature_data_url()})
    assert done.status_code == 302
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and case.status == "closed"
    assert desk.get(f"/console/lost-property/claims/{claim.pk}/signature")["Content-Type"] == "image/png"


def test_a_content_editor_and_another_mall_cannot_see_lost_property(client, item):
    other = Mall.objects.create(id="other", name_zh_cn="别处")
    editor = create_staff_user("editor", "content_editor", PASSWORD, mall=item.mall, check_password=False)
    client.force_login(editor)
    assert client.get("/console/lost-property/").status_code == 403
    stranger = create_staff_user("stranger", "agent", PASSWORD, mall=other, check_password=False)
    client.force_login(stranger)
    assert client.get(f"/console/lost-property/items/{item.pk}/").status_code == 404
    assert item.number not in client.get("/console/lost-property/").content.decode()


def test_retention_and_figures_pages(desk, mall, item, agent):
    FoundItem.objects.filter(pk=item.pk).update(status=ItemStatus.DUE)
    assert item.number in desk.get("/console/lost-property/retention/?lang=en").content.decode()
    desk.force_login(create_staff_user("boss-zhao", "manager", PASSWORD, mall=mall, check_password=False))
    response = desk.post(f"/console/lost-property/items/{item.pk}/dispose",
                         {"action": "police", "recipient": "派出所", "note": ""})
    assert response.status_code == 302
    log = desk.get("/console/lost-property/retention/?lang=en").content.decode()
    assert "派出所" in log
    figures = desk.get("/console/lost-property/figures/?lang=en&month=bad").content.decode()
    assert 'id="items-in">1<' in figures


def test_identity_documents_and_bank_cards_are_listed_for_prompt_hand_over(desk, mall, agent, item):
    card = intake.register_found_item(mall, agent, category="card", description="工商银行借记卡",
                                        found_at=timezone.now(), storage_place="Safe A")
    passport = intake.register_found_item(mall, agent, category="documents", description="护照",
                                            found_at=timezone.now(), storage_place="Safe A")
    page = desk.get("/console/lost-property/retention/?lang=en").content.decode()
    prompt = page[page.index('id="prompt-heading"'):page.index('id="log-heading"')]
    assert card.number in prompt and passport.number in prompt
    assert item.number not in prompt, "a phone waits for its retention time"


def test_console_labels_do_not_borrow_other_apps_words(desk, item):
    """"Phone" the item category is 手机, not the 电话 of a case's contact channel."""
    page = desk.get(f"/console/lost-property/items/{item.pk}/?lang=zh-hans").content.decode()
    assert "手机" in page and "电话" not in page
    retention = desk.get("/console/lost-property/retention/?lang=zh-hans").content.decode()
    assert "处置方式" in retention


def test_staff_search_the_register_with_their_own_filters_and_add_an_item(desk, mall, agent, item):
    """The visitor chose "other" for what the desk registered as a phone: no automatic
    suggestion, but staff find it by category, days and floor, add it, and it stays."""
    report = intake.create_lost_report(mall, category="other", description="Black Huawei phone, clear case",
                                         colour="black", brand="Huawei")
    suggestions.rematch_report(report)
    assert not report.suggestions.exists()
    other_floor = intake.register_found_item(mall, agent, category="phone", description="黑色华为手机",
                                               found_at=timezone.now(), level_id="L3")
    FoundItem.objects.filter(pk=item.pk).update(level_id="L1")

    today = timezone.localdate().isoformat()
    page = desk.get(f"/console/lost-property/reports/{report.pk}/?lang=en&search=1&category=phone"
                    f"&from={today}&to={today}&floor=L1").content.decode()
    results = page[page.index('id="register-search"'):]
    assert f'data-item="{item.number}"' in results and other_floor.number not in results
    assert "Add to the suggestions" in results

    response = desk.post(f"/console/lost-property/reports/{report.pk}/suggest", {"item": item.pk})
    assert response.status_code == 302
    suggestion = report.suggestions.get(item=item)
    suggestions.rematch_report(report)
    assert report.suggestions.filter(pk=suggestion.pk).exists(), "a re-run keeps what staff added"
    suggestions.confirm_match(suggestion, agent)
    claim = claims.start_claim(item, agent, claimant_name="Tom Lee", questions="Wallpaper?", answers="A dog",
                                 answers_match=True, id_kind="passport", id_last_digits="4821", report=report)
    assert claim.report == report, "a claim may join a report filed under another category"

    assert desk.post(f"/console/lost-property/reports/{report.pk}/suggest", {"item": "x"}).status_code == 400
