"""Installing published content versions, and looking things up in the active one.

DESIGN decision 1: a version is a manifest plus content-addressed blobs. The kiosk fetches
what it lacks, re-hashes every byte it receives, parses the document, and only then switches
the active version, in one transaction; the previous version stays installed for rollback.
A kiosk that crashes or loses the network half-way keeps showing the version it had.

Blobs are trusted by their bytes, not by their names: a file damaged on the kiosk's own disk
(a bad SD card, a power cut mid-write by another program) is found when the kiosk starts and
before every switch, removed, and fetched again (`verify_blobs_at_rest`, `repair_blobs`).
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from kiosk.broadcasts import photo_hashes
from kiosk.store import LocalStore
from sync.protocol import (
    BlobRef,
    ContentManifest,
    MallContent,
    sha256_hex,
)

ACTIVE_KEY = "content.active_id"
PREVIOUS_KEY = "content.previous_id"
REFUSED_KEY = "content.refused_document"
DOCUMENT_MEDIA_TYPE = "application/json"

log = logging.getLogger(__name__)


class ContentInstallError(Exception):
    """A version could not be installed; the active version is unchanged."""


class BlobMismatchError(ContentInstallError):
    """A fetched blob's bytes do not hash to the SHA-256 it was asked for."""

    def __init__(self, expected: str, actual: str):
        super().__init__(f"blob {expected} arrived with SHA-256 {actual}: rejected")
        self.expected = expected
        self.actual = actual


class SourceBundleLike(Protocol):
    """What `sync.bundle.load_source_bundle` returns: content plus its images by hash (read
    only, so a NamedTuple is one)."""

    @property
    def content(self) -> MallContent: ...

    @property
    def blobs(self) -> dict[str, tuple[bytes, str]]: ...


@dataclass(frozen=True)
class InstalledVersion:
    id: int
    """The row id in content_versions: local, unlike `version`, which the server numbers."""
    mall_id: str
    version: int
    document_sha256: str
    etag: str | None
    source: str
    installed_at: str


# ---------------------------------------------------------------- installing
def blob_path(store: LocalStore, sha256: str) -> Path:
    """Where the blob with this hash lives on disk (for images: pass the path to Kivy)."""
    return store.blob_path(sha256)


