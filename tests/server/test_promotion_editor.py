"""The promotion editor in the console: upload, preview, publish as a content version; proof of play."""
from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from server_helpers import post_json
from test_cases_support import csrf_token_of, make_staff, visible_text
from ulid import ULID

from server.content.models import Blob, Category, ContentVersion, Promotion
from server.content.services import read_blob
from server.fleet import services as fleet
from sync.protocol import MallContent, sha256_hex

pytestmark = pytest.mark.django_db
LIST = "/console/promotions/"


def jpeg(colour=(200, 80, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 90), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def editor(imported_mall) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("editor-zhao", "content_editor", imported_mall))
    return browser


def promotion_fields(**overrides) -> dict:
    return {
        "content_id": "p-autumn", "title_zh_cn": "秋季特卖", "title_en": "Autumn sale", "title_zh_tw": "秋季特賣",
        "text_zh_cn": "全场八折", "text_en": "20% off", "text_zh_tw": "全場八折", "store": "",
        "starts_on": "2026-09-01", "ends_on": "2026-11-30", "weekdays": ["5", "6"], "hours_from": "10:00",
        "hours_to": "22:00", "priority": "5", "target_level_ids": ["L2"], **overrides,
    }


def submit(browser: Client, url: str, data: dict, picture: bytes | None, name: str = "poster.jpg"):
    page = browser.get(url)
    files = {"image": SimpleUploadedFile(name, picture, content_type="image/jpeg")} if picture is not None else {}
    return browser.post(url, {"csrfmiddlewaretoken": csrf_token_of(page), **data, **files})


def test_an_editor_uploads_previews_and_publishes_a_promotion(editor, imported_mall, published):
    picture = jpeg()
    response = submit(editor, LIST + "new", promotion_fields(), picture)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Promotion.objects.get(mall=imported_mall, content_id="p-autumn")
    stored, media_type = read_blob(saved.image_sha256)  # re-encoded, without metadata, as a content-addressed blob
    assert saved.image_sha256 == sha256_hex(stored) and media_type == "image/jpeg"
    assert Image.open(io.BytesIO(stored)).size == (160, 90)

    preview = editor.get(response["Location"])
    assert 'id="preview"' in preview.content.decode()
    assert f"/api/v1/blobs/{saved.image_sha256}" in preview.content.decode()
    assert "Autumn sale" in visible_text(preview)

    listing = editor.get(LIST)
    before = ContentVersion.objects.filter(mall=imported_mall).count()
    done = editor.post(LIST + "publish", {"csrfmiddlewaretoken": csrf_token_of(listing)})
    assert done.status_code == 200
    version = ContentVersion.objects.filter(mall=imported_mall).order_by("-version").first()
    assert ContentVersion.objects.filter(mall=imported_mall).count() == before + 1
    document = MallContent.model_validate_json(read_blob(version.document_sha256)[0])
    autumn = next(p for p in document.promotions if p.id == "p-autumn")
    assert (autumn.weekdays, autumn.priority, autumn.target.level_ids) == ([5, 6], 5, ["L2"])
    assert autumn.image_sha256 in {blob["sha256"] for blob in version.manifest["blobs"]}


def test_a_file_that_is_not_a_picture_is_refused_with_a_message(editor, imported_mall):
    response = submit(editor, LIST + "new", promotion_fields(), b"<html>not a picture</html>", name="x.jpg")
    assert response.status_code == 400
    assert not Promotion.objects.filter(content_id="p-autumn").exists()
    assert not Blob.objects.filter(media_type="text/html").exists()


def test_an_inverted_date_range_is_refused(editor):
    response = submit(editor, LIST + "new", promotion_fields(starts_on="2026-12-01", ends_on="2026-11-01"), jpeg())
    assert response.status_code == 400
    assert not Promotion.objects.filter(content_id="p-autumn").exists()


def test_desk_agents_cannot_edit_promotions(imported_mall):
    browser = Client()
    browser.force_login(make_staff("agent-sun", "agent", imported_mall))
    assert browser.get(LIST).status_code == 403


def upload(client, device_key: str, events: list[dict], batch_id: str | None = None) -> int:
    batch = {"batch_id": batch_id or str(ULID()), "events": events}
    response = post_json(client, "/api/v1/kiosk/events", json.dumps(batch), Authorization=f"Bearer {device_key}")
    return response.status_code


def row_counts(page: str, table: str, key: str) -> dict[str, tuple[int, int]]:
    """{data-<key> value: (impressions, touches)} of one table of the proof-of-play page."""
    section = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return {found[0]: (int(found[1]), int(found[2])) for found in re.findall(
        rf'<tr data-{key}="([^"]+)"[^>]*>.*?<td class="impressions">(\d+)</td><td class="touches">(\d+)</td>',
        section, re.S)}


