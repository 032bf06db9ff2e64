"""A lost-child notice with a photo: attached in the console, stored as a blob, named by its hash
in the kiosks' broadcast list and served by the blob API; bad photos are form errors."""
from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from test_broadcasts import CONSOLE, kiosks, poll  # noqa: F401 - the fixture is used by name
from test_cases_support import csrf_token_of, make_staff, visible_text

from server.broadcasts.models import Broadcast
from sync.protocol import MAX_BROADCAST_PHOTO_BYTES, BroadcastState, sha256_hex

pytestmark = pytest.mark.django_db


def picture(image_format: str = "JPEG", size: tuple[int, int] = (120, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


@pytest.fixture
def desk(imported_mall) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("desk-li", "agent", imported_mall))
    return browser


def send_notice(desk: Client, mall, photo: SimpleUploadedFile):
    page = desk.get(CONSOLE)
    return desk.post(f"{CONSOLE}?lang=en", {
        "csrfmiddlewaretoken": csrf_token_of(page), "mall": mall.pk, "kind": "notice", "reason": "lost_child",
        "title_zh_cn": "寻找走失儿童", "title_en": "Lost child", "title_zh_tw": "尋找走失兒童",
        "text_en": "A boy of 5 in a red coat.", "duration_minutes": "60", "photo": photo,
    })


def test_a_lost_child_photo_reaches_the_kiosks_by_its_hash(desk, client, kiosks, imported_mall):  # noqa: F811
    data = picture()
    response = send_notice(desk, imported_mall, SimpleUploadedFile("boy.jpg", data, content_type="image/jpeg"))
    assert response.status_code == 302
    sent = Broadcast.objects.get()
    assert sent.photo_sha256 == sha256_hex(data)

    state = BroadcastState.model_validate_json(poll(client, kiosks["lobby-a"]).content)
    assert [b.photo_sha256 for b in state.broadcasts] == [sha256_hex(data)]
    blob = client.get(f"/api/v1/blobs/{sent.photo_sha256}")
    assert blob.status_code == 200 and blob.content == data and blob["Content-Type"] == "image/jpeg"

    detail = desk.get(response["Location"], {"lang": "en"})
    assert f'src="/api/v1/blobs/{sent.photo_sha256}"' in detail.content.decode()


def test_a_notice_without_a_photo_carries_none(desk, client, kiosks, imported_mall):  # noqa: F811
    page = desk.get(CONSOLE)
    response = desk.post(CONSOLE, {
        "csrfmiddlewaretoken": csrf_token_of(page), "mall": imported_mall.pk, "kind": "notice",
        "reason": "closing_time", "duration_minutes": "60",
    })
    assert response.status_code == 302
    state = BroadcastState.model_validate_json(poll(client, kiosks["lobby-a"]).content)
    assert [b.photo_sha256 for b in state.broadcasts] == [None]


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("notes.txt", b"not a picture at all", content_type="image/jpeg"), "Upload a valid image"),
    (SimpleUploadedFile("boy.gif", picture("GIF"), content_type="image/gif"), "must be a JPEG or PNG"),
    (SimpleUploadedFile("huge.png", b"", content_type="image/png"), "larger than 2 MB"),
])
def test_a_bad_photo_is_a_form_error_and_nothing_is_sent(desk, imported_mall, upload, message):
    if upload.name == "huge.png":
        noise = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
        buffer = io.BytesIO()
        noise.save(buffer, "PNG")
        assert buffer.tell() > MAX_BROADCAST_PHOTO_BYTES
        upload = SimpleUploadedFile("huge.png", buffer.getvalue(), content_type="image/png")
    response = send_notice(desk, imported_mall, upload)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert not Broadcast.objects.exists()