def install_version(
    store: LocalStore,
    manifest: ContentManifest,
    fetch_blob: Callable[[str], bytes],
    *,
    etag: str | None = None,
    source: str = "server",
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> InstalledVersion:
    """Install `manifest` and make it the active version; returns the installed version.

    Blobs already on disk are not fetched again. Every fetched blob is verified against its
    hash before it is written. Images the document refers to must be present (in the
    manifest or already on disk) — a half-installed version is never activated. Raises
    ContentInstallError (BlobMismatchError for a corrupted blob) and leaves the active version
    as it was. Installing the active version again is a no-op.

    `progress(done, total)` is told the bytes fetched so far and the bytes to fetch (the
    manifest's sizes of the blobs not yet on disk), after each blob; never when nothing is
    to fetch.
    """
    current = active_version(store)
    if (
        current is not None
        and current.mall_id == manifest.mall_id
        and current.version == manifest.version
        and current.document_sha256 == manifest.document.sha256
    ):
        if etag and current.etag != etag:
            with store.transaction() as db:
                db.conn.execute("UPDATE content_versions SET etag = ? WHERE id = ?", (etag, current.id))
            return active_version(store)  # type: ignore[return-value]
        return current

    refs = [manifest.document, *manifest.blobs]
    to_fetch = {ref.sha256: ref.size for ref in refs if not store.has_blob(ref.sha256)}
    total, done = sum(to_fetch.values()), 0
    if progress is not None and to_fetch:
        progress(0, total)
    for ref in refs:
        _ensure_blob(store, ref.sha256, fetch_blob, expected_size=ref.size)
        if progress is not None and ref.sha256 in to_fetch:
            done += to_fetch.pop(ref.sha256)
            progress(done, total)

    try:
        document = store.read_blob(manifest.document.sha256)
        content = MallContent.model_validate_json(document)
    except (ValidationError, ValueError, UnicodeDecodeError) as exc:
        raise ContentInstallError(
            f"content version {manifest.version}: the document is not valid MallContent: {exc}"
        ) from exc
    if content.mall.id != manifest.mall_id:
        raise ContentInstallError(
            f"content version {manifest.version} is for mall {manifest.mall_id!r} "
            f"but its document describes {content.mall.id!r}"
        )
    for sha256 in sorted(referenced_blobs(content)):
        _ensure_blob(store, sha256, fetch_blob)

    installed_at = (now or datetime.now(UTC)).isoformat()
    with store.transaction() as db:
        conn = db.conn
        conn.execute(
            "INSERT INTO content_versions "
            "(mall_id, version, document_sha256, manifest, etag, source, installed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (mall_id, version, document_sha256) DO UPDATE SET "
            "manifest = excluded.manifest, etag = excluded.etag, source = excluded.source, "
            "installed_at = excluded.installed_at",
            (
                manifest.mall_id,
                manifest.version,
                manifest.document.sha256,
                manifest.model_dump_json(),
                etag,
                source,
                installed_at,
            ),
        )
        row_id = conn.execute(
            "SELECT id FROM content_versions WHERE mall_id = ? AND version = ? AND document_sha256 = ?",
            (manifest.mall_id, manifest.version, manifest.document.sha256),
        ).fetchone()[0]
        previous_id = store.get_setting(ACTIVE_KEY)
        if previous_id is not None and previous_id != row_id:
            store.set_setting(PREVIOUS_KEY, previous_id)
        store.set_setting(ACTIVE_KEY, row_id)
    store.cache.clear()
    return active_version(store)  # type: ignore[return-value]


def install_bundle(store: LocalStore, bundle: SourceBundleLike, *, now: datetime | None = None) -> InstalledVersion:
    """Install a local source bundle (demo, tour, tests) through the same path as a download.

    The bundle gets the next version number after the newest one installed for its mall, unless
    its document is byte-identical to the active one.
    """
    content = bundle.content
    document = content.model_dump_json().encode("utf-8")
    document_sha = sha256_hex(document)
    current = active_version(store)
    if current is not None and current.document_sha256 == document_sha:
        return current
    newest = store.db.conn.execute(
        "SELECT MAX(version) FROM content_versions WHERE mall_id = ?", (content.mall.id,)
    ).fetchone()[0]
    stamp = now or datetime.now(UTC)
    blobs = dict(bundle.blobs)
    manifest = ContentManifest(
        mall_id=content.mall.id,
        version=(newest or 0) + 1,
        published_at=stamp,
        document=BlobRef(sha256=document_sha, size=len(document), media_type=DOCUMENT_MEDIA_TYPE),
        blobs=[
            BlobRef(sha256=sha, size=len(data), media_type=media_type)
            for sha, (data, media_type) in sorted(blobs.items())
        ],
    )

    def fetch_from_bundle(sha256: str) -> bytes:
        if sha256 == document_sha:
            return document
        if sha256 not in blobs:
            raise ContentInstallError(f"the bundle has no blob {sha256}")
        return blobs[sha256][0]

    return install_version(store, manifest, fetch_from_bundle, source="bundle", now=stamp)


def referenced_blobs(content: MallContent) -> set[str]:
    """Every blob hash the document points at (store logos, promotion images)."""
    hashes = {store.logo_sha256 for store in content.stores if store.logo_sha256}
    hashes |= {promotion.image_sha256 for promotion in content.promotions if promotion.image_sha256}
    return hashes


def _ensure_blob(
    store: LocalStore, sha256: str, fetch_blob: Callable[[str], bytes], expected_size: int | None = None
) -> None:
    """Have the blob on disk with the right bytes: one already there is re-hashed before a
    version that needs it is switched to, and fetched again if damaged."""
    if store.has_blob(sha256):
        if _blob_intact(store, sha256):
            return
        _discard_damaged(store, sha256)
    try:
        data = fetch_blob(sha256)
    except ContentInstallError:
        raise
    except Exception as exc:  # the fetcher's own failure (network, missing file): not installable
        raise ContentInstallError(f"could not fetch blob {sha256}: {exc}") from exc
    actual = sha256_hex(data)
    if actual != sha256:
        raise BlobMismatchError(sha256, actual)
    if expected_size is not None and len(data) != expected_size:
        raise ContentInstallError(f"blob {sha256} is {len(data)} bytes, the manifest says {expected_size}")
    store.write_blob(sha256, data)


# ---------------------------------------------------------------- blobs at rest
PARTIAL_SUFFIX = ".partial"


def partial_blob_path(blobs_dir: Path, sha256: str) -> Path:
    """Where a download of `sha256` that was cut keeps what arrived, to resume from (never trusted:
    a dot file, so nothing reads it as a blob)."""
    return blobs_dir / f".{sha256}{PARTIAL_SUFFIX}"


def _blob_intact(store: LocalStore, sha256: str) -> bool:
    try:
        return sha256_hex(store.read_blob(sha256)) == sha256
    except OSError:
        return False


def _discard_damaged(store: LocalStore, sha256: str) -> None:
    log.warning("blob %s is damaged on disk: removed, to be fetched again", sha256)
    with contextlib.suppress(FileNotFoundError):
        store.blob_path(sha256).unlink()


def needed_blobs(store: LocalStore) -> set[str]:
    """Every blob the active and the previous version need (documents, images).

    The sync agent asks every cycle: the answer is kept per pair of versions once both documents
    were read (parsing them each minute cost tens of milliseconds for nothing)."""
    versions = (active_version(store), previous_version(store))
    key = tuple(version.id if version is not None else None for version in versions)
    cached = store.cache.get("needed_blobs")
    if cached is not None and cached[0] == key:
        return set(cached[1])
    needed: set[str] = set()
    complete = True
    for version in versions:
        if version is None:
            continue
        row = store.db.conn.execute("SELECT manifest FROM content_versions WHERE id = ?", (version.id,)).fetchone()
        manifest = ContentManifest.model_validate_json(row[0])
        needed.add(manifest.document.sha256)
        needed.update(ref.sha256 for ref in manifest.blobs)
        try:
            document = MallContent.model_validate_json(store.read_blob(manifest.document.sha256))
        except (OSError, ValueError, ValidationError):
            complete = False  # missing or damaged: what it names is known once it is fetched again
        else:
            needed.update(referenced_blobs(document))
    if complete:
        store.cache["needed_blobs"] = (key, frozenset(needed))
    return needed


def damaged_blobs(store: LocalStore) -> list[str]:
    """The needed blobs on disk whose bytes no longer hash to their name (read only)."""
    return sorted(sha256 for sha256 in needed_blobs(store)
                  if store.has_blob(sha256) and not _blob_intact(store, sha256))


def verify_documents_at_rest(store: LocalStore) -> None:
    """Re-hash the documents of the active and the previous version only (one file each) and
    remove a damaged one; if the active version's document is gone and the previous version's is
    whole, switch back to it. Run before the screens read the content; the pictures are checked
    behind the first frame (`verify_blobs_at_rest`)."""
    for version in (active_version(store), previous_version(store)):
        if (version is not None and store.has_blob(version.document_sha256)
                and not _blob_intact(store, version.document_sha256)):
            _discard_damaged(store, version.document_sha256)
    _go_back_if_active_document_lost(store)


def verify_blobs_at_rest(store: LocalStore) -> list[str]:
    """Re-hash every blob the kept versions need and remove the damaged ones; if the active
    version's document is gone and the previous version is whole, switch back to it.

    Returns the hashes now missing (damaged and removed, or never there), sorted: the sync
    agent fetches them again (`repair_blobs`), and reinstalls the newer version when the
    server offers it. The kiosk runs it when it starts, behind its first frame.
    """
    for sha256 in damaged_blobs(store):
        _discard_damaged(store, sha256)
    _go_back_if_active_document_lost(store)
    return missing_blobs(store)


def _go_back_if_active_document_lost(store: LocalStore) -> None:
    active, previous = active_version(store), previous_version(store)
    if (active is not None and previous is not None and not store.has_blob(active.document_sha256)
            and store.has_blob(previous.document_sha256)):
        log.warning("the active content version %s is damaged: showing version %s until it is repaired",
                    active.version, previous.version)
        rollback_content(store)
    store.cache.clear()


def missing_blobs(store: LocalStore) -> list[str]:
    """The needed blobs not on disk (cheap: no hashing)."""
    return sorted(sha256 for sha256 in needed_blobs(store) if not store.has_blob(sha256))


def repair_blobs(store: LocalStore, fetch_blob: Callable[[str], bytes]) -> tuple[list[str], list[str]]:
    """Fetch again every needed blob that is missing; returns (repaired, still missing).

    Each fetched blob is verified against its hash before it is written, as on install.
    """
    repaired, failed = [], []
    for sha256 in missing_blobs(store):
        try:
            _ensure_blob(store, sha256, fetch_blob)
        except ContentInstallError as exc:
            log.warning("blob %s could not be repaired: %s", sha256, exc)
            failed.append(sha256)
        else:
            repaired.append(sha256)
    if repaired:
        store.cache.clear()
    return repaired, failed


# ---------------------------------------------------------------- the active version
def _version_from_row(row: Any) -> InstalledVersion:
    return InstalledVersion(
        id=row[0], mall_id=row[1], version=row[2], document_sha256=row[3], etag=row[4],
        source=row[5], installed_at=row[6],
    )


def _version_by_id(store: LocalStore, row_id: int | None) -> InstalledVersion | None:
    if row_id is None:
        return None
    row = store.db.conn.execute(
        "SELECT id, mall_id, version, document_sha256, etag, source, installed_at "
        "FROM content_versions WHERE id = ?",
        (row_id,),
    ).fetchone()
    return None if row is None else _version_from_row(row)


def active_version(store: LocalStore) -> InstalledVersion | None:
    return _version_by_id(store, store.get_setting(ACTIVE_KEY))


def previous_version(store: LocalStore) -> InstalledVersion | None:
    return _version_by_id(store, store.get_setting(PREVIOUS_KEY))


def active_manifest(store: LocalStore) -> ContentManifest | None:
    version = active_version(store)
    if version is None:
        return None
    row = store.db.conn.execute("SELECT manifest FROM content_versions WHERE id = ?", (version.id,)).fetchone()
    return ContentManifest.model_validate_json(row[0])


def active_content(store: LocalStore) -> MallContent | None:
    """The active content, parsed once per connection and version; None before any install."""
    version = active_version(store)
    if version is None:
        return None
    cached = store.cache.get("active_content")
    if cached is not None and cached[0] == version.id:
        return cached[1]
    try:
        document = store.read_blob(version.document_sha256)
    except FileNotFoundError:  # removed as damaged, not fetched again yet: nothing to show
        return None
    content = MallContent.model_validate_json(document)
    store.cache["active_content"] = (version.id, content)
    return content


def rollback_content(store: LocalStore) -> InstalledVersion | None:
    """Switch back to the previously active version (the two swap); None if there is none."""
    previous = previous_version(store)
    current = active_version(store)
    if previous is None or current is None:
        return None
    with store.transaction():
        store.set_setting(ACTIVE_KEY, previous.id)
        store.set_setting(PREVIOUS_KEY, current.id)
    store.cache.clear()
    return previous


def refuse_active(store: LocalStore) -> InstalledVersion | None:
    """The screens could not load the active version: go back to the previous one and remember
    the refused document, so the sync agent does not install it again (a later publish, another
    document, is installed as usual). Returns the version now active, None if there was none."""
    current = active_version(store)
    if current is None:
        return None
    store.set_setting(REFUSED_KEY, current.document_sha256)
    return rollback_content(store)


def is_refused(store: LocalStore, document_sha256: str) -> bool:
    return store.get_setting(REFUSED_KEY) == document_sha256


def prune_content(store: LocalStore) -> int:
    """Delete versions other than the active and previous ones, and blobs neither uses.

    Returns the number of blob files removed. Safe to run any time: the blobs of the two kept
    versions are never touched.
    """
    keep_ids = [i for i in (store.get_setting(ACTIVE_KEY), store.get_setting(PREVIOUS_KEY)) if i is not None]
    keep_blobs: set[str] = set()
    for row_id in keep_ids:
        row = store.db.conn.execute("SELECT manifest FROM content_versions WHERE id = ?", (row_id,)).fetchone()
        manifest = ContentManifest.model_validate_json(row[0])
        keep_blobs.add(manifest.document.sha256)
        keep_blobs.update(ref.sha256 for ref in manifest.blobs)
        keep_blobs.update(referenced_blobs(MallContent.model_validate_json(store.read_blob(manifest.document.sha256))))
    with store.transaction() as db:
        if keep_ids:
            marks = ",".join("?" for _ in keep_ids)
            db.conn.execute(f"DELETE FROM content_versions WHERE id NOT IN ({marks})", keep_ids)
        else:
            db.conn.execute("DELETE FROM content_versions")
    keep_blobs.update(photo_hashes(store))  # a lost child's photo outlives a content update
    removed = 0
    for path in store.blobs_dir.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.name not in keep_blobs:
            path.unlink()
            removed += 1
        elif path.name.endswith(PARTIAL_SUFFIX) and path.name[1:-len(PARTIAL_SUFFIX)] not in keep_blobs:
            path.unlink()  # a cut download of a version that was passed over
    return removed
