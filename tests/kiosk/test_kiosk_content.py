"""Content versions: verified, all-or-nothing, rollback kept; and the lookups over them."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.content import (
    BlobMismatchError,
    ContentInstallError,
    active_content,
    active_version,
    blob_path,
    damaged_blobs,
    install_bundle,
    install_version,
    missing_blobs,
    previous_version,
    prune_content,
    repair_blobs,
    rollback_content,
    verify_blobs_at_rest,
    verify_documents_at_rest,
)
from kiosk.store import LocalStore
from sync.protocol import BlobRef, ContentManifest, I18nText, sha256_hex
from venue.index import ContentIndex

PUBLISHED = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def manifest_for(bundle, version: int):
    """What the server would publish for this bundle, and a fetcher serving its bytes."""
    document = bundle.content.model_dump_json().encode()
    served = {sha256_hex(document): document, **{sha: data for sha, (data, _) in bundle.blobs.items()}}
    manifest = ContentManifest(
        mall_id=bundle.content.mall.id, version=version, published_at=PUBLISHED,
        document=BlobRef(sha256=sha256_hex(document), size=len(document), media_type="application/json"),
        blobs=[BlobRef(sha256=sha, size=len(data), media_type=kind) for sha, (data, kind) in bundle.blobs.items()],
    )
    return manifest, served


class Server:
    """Serves blobs from a dict and counts what was asked for."""

    def __init__(self, served: dict[str, bytes]):
        self.served = dict(served)
        self.requests: list[str] = []

    def fetch(self, sha: str) -> bytes:
        self.requests.append(sha)
        return self.served[sha]


def test_install_bundle_makes_it_active(store, bundle):
    installed = install_bundle(store, bundle)
    assert installed.version == 1 and installed.source == "bundle"
    content = active_content(store)
    assert content == bundle.content
    for sha, (data, _) in bundle.blobs.items():
        assert blob_path(store, sha).read_bytes() == data


def test_a_new_connection_sees_the_installed_version(store, bundle, data_dir):
    install_bundle(store, bundle)
    with LocalStore.in_dir(data_dir) as other:
        assert active_content(other) == bundle.content


def test_corrupted_blob_is_rejected_and_the_previous_version_stays(store, bundle, bundle_factory):
    first = install_bundle(store, bundle)
    changed = bundle_factory(mall_name="星光广场（新）")
    manifest, served = manifest_for(changed, version=2)
    # A new image in version 2, corrupted on the way.
    new_image = b"\x89PNG new poster"
    manifest.blobs.append(BlobRef(sha256=sha256_hex(new_image), size=len(new_image), media_type="image/png"))
    served[sha256_hex(new_image)] = new_image[:-1] + b"X"
    with pytest.raises(BlobMismatchError):
        install_version(store, manifest, Server(served).fetch)
    assert active_version(store) == first
    assert active_content(store).mall.name.zh_CN == "星光广场"
    assert not blob_path(store, sha256_hex(new_image)).exists()


def test_corrupted_document_is_rejected(store, bundle, bundle_factory):
    first = install_bundle(store, bundle)
    manifest, served = manifest_for(bundle_factory(mall_name="改版"), version=5)
    served[manifest.document.sha256] = b'{"not": "the document"}'
    with pytest.raises(BlobMismatchError):
        install_version(store, manifest, Server(served).fetch)
    assert active_version(store) == first


def test_document_that_is_not_mall_content_is_rejected(store, bundle):
    install_bundle(store, bundle)
    bad = b'{"schema_version": 1, "mall": {}}'
    manifest = ContentManifest(
        mall_id="mall-1", version=9, published_at=PUBLISHED,
        document=BlobRef(sha256=sha256_hex(bad), size=len(bad), media_type="application/json"),
    )
    with pytest.raises(ContentInstallError, match="not valid MallContent"):
        install_version(store, manifest, Server({sha256_hex(bad): bad}).fetch)
    assert active_version(store).version == 1


def test_missing_referenced_image_blocks_activation(store, bundle):
    manifest, served = manifest_for(bundle, version=1)
    logo = bundle.content.stores[0].logo_sha256
    manifest.blobs = [ref for ref in manifest.blobs if ref.sha256 != logo]
    del served[logo]
    with pytest.raises(ContentInstallError, match=logo):
        install_version(store, manifest, Server(served).fetch)
    assert active_version(store) is None and active_content(store) is None


def test_interrupted_download_resumes_without_fetching_again(store, bundle):
    manifest, served = manifest_for(bundle, version=1)
    flaky = Server(served)
    last = manifest.blobs[-1].sha256
    del flaky.served[last]
    with pytest.raises(ContentInstallError):
        install_version(store, manifest, flaky.fetch)
    assert active_version(store) is None
    flaky.served[last] = served[last]
    flaky.requests.clear()
    install_version(store, manifest, flaky.fetch, etag='"v1"')
    assert flaky.requests == [last]
    assert active_version(store).etag == '"v1"'


def test_reinstalling_the_active_version_is_a_no_op(store, bundle):
    manifest, served = manifest_for(bundle, version=3)
    first = install_version(store, manifest, Server(served).fetch)
    again = Server(served)
    assert install_version(store, manifest, again.fetch) == first
    assert again.requests == []
    assert install_bundle(store, bundle).document_sha256 == first.document_sha256


def test_previous_version_kept_for_rollback(store, bundle, bundle_factory):
    first = install_bundle(store, bundle)
    second = install_bundle(store, bundle_factory(mall_name="第二版"))
    assert second.version == 2 and previous_version(store) == first
    assert rollback_content(store) == first
    assert active_content(store).mall.name.zh_CN == "星光广场"
    assert previous_version(store) == second


def test_prune_keeps_the_active_and_previous_versions(store, bundle, bundle_factory):
    install_bundle(store, bundle)
    install_bundle(store, bundle_factory(mall_name="二"))
    third = bundle_factory(mall_name="三")
    third.content.stores[0].logo_sha256 = None
    install_bundle(store, third)
    prune_content(store)
    versions = [row[0] for row in store.db.conn.execute("SELECT version FROM content_versions ORDER BY version")]
    assert versions == [2, 3]
    for sha in bundle.blobs:  # still used by version 2
        assert blob_path(store, sha).exists()
    assert rollback_content(store).version == 2


# ---------------------------------------------------------------- blobs at rest
def test_a_picture_damaged_on_disk_is_found_removed_and_fetched_again(store, bundle):
    manifest, served = manifest_for(bundle, version=1)
    install_version(store, manifest, Server(served).fetch)
    logo = bundle.content.stores[0].logo_sha256
    blob_path(store, logo).write_bytes(b"\x00" * 100)  # a bad SD card sector
    assert damaged_blobs(store) == [logo]
    assert verify_blobs_at_rest(store) == [logo]
    assert not blob_path(store, logo).exists() and missing_blobs(store) == [logo]
    server = Server(served)
    assert repair_blobs(store, server.fetch) == ([logo], [])
    assert server.requests == [logo]
    assert blob_path(store, logo).read_bytes() == served[logo]
    assert damaged_blobs(store) == [] and missing_blobs(store) == []


def test_a_repair_that_serves_wrong_bytes_leaves_the_blob_missing(store, bundle):
    manifest, served = manifest_for(bundle, version=1)
    install_version(store, manifest, Server(served).fetch)
    logo = bundle.content.stores[0].logo_sha256
    blob_path(store, logo).unlink()
    liar = Server({**served, logo: b"not the logo"})
    assert repair_blobs(store, liar.fetch) == ([], [logo])
    assert not blob_path(store, logo).exists()


def test_a_damaged_blob_on_disk_is_fetched_again_before_a_switch(store, bundle, bundle_factory):
    manifest, served = manifest_for(bundle, version=1)
    install_version(store, manifest, Server(served).fetch)
    logo = bundle.content.stores[0].logo_sha256
    blob_path(store, logo).write_bytes(b"damaged")
    second, served_second = manifest_for(bundle_factory(mall_name="第二版"), version=2)
    server = Server({**served, **served_second})
    install_version(store, second, server.fetch)
    assert logo in server.requests
    assert blob_path(store, logo).read_bytes() == served[logo]


def test_a_damaged_active_document_falls_back_to_the_previous_version(store, bundle, bundle_factory):
    install_bundle(store, bundle)
    second = install_bundle(store, bundle_factory(mall_name="第二版"))
    blob_path(store, second.document_sha256).write_bytes(b"{}")
    missing = verify_blobs_at_rest(store)
    assert second.document_sha256 in missing
    assert active_version(store).version == 1
    assert active_content(store).mall.name.zh_CN == "星光广场"


def test_before_the_first_frame_only_the_documents_are_checked(store, bundle, bundle_factory):
    """The kiosk's start re-hashes the two documents before its first frame and the pictures
    behind it: a damaged active document already gives way to the previous version."""
    install_bundle(store, bundle)
    second = install_bundle(store, bundle_factory(mall_name="第二版"))
    logo = bundle.content.stores[0].logo_sha256
    blob_path(store, logo).write_bytes(b"\x00" * 100)
    blob_path(store, second.document_sha256).write_bytes(b"{}")
    verify_documents_at_rest(store)
    assert active_version(store).version == 1
    assert active_content(store).mall.name.zh_CN == "星光广场"
    assert not blob_path(store, second.document_sha256).exists()
    assert damaged_blobs(store) == [logo], "the pictures wait for verify_blobs_at_rest"
    assert verify_blobs_at_rest(store) == sorted([logo, second.document_sha256])


def test_a_damaged_only_version_shows_nothing_rather_than_crashing(store, bundle):
    installed = install_bundle(store, bundle)
    blob_path(store, installed.document_sha256).write_bytes(b"garbage")
    assert verify_blobs_at_rest(store) == [installed.document_sha256]
    assert active_content(store) is None


# ---------------------------------------------------------------- lookups
def test_index_lookups(bundle):
    index = ContentIndex(bundle.content)
    assert index.store("s-coffee").unit == "1F-01"
    assert index.store("nope") is None
    assert index.category("food").name.en == "Food"
    assert index.level("B1").short_name == "B1"
    assert index.facility("wc-2").level_id == "L2"
    assert [s.id for s in index.stores_in_category("food")] == ["s-coffee", "s-bar"]
    assert [s.id for s in index.stores_on_level("L1")] == ["s-coffee", "s-shoes"]
    assert [level.short_name for level in index.levels()] == ["B1", "1F", "2F"]
    assert [f.id for f in index.facilities_of_kind("restroom")] == ["wc-1", "wc-2"]
    assert [f.id for f in index.facilities_of_kind("restroom", level_id="L2")] == ["wc-2"]
    assert index.facilities_of_kind("atm") == []
    assert index.kiosk_point("kp-south").id == "kp-south"
    assert index.kiosk_point("unknown").id == "kp-north"
    assert index.kiosk_point(None).id == "kp-north"
    assert index.service_desk().id == "desk-1"


def test_service_desk_falls_back_to_the_first_of_its_kind(bundle):
    bundle.content.mall.service_desk_id = None
    assert ContentIndex(bundle.content).service_desk().id == "desk-1"
    bundle.content.facilities = [f for f in bundle.content.facilities if f.kind != "service_desk"]
    assert ContentIndex(bundle.content).service_desk() is None


def test_unknown_timezone_falls_back_to_shanghai(bundle):
    bundle.content.mall.timezone = "Mars/Olympus_Mons"
    bundle.content.mall.name = I18nText(zh_CN="火星")
    assert ContentIndex(bundle.content).timezone.key == "Asia/Shanghai"


def test_the_demo_mall_installs_and_every_reference_resolves(store):
    from pathlib import Path

    from sync.bundle import load_source_bundle

    demo = load_source_bundle(Path(__file__).resolve().parents[2] / "assets" / "demo")
    installed = install_bundle(store, demo)
    content = active_content(store)
    assert content == demo.content and installed.version == 1
    index = ContentIndex(content)
    for shop in content.stores:
        assert index.category(shop.category_id) is not None and index.level(shop.level_id) is not None
        if shop.logo_sha256:
            assert blob_path(store, shop.logo_sha256).read_bytes() == demo.blobs[shop.logo_sha256][0]
    for promotion in content.promotions:
        assert blob_path(store, promotion.image_sha256).exists()
    assert sum(len(index.stores_on_level(level.id)) for level in index.levels()) == len(content.stores)
    assert index.service_desk() is not None
    assert all(index.kiosk_point(point.id) == point for point in content.kiosks)
    assert install_bundle(store, demo) == installed, "the same bundle again changes nothing"


def test_a_refused_version_goes_back_to_the_one_before_and_is_not_installed_again(store, bundle, bundle_factory):
    from kiosk.content import is_refused, refuse_active

    first = install_bundle(store, bundle)
    second = install_bundle(store, bundle_factory(mall_name="第二版"))
    assert refuse_active(store) == first
    assert active_version(store) == first and is_refused(store, second.document_sha256)
    assert not is_refused(store, first.document_sha256)
