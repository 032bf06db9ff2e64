"""The admin: every page of the platform's models renders; uploads, publishing and codes work."""
from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.urls import reverse
from server_helpers import png_bytes

from server.accounts.roles import Role
from server.accounts.services import create_staff_user
from server.content.models import Blob, ContentVersion
from server.fleet import services as fleet
from server.fleet.models import EnrollmentCode, Kiosk
from server.malls.models import Mall
from sync.protocol import sha256_hex

PLATFORM_APPS = {"accounts", "content", "fleet"}
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def admin_client(client, imported_mall):
    create_staff_user("boss", Role.ADMINISTRATOR, PASSWORD, mall=imported_mall)
    # django-axes checks every sign-in against its lock-out and needs a request to do it.
    assert client.login(request=HttpRequest(), username="boss", password=PASSWORD)
    return client


def test_every_admin_page_renders(admin_client, published, imported_mall):
    fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall, "k-lobby").code)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PLATFORM_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        changelist = admin_client.get(reverse("admin:%s_%s_changelist" % info))
        assert changelist.status_code == 200, info
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert admin_client.get(reverse("admin:%s_%s_add" % info)).status_code == 200, info
        instance = model.objects.first()
        if instance is not None:
            page = admin_client.get(reverse("admin:%s_%s_change" % info, args=[instance.pk]))
            assert page.status_code == 200, info


def test_the_store_form_shows_every_translation(admin_client, imported_mall):
    from server.content.models import Store

    store = Store.objects.get(content_id="s-tea")
    page = admin_client.get(reverse("admin:content_store_change", args=[store.pk])).content.decode()
    for field in ("name_zh_cn", "name_en", "name_zh_tw", "description_zh_cn", "description_en", "description_zh_tw"):
        assert f'name="{field}"' in page
    assert "Tea House" in page and "茶馆" in page


def test_uploading_an_image_stores_a_blob(admin_client):
    data = png_bytes((9, 99, 199))
    response = admin_client.post(reverse("admin:content_blob_add"),
                                 {"upload": SimpleUploadedFile("logo.png", data, content_type="image/png")})
    assert response.status_code == 302
    blob = Blob.objects.get(pk=sha256_hex(data))
    assert (blob.media_type, blob.size, bytes(blob.data)) == ("image/png", len(data), data)


def test_uploading_html_is_refused(admin_client):
    response = admin_client.post(reverse("admin:content_blob_add"), {
        "upload": SimpleUploadedFile("x.html", b"<script>alert(1)</script>", content_type="text/html")})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    assert not Blob.objects.filter(media_type="text/html").exists()


def test_the_publish_action(admin_client, imported_mall):
    changelist = reverse("admin:malls_mall_changelist")
    response = admin_client.post(changelist, {"action": "publish_selected", "_selected_action": [imported_mall.pk]},
                                 follow=True)
    assert response.status_code == 200
    assert ContentVersion.objects.filter(mall=imported_mall, version=1).exists()

    Mall.objects.filter(pk=imported_mall.pk).update(service_desk_id="f-nowhere")
    response = admin_client.post(changelist, {"action": "publish_selected", "_selected_action": [imported_mall.pk]},
                                 follow=True)
    assert "f-nowhere" in response.content.decode()
    assert ContentVersion.objects.count() == 1


def test_an_enrollment_code_made_in_the_admin_is_shown_once_and_works(admin_client, imported_mall, client):
    response = admin_client.post(reverse("admin:fleet_enrollmentcode_add"),
                                 {"mall": imported_mall.pk, "location_id": "k-lobby", "valid_hours": 2}, follow=True)
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"])
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message).group()
    record = EnrollmentCode.objects.get()
    assert record.location_id == "k-lobby" and record.created_by.username == "boss"
    enrollment = fleet.enroll_kiosk(code)
    assert enrollment.kiosk.location_id == "k-lobby"


def test_an_unknown_kiosk_point_is_a_form_error(admin_client, imported_mall):
    response = admin_client.post(reverse("admin:fleet_enrollmentcode_add"),
                                 {"mall": imported_mall.pk, "location_id": "k-roof", "valid_hours": 2})
    assert response.status_code == 200 and "k-roof" in response.content.decode()
    assert EnrollmentCode.objects.count() == 0


def test_revoking_from_the_admin(admin_client, imported_mall):
    enrollment = fleet.enroll_kiosk(fleet.create_enrollment_code(imported_mall).code)
    admin_client.post(reverse("admin:fleet_kiosk_changelist"),
                      {"action": "revoke", "_selected_action": [enrollment.kiosk.pk]})
    assert Kiosk.objects.get().revoked_at is not None
    assert fleet.authenticate_device_key(enrollment.device_key) is None


@pytest.mark.django_db
def test_agents_cannot_open_the_admin(client, imported_mall):
    create_staff_user("desk", Role.AGENT, PASSWORD, mall=imported_mall)
    client.login(request=HttpRequest(), username="desk", password=PASSWORD)
    assert client.get(reverse("admin:content_store_changelist")).status_code == 302