def test_proof_of_play_counts_per_promotion_kiosk_and_day_without_double_counting(editor, client, imported_mall):
    first = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall).code)
    second = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall).code)
    batch_id = str(ULID())
    events = [
        {"kind": "promotion_shown", "at": "2026-10-03T03:00:00Z", "subject_id": "p-tea"},
        {"kind": "promotion_shown", "at": "2026-10-03T03:00:08Z", "subject_id": "p-tea"},
        {"kind": "promotion_touched", "at": "2026-10-03T03:00:09Z", "subject_id": "p-tea"},
        {"kind": "screen_view", "at": "2026-10-03T03:00:09Z", "subject_id": "store"},
        # 01:30 on 4 October in the mall (Asia/Shanghai), still the 3rd in UTC: the mall's day counts.
        {"kind": "promotion_shown", "at": "2026-10-03T17:30:00Z", "subject_id": "p-tea"},
    ]
    for _ in range(2):  # a retried upload of the same batch
        assert upload(client, first.device_key, events, batch_id) in (200, 201)
    assert upload(client, second.device_key, [
        {"kind": "promotion_shown", "at": "2026-10-04T02:00:00Z", "subject_id": "p-cake"},
        {"kind": "promotion_shown", "at": "2026-09-20T02:00:00Z", "subject_id": "p-cake"},  # before the range
    ]) == 201

    page = editor.get(LIST + "proof-of-play", {"from": "2026-10-01", "to": "2026-10-31"}).content.decode()
    assert row_counts(page, "per-promotion", "promotion") == {"p-tea": (3, 1), "p-cake": (1, 0)}
    assert row_counts(page, "per-kiosk", "kiosk") == {first.kiosk.code: (3, 1), second.kiosk.code: (1, 0)}
    assert row_counts(page, "per-day", "day") == {"2026-10-03": (2, 1), "2026-10-04": (2, 0)}

    one = editor.get(LIST + "proof-of-play", {"from": "2026-10-01", "to": "2026-10-31", "promotion": "p-tea"})
    detail = one.content.decode().split('id="proof-of-play"', 1)[1]
    assert re.findall(r'data-kiosk="(\w+)"><td>.*?</td><td class="ref">\w+</td><td>([\d-]+)</td>'
                      r'<td class="impressions">(\d+)</td><td class="touches">(\d+)</td>', detail, re.S) == [
        (first.kiosk.code, "2026-10-03", "2", "1"), (first.kiosk.code, "2026-10-04", "1", "0")]

    default = editor.get(LIST + "proof-of-play").content.decode()  # the last 30 days: none of these
    assert row_counts(default, "per-promotion", "promotion") == {}


def test_dates_show_in_the_date_fields_in_every_language_and_new_promotions_run_every_day(
    editor, imported_mall, published
):
    assert submit(editor, LIST + "new", promotion_fields(), jpeg()).status_code == 302
    for language in ("zh-hans", "en", "zh-hant"):
        page = editor.get(LIST + "p-autumn/", {"lang": language}).content.decode()
        assert 'name="starts_on" value="2026-09-01"' in page, language  # what <input type="date"> reads
        assert 'name="ends_on" value="2026-11-30"' in page, language
    blank = editor.get(LIST + "new").content.decode()
    assert len(re.findall(r'name="weekdays" value="\d" [^>]*checked', blank)) == 7


def test_the_preview_says_where_and_when_it_plays_and_whether_the_kiosks_have_it(editor, imported_mall, published):
    food = Category.objects.get(mall=imported_mall, content_id="food").pk
    assert submit(editor, LIST + "new", promotion_fields(category=food), jpeg()).status_code == 302
    preview = editor.get(LIST + "p-autumn/", {"lang": "en"})
    text = visible_text(preview)
    assert "Not published yet" in text
    schedule = preview.content.decode().split('id="schedule"', 1)[1].split("</dl>", 1)[0]
    assert "2026-09-01 – 2026-11-30" in schedule and "10:00–22:00" in schedule
    assert "Sat Sun" in schedule and "2F" in schedule and "every kiosk" not in schedule
    assert Promotion.objects.get(content_id="p-autumn").category.content_id == "food"

    listing = editor.get(LIST)
    assert editor.post(LIST + "publish", {"csrfmiddlewaretoken": csrf_token_of(listing)}).status_code == 200
    assert "On the kiosks" in visible_text(editor.get(LIST + "p-autumn/", {"lang": "en"}))
    page = editor.get(LIST + "p-autumn/")
    changed = submit(editor, LIST + "p-autumn/", {**promotion_fields(category=food), "priority": "7"}, None)
    assert changed.status_code == 302
    assert "Not published yet" in visible_text(editor.get(LIST + "p-autumn/", {"lang": "en"})), page


def test_a_showing_cannot_start_at_24_00(editor):
    response = submit(editor, LIST + "new", promotion_fields(hours_from="24:00", hours_to="02:00"), jpeg())
    assert response.status_code == 400
    assert not Promotion.objects.filter(content_id="p-autumn").exists()


@pytest.mark.parametrize("language, words", [
    ("zh-hans", ["新建活动", "发布到终端", "播放证明", "优先级"]),
    ("zh-hant", ["新增活動", "發布到終端", "播放證明", "優先級"]),
])
def test_the_promotion_pages_speak_both_chinese_scripts(editor, language, words):
    text = visible_text(editor.get(LIST, {"lang": language}))
    for word in words:
        assert word in text
    assert "Publish to the kiosks" not in text
