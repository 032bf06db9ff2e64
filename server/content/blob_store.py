"""Where blob bytes live: in their `Blob` row (the default), or in an S3-compatible bucket.

Every write, read and delete of blob bytes goes through this module, so the rest of the server
(imports, uploads, publishing, the blob API, retention) sees one interface for both places. The
row always keeps hash, media type and size; `data` holds the bytes, or is NULL when they are the
bucket's object `blobs/<sha256>`. Which place new blobs go is `STORAGES["blobs"]` (settings:
CONCIERGE_BLOB_STORAGE). Reads follow the row, not the setting, so a server switched to a bucket
goes on serving the blobs it stored before from the database until `move_to_bucket` moves them.

Bytes go into the bucket before their row is written, and leave it after the row's deletion is
committed: a row never names an object that is not there yet, while an upload whose transaction
rolled back leaves an object no row names, harmless (the same bytes map to the same object).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, models, transaction

from server.content.models import Blob

log = logging.getLogger(__name__)

STORAGE_ALIAS = "blobs"
KEY_PREFIX = "blobs/"
CHUNK_BYTES = 256 * 1024
"""How much of a bucket object is read at a time when it is streamed to a client."""


def bucket() -> Storage | None:
    """The bucket new blobs go to, or None when their bytes go into the database."""
    return storages[STORAGE_ALIAS] if STORAGE_ALIAS in settings.STORAGES else None


def _required_bucket(sha256: str) -> Storage:
    target = bucket()
    if target is None:
        raise ImproperlyConfigured(f"blob {sha256} is in the bucket, but CONCIERGE_BLOB_STORAGE names none")
    return target


def object_key(sha256: str) -> str:
    return KEY_PREFIX + sha256


def _upload(target: Storage, sha256: str, data: bytes, media_type: str) -> None:
    content = ContentFile(data)
    content.content_type = media_type  # the object's Content-Type
    target.save(object_key(sha256), content)


def save(sha256: str, data: bytes, media_type: str) -> Blob:
    """The blob with these bytes, stored once (the caller checked that `sha256` is their hash)."""
    metadata = ("sha256", "media_type", "size")
    existing = Blob.objects.filter(pk=sha256).only(*metadata).first()
    if existing is not None:
        return existing
    target = bucket()
    if target is not None:
        _upload(target, sha256, data, media_type)
    try:
        with transaction.atomic():
            return Blob.objects.create(sha256=sha256, media_type=media_type, size=len(data),
                                       data=None if target is not None else data)
    except IntegrityError:  # stored by a concurrent request a moment ago: same bytes, same row
        return Blob.objects.only(*metadata).get(pk=sha256)


@dataclass(frozen=True)
class StoredBlob:
    """A blob's metadata, with its bytes when the database holds them (else they are in the bucket)."""

    sha256: str
    media_type: str
    size: int
    inline: bytes | None

    def read_range(self, first: int, last: int, *, asynchronous: bool = False
                   ) -> bytes | Iterator[bytes] | AsyncIterator[bytes] | None:
        """Bytes `first`..`last` (inclusive): the bytes themselves from the database, chunks as they
        arrive from the bucket (an async iterator for an ASGI server), None if the object is gone."""
        if self.inline is not None:
            return self.inline[first:last + 1]
        if last < first:  # an empty blob: S3 has no empty range to ask for
            return b""
        body = _object_body(self.sha256, f"bytes={first}-{last}")
        if body is None:
            return None
        return _async_chunks(body) if asynchronous else _chunks(body)


def find(sha256: str) -> StoredBlob | None:
    row = Blob.objects.filter(pk=sha256).values_list("media_type", "size", "data").first()
    if row is None:
        return None
    media_type, size, data = row
    return StoredBlob(sha256, media_type, size, None if data is None else bytes(data))


def read(sha256: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a whole blob, or None when there is no such blob."""
    found = find(sha256)
    if found is None:
        return None
    if found.inline is not None or found.size == 0:
        return found.inline or b"", found.media_type
    body = _object_body(sha256, f"bytes=0-{found.size - 1}")
    if body is None:
        return None
    return b"".join(_chunks(body)), found.media_type


def _object_body(sha256: str, byte_range: str):
    """The object's (ranged) body, a botocore StreamingBody, or None when the bucket lacks it."""
    from botocore.exceptions import ClientError

    target = _required_bucket(sha256)
    try:
        return target.bucket.Object(object_key(sha256)).get(Range=byte_range)["Body"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            log.error("blob %s has a row but no object in the bucket", sha256)
            return None
        raise


def _chunks(body) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK_BYTES)
    finally:
        body.close()


async def _async_chunks(body) -> AsyncIterator[bytes]:
    """The same chunks without holding an event loop while the bucket answers."""
    try:
        while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
            yield chunk
    finally:
        body.close()


def delete(blobs: models.QuerySet[Blob]) -> tuple[int, int]:
    """Delete these blobs, rows and objects; (count, bytes). Objects go once the deletion commits,
    and only those whose row was not stored again meanwhile."""
    sizes = dict(blobs.values_list("sha256", "size"))
    in_bucket = list(blobs.filter(data__isnull=True).values_list("sha256", flat=True))
    Blob.objects.filter(pk__in=list(sizes)).delete()
    if in_bucket:
        transaction.on_commit(lambda: _delete_objects(in_bucket))
    return len(sizes), sum(sizes.values())


def _delete_objects(hashes: list[str]) -> None:
    stored_again = set(Blob.objects.filter(pk__in=hashes).values_list("pk", flat=True))
    for sha256 in hashes:
        if sha256 not in stored_again:
            _required_bucket(sha256).delete(object_key(sha256))


@dataclass(frozen=True)
class Moved:
    blobs: int
    bytes: int


def move_to_bucket() -> Moved:
    """Move every blob the database holds into the bucket, one at a time (a row's bytes are
    cleared only once the bucket reports the object at its full size); safe to run again."""
    target = bucket()
    if target is None:
        raise ImproperlyConfigured('CONCIERGE_BLOB_STORAGE is not "s3": there is no bucket to move blobs into')
    count = size = 0
    for sha256 in list(Blob.objects.filter(data__isnull=False).values_list("pk", flat=True)):
        row = Blob.objects.filter(pk=sha256, data__isnull=False).values_list("data", "media_type", "size").first()
        if row is None:  # deleted, or moved by another run, since the list was read
            continue
        data, media_type, length = row
        _upload(target, sha256, bytes(data), media_type)
        if target.size(object_key(sha256)) != length:
            raise OSError(f"blob {sha256}: the bucket holds a different size than {length} bytes")
        count += Blob.objects.filter(pk=sha256, data__isnull=False).update(data=None)
        size += length
    return Moved(blobs=count, bytes=size)
