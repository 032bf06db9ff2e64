"""Content retention on the server: old versions and the pictures nothing needs any more.

Every published version keeps its manifest, and every picture ever uploaded stays a `Blob` row
(and its bucket object, server/content/blob_store.py) until this job removes it; without it a
mall that publishes every day keeps years of pictures.
A mall keeps its newest `Mall.content_versions_kept` versions. Older versions go, unless a
kiosk still shows one (the fleet app registers what its kiosks report). A blob goes when no
kept version, no draft and no other holder (a notice's photo, registered by its app) names it,
and it is older than a day, so a picture uploaded for a draft that is still being edited stays.

Apps above this one say what they hold with `register_blob_holder` and
`register_version_pin` in their `AppConfig.ready()`, so this module imports none of them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from server.malls.models import Mall
from sync.protocol import ContentManifest, MallContent

from . import blob_store
from .models import Blob, Category, ContentVersion, Promotion, Store
from .services import is_sha256, read_blob, referenced_blob_hashes

UPLOAD_GRACE = timedelta(days=1)
"""A blob younger than this is kept even if nothing names it yet (a draft being edited)."""

_blob_holders: list[Callable[[], Iterable[str]]] = []
_version_pins: list[Callable[[Mall], Iterable[int]]] = []


def register_blob_holder(holder: Callable[[], Iterable[str]]) -> None:
    """`holder()` yields the SHA-256 of every blob its app still needs."""
    _blob_holders.append(holder)


def register_version_pin(pin: Callable[[Mall], Iterable[int]]) -> None:
    """`pin(mall)` yields the version numbers of `mall` still in use (shown by a kiosk)."""
    _version_pins.append(pin)


@dataclass(frozen=True)
class Pruned:
    versions: int
    blobs: int
    bytes: int

    def summary(self) -> str:
        return f"{self.versions} old version(s), {self.blobs} blob(s), {self.bytes} bytes removed"


def prune_versions(mall: Mall) -> int:
    """Remove the versions of `mall` beyond its retention that no kiosk shows; returns how many."""
    keep = max(2, mall.content_versions_kept)
    numbers = list(ContentVersion.objects.filter(mall=mall).order_by("-version").values_list("version", flat=True))
    if len(numbers) <= keep:
        return 0
    pinned = {number for pin in _version_pins for number in pin(mall)}
    old = [number for number in numbers[keep:] if number not in pinned]
    deleted, _ = ContentVersion.objects.filter(mall=mall, version__in=old).delete()
    return deleted


def blobs_in_use() -> set[str]:
    """Every blob a kept version, a draft or a registered holder names."""
    used: set[str] = set()
    for manifest_json in ContentVersion.objects.values_list("manifest", flat=True).iterator():
        manifest = ContentManifest.model_validate(manifest_json)
        used.add(manifest.document.sha256)
        used.update(ref.sha256 for ref in manifest.blobs)
        found = read_blob(manifest.document.sha256)
        if found is not None:
            used.update(referenced_blob_hashes(MallContent.model_validate_json(found[0])))
    used.update(Store.objects.exclude(logo_sha256="").values_list("logo_sha256", flat=True))
    used.update(Promotion.objects.values_list("image_sha256", flat=True))
    used.update(icon for icon in Category.objects.values_list("icon", flat=True) if is_sha256(icon))
    for holder in _blob_holders:
        used.update(holder())
    return used


def prune_blobs() -> tuple[int, int]:
    """Remove blobs nothing needs that are older than the upload grace, from the bucket too; (count, bytes)."""
    cutoff = timezone.now() - UPLOAD_GRACE
    with transaction.atomic():
        used = blobs_in_use()
        return blob_store.delete(Blob.objects.filter(created_at__lt=cutoff).exclude(pk__in=used))


def prune_content() -> Pruned:
    """The scheduled job: every mall's old versions, then the blobs left unused."""
    versions = sum(prune_versions(mall) for mall in Mall.objects.all())
    blobs, size = prune_blobs()
    return Pruned(versions=versions, blobs=blobs, bytes=size)
