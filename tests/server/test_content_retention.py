"""Content retention: old versions beyond the mall's setting and pictures nothing needs go;
what a kiosk shows, what a draft uses and a recent notice's photo stay."""
from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from server_helpers import png_bytes

from server.broadcasts.models import Broadcast
from server.content import services
from server.content.models import Blob, ContentVersion, Promotion
from server.content.retention import prune_content
from server.fleet.models import Kiosk
from server.fleet.services import create_enrollment_code, enroll_kiosk


def publish_with_new_poster(mall, colour) -> tuple[int, str]:
    """Give the draft's promotion a new picture and publish; (version, picture hash)."""
    picture = services.store_blob(png_bytes(colour), "image/png")
    Promotion.objects.filter(mall=mall).update(image_sha256=picture.sha256)
    return services.publish(mall).version.version, picture.sha256


def age(*hashes: str, days: int = 2) -> None:
    Blob.objects.filter(pk__in=hashes).update(created_at=timezone.now() - timedelta(days=days))


def versions(mall) -> list[int]:
    return sorted(ContentVersion.objects.filter(mall=mall).values_list("version", flat=True))


def test_versions_beyond_the_retention_and_their_own_pictures_are_removed(imported_mall):
    imported_mall.content_versions_kept = 2
    imported_mall.save()
    published = [publish_with_new_poster(imported_mall, (10 * n, 0, 0)) for n in range(1, 5)]
    age(*(sha for _, sha in published))
    result = prune_content()
    assert versions(imported_mall) == [3, 4]
    assert result.versions == 2 and result.blobs == 2
    remaining = set(Blob.objects.values_list("pk", flat=True))
    assert published[0][1] not in remaining and published[1][1] not in remaining
    assert published[2][1] in remaining and published[3][1] in remaining
    for version in ContentVersion.objects.filter(mall=imported_mall):  # every kept version still whole
        manifest = services.manifest_of(version)
        assert {manifest.document.sha256, *(ref.sha256 for ref in manifest.blobs)} <= remaining


def test_a_version_a_kiosk_still_shows_is_kept(imported_mall):
    imported_mall.content_versions_kept = 2
    imported_mall.save()
    kiosk_id = enroll_kiosk(create_enrollment_code(imported_mall, "k-lobby").code).kiosk.id
    first = publish_with_new_poster(imported_mall, (1, 2, 3))
    Kiosk.objects.filter(pk=kiosk_id).update(content_version=first[0])  # offline since then
    for n in range(3):
        publish_with_new_poster(imported_mall, (50, 50, n))
    age(*Blob.objects.values_list("pk", flat=True))
    prune_content()
    assert versions(imported_mall) == [1, 3, 4]
    assert Blob.objects.filter(pk=first[1]).exists()


def test_a_fresh_upload_and_a_draft_picture_are_kept(imported_mall):
    imported_mall.content_versions_kept = 2
    imported_mall.save()
    for n in range(3):
        publish_with_new_poster(imported_mall, (0, 80, n))
    unattached = services.store_blob(png_bytes((9, 9, 9)), "image/png")  # uploaded a minute ago
    draft_picture = services.store_blob(png_bytes((7, 7, 7)), "image/png")
    Promotion.objects.filter(mall=imported_mall).update(image_sha256=draft_picture.sha256)
    age(draft_picture.sha256, days=30)
    prune_content()
    assert Blob.objects.filter(pk=unattached.sha256).exists()
    assert Blob.objects.filter(pk=draft_picture.sha256).exists()
    age(unattached.sha256)
    prune_content()
    assert not Blob.objects.filter(pk=unattached.sha256).exists()


def test_a_notice_photo_is_kept_for_thirty_days_after_the_notice_ends(imported_mall):
    photo = services.store_blob(png_bytes((1, 1, 1)), "image/png").sha256
    age(photo, days=40)
    now = timezone.now()
    notice = Broadcast.objects.create(
        mall=imported_mall, kind="notice", title_zh_cn="寻人", title_en="Lost child", title_zh_tw="尋人",
        photo_sha256=photo, starts_at=now - timedelta(days=40), expires_at=now - timedelta(days=39),
        ended_at=now - timedelta(days=10),
    )
    prune_content()
    assert Blob.objects.filter(pk=photo).exists()
    notice.ended_at = now - timedelta(days=31)
    notice.save()
    prune_content()
    assert not Blob.objects.filter(pk=photo).exists()


def test_the_job_is_registered_and_runs_from_the_command_line(imported_mall, capsys):
    services.publish(imported_mall)
    call_command("run_jobs", "--job", "prune_content", "--force")
    assert "prune_content: ok" in capsys.readouterr().out
    assert versions(imported_mall) == [1]
