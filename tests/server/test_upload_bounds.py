"""Every image upload goes through server.core.uploads and does bounded work: a decompression
bomb, an oversized file and a file that is not a picture are refused with a 4xx and a message in
the staff member's language, storing nothing; a camera photo is kept upright without its EXIF
(GPS position, camera maker). With real server processes, a bomb posted over HTTP leaves the
server's memory where it was."""
from __future__ import annotations

import io
import struct
import time
import zlib
from dataclasses import dataclass

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from live_server import ServerProcess, free_port, manage
from PIL import Image
from test_cases_support import csrf_token_of, make_staff, new_case

from server.cases.models import CaseAttachment
from server.content.models import Blob, Promotion
from server.content.services import read_blob
from server.core.uploads import MAX_IMAGE_PIXELS, ImageRefused, accept_image
from server.lostfound import intake as lostfound
from server.lostfound.models import ItemPhoto

ORIENTATION, MAKE, GPS_IFD, GPS_LATITUDE = 0x0112, 0x010F, 0x8825, 2
REFUSED = {  # the console's language is Simplified Chinese unless the staff member chose another
    "bomb": "图片尺寸过大", "oversized": "文件超过", "not_an_image": "无法将此文件识别为图片"}
MESSAGES = {
    "zh-hans": "图片尺寸过大：最多 40 百万像素",
    "en": "The picture is too large: at most 40 million pixels",
    "zh-hant": "圖片尺寸過大：最多 40 百萬像素",
}
RSS_GROWTH_BOUND = 150 * 1024 * 1024
"""How much a server process may grow while refusing bombs (decoding the 13000×13000 one took 600 MB)."""


