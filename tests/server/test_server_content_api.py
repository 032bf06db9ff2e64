"""GET /api/v1/kiosk/content (manifest, ETag, 304) and GET /api/v1/blobs/{sha256}."""
from __future__ import annotations

import pytest
from server_helpers import assert_error, make_bundle, post_json

from server.content.models import Blob, ContentVersion
from server.content.services import import_mall_content, publish
from server.fleet.services import create_enrollment_code
from sync.protocol import ContentManifest, MallContent, sha256_hex

CONTENT = "/api/v1/kiosk/content"


def blob_url(sha256: str) -> str:
    return f"/api/v1/blobs/{sha256}"


def test_nothing_published_is_a_404_json_error(client, enrolled_kiosk):
    assert_error(client.get(CONTENT, headers=enrolled_kiosk.headers), 404, "no_content")


def test_the_manifest_of_the_kiosks_mall_with_its_etag(client, enrolled_kiosk, published, bundle):
    response = client.get(CONTENT, headers=enrolled_kiosk.headers)

    assert response.status_code == 200
    manifest = ContentManifest.model_validate(response.json())
    assert manifest.mall_id == "test-mall" and manifest.version == 1
    assert response["ETag"] == manifest.etag() == published.etag
    assert response["Cache-Control"] == "no-cache"
    assert {ref.sha256 for ref in manifest.blobs} == set(bundle.blobs)
    assert manifest == ContentManifest.model_validate(ContentVersion.objects.get().manifest)


def test_matching_if_none_match_gives_304(client, enrolled_kiosk, published):
    etag = client.get(CONTENT, headers=enrolled_kiosk.headers)["ETag"]

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(CONTENT, headers={**enrolled_kiosk.headers, "If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag

    stale = client.get(CONTENT, headers={**enrolled_kiosk.headers, "If-None-Match": '"test-mall-v0-x"'})
    assert stale.status_code == 200


def test_a_new_version_changes_the_etag(client, enrolled_kiosk, published, imported_mall):
    first = client.get(CONTENT, headers=enrolled_kiosk.headers)["ETag"]
    imported_mall.phone = "021-87654321"
    imported_mall.save()
    publish(imported_mall)

    response = client.get(CONTENT, headers={**enrolled_kiosk.headers, "If-None-Match": first})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response["ETag"] != first


def test_each_kiosk_gets_its_own_malls_content(client, enrolled_kiosk, published):
    other = make_bundle("other-mall")
    other_mall = import_mall_content(other.content, other.blobs).mall
    publish(other_mall)
    publish(other_mall)
    code = create_enrollment_code(other_mall).code
    other_key = post_json(client, "/api/v1/kiosks/enroll", {"code": code}).json()["device_key"]

    mine = client.get(CONTENT, headers=enrolled_kiosk.headers).json()
    theirs = client.get(CONTENT, headers={"Authorization": f"Bearer {other_key}"}).json()
    assert (mine["mall_id"], mine["version"]) == ("test-mall", 1)
    assert (theirs["mall_id"], theirs["version"]) == ("other-mall", 2)


def test_every_blob_of_the_manifest_downloads_and_matches_its_hash(client, enrolled_kiosk, published, bundle):
    manifest = ContentManifest.model_validate(client.get(CONTENT, headers=enrolled_kiosk.headers).json())

    for ref in [manifest.document, *manifest.blobs]:
        response = client.get(blob_url(ref.sha256))  # blobs need no key: phones fetch them too
        assert response.status_code == 200
        assert sha256_hex(response.content) == ref.sha256
        assert len(response.content) == ref.size == int(response["Content-Length"])
        assert response["Content-Type"] == ref.media_type
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["ETag"] == f'"{ref.sha256}"'

    document = MallContent.model_validate_json(client.get(blob_url(manifest.document.sha256)).content)
    assert document == bundle.content  # what was imported is what kiosks get


def test_blob_revalidation_gives_304(client, published, bundle):
    sha = bundle.logo_sha256
    response = client.get(blob_url(sha), headers={"If-None-Match": f'"{sha}"'})
    assert response.status_code == 304


def test_a_cut_download_resumes_with_a_range(client, published, bundle):
    sha = bundle.logo_sha256
    whole = client.get(blob_url(sha)).content
    assert len(whole) > 20
    rest = client.get(blob_url(sha), headers={"Range": "bytes=20-"})
    assert rest.status_code == 206 and rest["Content-Range"] == f"bytes 20-{len(whole) - 1}/{len(whole)}"
    assert whole[:20] + rest.content == whole and int(rest["Content-Length"]) == len(whole) - 20
    middle = client.get(blob_url(sha), headers={"Range": "bytes=3-5"})
    assert middle.status_code == 206 and middle.content == whole[3:6]
    assert client.get(blob_url(sha), headers={"Range": "bytes=-4"}).content == whole[-4:]


@pytest.mark.parametrize("header", ["bytes=0-1,4-5", "items=0-3", "bytes=x-", "bytes=9-2", "bytes=-"])
def test_a_range_this_server_does_not_serve_gets_the_whole_blob(client, published, bundle, header):
    whole = client.get(blob_url(bundle.logo_sha256)).content
    response = client.get(blob_url(bundle.logo_sha256), headers={"Range": header})
    assert response.status_code == 200 and response.content == whole


def test_a_range_past_the_end_is_a_416_naming_the_size(client, published, bundle):
    whole = client.get(blob_url(bundle.logo_sha256)).content
    response = client.get(blob_url(bundle.logo_sha256), headers={"Range": f"bytes={len(whole)}-"})
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(whole)}"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "0" * 64 + ".png"])
def test_a_malformed_hash_is_a_400(client, bad):
    assert_error(client.get(blob_url(bad)), 400, "invalid_hash")


@pytest.mark.django_db
def test_an_unknown_blob_is_a_404(client):
    assert_error(client.get(blob_url("0" * 64)), 404, "unknown_blob")


def test_blobs_are_stored_once_by_content(published, bundle):
    assert Blob.objects.count() == len(bundle.blobs) + 1  # the images and one document
    stored = Blob.objects.get(pk=bundle.logo_sha256)
    assert bytes(stored.data) == bundle.blobs[bundle.logo_sha256][0]
    assert stored.size == len(bytes(stored.data))


def test_blob_responses_cannot_run_script(client, published, bundle):
    response = client.get(blob_url(bundle.logo_sha256))
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