def png_bomb(side: int) -> bytes:
    """A valid PNG of side×side black one-bit pixels: a few tens of KB that decode to side² bytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = bytes(1 + (side + 7) // 8)  # filter byte "none", then the row's bits
    packer = zlib.compressobj(9)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def camera_photo() -> bytes:
    """A 64×48 JPEG shot sideways (EXIF orientation 6), with the maker and a GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "PhoneMaker"
    exif.get_ifd(GPS_IFD)[GPS_LATITUDE] = (22.0, 17.0, 3.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def assert_clean_and_upright(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (48, 64), "turned upright by its EXIF orientation"
        assert not image.getexif(), "no EXIF (orientation, maker, GPS) kept"
    assert b"PhoneMaker" not in data and b"Exif" not in data


def test_the_photo_used_below_carries_gps_and_an_orientation():
    with Image.open(io.BytesIO(camera_photo())) as image:
        exif = image.getexif()
        assert exif[ORIENTATION] == 6 and exif.get_ifd(GPS_IFD)[GPS_LATITUDE]


# ---------------------------------------------------------------- the one rule
@pytest.mark.parametrize("side", [20_000, 13_000, 7_000])
def test_a_bomb_is_refused_from_its_header_without_decoding(side):
    """20000² is past Pillow's own limit, 13000² past its warning (made a refusal), 7000² past ours."""
    bomb = png_bomb(side)
    assert len(bomb) < 300_000 and side * side > MAX_IMAGE_PIXELS
    started = time.perf_counter()
    with pytest.raises(ImageRefused) as refused:
        accept_image(bomb)
    assert refused.value.code == "too_many_pixels"
    assert time.perf_counter() - started < 0.5, "refused from the header, not decoded"


@pytest.mark.parametrize("language", sorted(MESSAGES))
def test_the_refusal_is_in_the_staff_members_language(language):
    with translation.override(language), pytest.raises(ImageRefused) as refused:
        accept_image(png_bomb(20_000))
    assert refused.value.message.startswith(MESSAGES[language])


@pytest.mark.parametrize("data, code", [
    (b"", "empty"), (b"MZ\x90\x00 not an image", "not_an_image"), (png_bomb(100)[:33], "not_an_image"),
    (camera_photo()[:300], "not_an_image"),
    (b"GIF89a" + bytes(100), "not_an_image"), (bytes(9 * 1024 * 1024), "too_large"),
])
def test_what_is_not_a_small_readable_picture_is_refused(data, code):
    with pytest.raises(ImageRefused) as refused:
        accept_image(data)
    assert refused.value.code == code


def test_a_photo_is_re_encoded_upright_without_metadata():
    accepted = accept_image(camera_photo())
    assert (accepted.media_type, accepted.width, accepted.height) == ("image/jpeg", 48, 64)
    assert_clean_and_upright(accepted.data)


# ---------------------------------------------------------------- every upload form
@dataclass
class Form:
    """One upload form: how to post a file to it, its refusal status, and what it has stored."""

    post: object
    refusal_status: int
    stored: object


@pytest.fixture
def case_photo(kiosk, agent) -> Form:
    case = new_case(kiosk)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    page_url = f"/console/cases/{case.pk}/"

    def post(upload):
        page = browser.get(page_url)
        return browser.post(f"{page_url}photos", {"csrfmiddlewaretoken": csrf_token_of(page), "photo": upload})

    return Form(post, 400, lambda: [bytes(row.data) for row in CaseAttachment.objects.filter(case=case)])


@pytest.fixture
def lost_item_photo(mall, agent) -> Form:
    item = lostfound.register_found_item(mall, agent, category="wallet", description="黑色真皮钱包",
                                         found_at=timezone.now(), storage_place="A-1")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    page_url = f"/console/lost-property/items/{item.pk}/"

    def post(upload):
        page = browser.get(page_url)
        return browser.post(f"{page_url}photos", {"csrfmiddlewaretoken": csrf_token_of(page), "photo": upload})

    return Form(post, 409, lambda: [bytes(row.jpeg) for row in ItemPhoto.objects.filter(item=item)])


@pytest.fixture
def promotion_picture(imported_mall) -> Form:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("editor-zhao", "content_editor", imported_mall))
    fields = {"content_id": "p-upload", "title_zh_cn": "秋季特卖", "title_en": "Autumn sale", "title_zh_tw": "秋季特賣",
              "text_zh_cn": "全场八折", "text_en": "20% off", "text_zh_tw": "全場八折", "store": "",
              "starts_on": "2026-09-01", "ends_on": "2026-11-30", "weekdays": ["5", "6"], "hours_from": "10:00",
              "hours_to": "22:00", "priority": "5"}
    blobs_before = set(Blob.objects.values_list("pk", flat=True))

    def post(upload):
        page = browser.get("/console/promotions/new")
        return browser.post("/console/promotions/new",
                            {"csrfmiddlewaretoken": csrf_token_of(page), **fields, "image": upload})

    def stored():
        new_blobs = set(Blob.objects.values_list("pk", flat=True)) - blobs_before
        promotion = Promotion.objects.filter(mall=imported_mall, content_id="p-upload").first()
        assert (promotion is None) == (not new_blobs)
        return [read_blob(promotion.image_sha256)[0]] if promotion else []

    return Form(post, 400, stored)


@pytest.fixture
def admin_blob(admin_client) -> Form:
    blobs_before = set(Blob.objects.values_list("pk", flat=True))

    def stored():
        new_blobs = Blob.objects.exclude(pk__in=blobs_before)
        return [bytes(blob.data) for blob in new_blobs]

    return Form(lambda upload: admin_client.post(reverse("admin:content_blob_add"), {"upload": upload}), 400, stored)


FORMS = ["case_photo", "lost_item_photo", "promotion_picture", "admin_blob"]
MAX_BYTES = {"case_photo": 5 * 1024 * 1024, "lost_item_photo": 8 * 1024 * 1024,
             "promotion_picture": 8 * 1024 * 1024, "admin_blob": 20 * 1024 * 1024}


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", FORMS)
@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_every_upload_form_refuses_with_a_message_and_stores_nothing(request, form_name, kind):
    form: Form = request.getfixturevalue(form_name)
    data = {"bomb": png_bomb(20_000), "oversized": b"\xff\xd8\xff" + bytes(MAX_BYTES[form_name]),
            "not_an_image": b"MZ\x90\x00 not an image"}[kind]
    response = form.post(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
    assert response.status_code == form.refusal_status, response.content.decode()[:500]
    assert REFUSED[kind] in response.content.decode()
    assert form.stored() == []


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", FORMS)
def test_every_upload_form_keeps_a_photo_upright_without_its_exif(request, form_name):
    form: Form = request.getfixturevalue(form_name)
    response = form.post(SimpleUploadedFile("photo.jpg", camera_photo(), content_type="image/jpeg"))
    assert response.status_code == 302, response.content.decode()[:500]
    [stored] = form.stored()
    assert_clean_and_upright(stored)


# ---------------------------------------------------------------- real processes, real memory
STAFF_PASSWORD = "Upload-bounds-2026!"
SEED = f"""
from django.utils import timezone
from server.accounts.services import create_staff_user
from server.cases.intake import register_case
from server.lostfound.intake import register_found_item
from server.malls.models import Mall
mall = Mall.objects.create(id="plaza", name_zh_cn="星光广场", name_en="Starlight Plaza")
agent = create_staff_user("desk-wang", "agent", {STAFF_PASSWORD!r}, mall=mall, check_password=False)
case, _token = register_case(mall, agent, source="desk", kind="suggestion", description="多放些座椅")
item = register_found_item(mall, agent, category="wallet", description="黑色钱包", found_at=timezone.now(),
                           storage_place="A-1")
print(case.pk, item.pk)
"""


@pytest.fixture(scope="module")
def live_server_with_a_case_and_an_item(tmp_path_factory):
    psutil = pytest.importorskip("psutil")
    data_dir = tmp_path_factory.mktemp("uploads")
    server = ServerProcess(data_dir, free_port())
    server.env.pop("CONCIERGE_DATABASE_URL", None)
    server.env.pop("CONCIERGE_REDIS_URL", None)
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    seeded = manage(server.env, "shell", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    case_id, item_id = seeded.stdout.split()[-2:]
    server.start()
    try:
        yield server, psutil.Process(server.process.pid), case_id, item_id
    finally:
        server.stop()


def signed_in(server: ServerProcess) -> requests.Session:
    """Signed in through the console's sign-in form, as a browser does (CSRF cookie and token)."""
    session = requests.Session()
    session.get(server.url + "/accounts/login/", timeout=10)
    response = session.post(server.url + "/accounts/login/", allow_redirects=False, timeout=30, data={
        "username": "desk-wang", "password": STAFF_PASSWORD, "next": "/console/",
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:300]
    return session


def post_photo(session: requests.Session, server: ServerProcess, page: str, data: bytes) -> requests.Response:
    session.get(server.url + page, timeout=10)
    return session.post(server.url + page + "photos", timeout=60, headers={"Referer": server.url + page},
                        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
                        files={"photo": ("bomb.png", data, "image/png")})


@pytest.mark.e2e
def test_a_bomb_posted_to_a_real_server_leaves_its_memory_where_it_was(live_server_with_a_case_and_an_item):
    server, process, case_id, item_id = live_server_with_a_case_and_an_item
    session = signed_in(server)
    pages = {"case photo": f"/console/cases/{case_id}/", "lost-item photo": f"/console/lost-property/items/{item_id}/"}
    for page in pages.values():  # warm up: every module and template the refusals use is loaded
        assert post_photo(session, server, page, b"MZ not an image").status_code in (400, 409)
    idle = process.memory_info().rss
    bomb = png_bomb(13_000)
    for name, page in pages.items():
        for _ in range(3):
            response = post_photo(session, server, page, bomb)
            assert response.status_code in (400, 409), (name, response.status_code)
            assert REFUSED["bomb"] in response.text, name
    grown = process.memory_info().rss - idle
    print(f"server RSS idle {idle / 2**20:.0f} MB, grown by {grown / 2**20:.1f} MB after 6 bombs")
    assert grown < RSS_GROWTH_BOUND, f"the server grew by {grown / 2**20:.0f} MB"
