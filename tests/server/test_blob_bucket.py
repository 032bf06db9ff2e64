"""Blobs in an S3-compatible bucket (CONCIERGE_BLOB_STORAGE=s3): imported and published content
puts its bytes there, the kiosk API serves them whole and by range exactly as from the database,
retention deletes the objects, and `move-blobs` moves what the database held.

The bucket is a real S3-compatible server on a free local port (moto's server mode, one per
module); the tests read the objects back from it with their own boto3 client.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import requests
from asgiref.sync import async_to_sync
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpRequest
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone
from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code
from moto.server import ThreadedMotoServer
from server_helpers import png_bytes

from kiosk.content import active_content, active_version, verify_blobs_at_rest
from kiosk.identity import load_identity
from kiosk.sync_agent import SyncAgent
from server.accounts.roles import Role
from server.accounts.services import create_staff_user
from server.content import blob_store, services
from server.content.models import Blob, Promotion
from server.content.retention import prune_blobs
from sync.protocol import MallContent, sha256_hex

LARGE = bytes(range(256)) * 2600
"""A blob of several streamed chunks (blob_store.CHUNK_BYTES is 256 KiB)."""
pytestmark = pytest.mark.django_db

REPO_DIR = Path(__file__).resolve().parents[2]
KEYS = {"access_key": "concierge-test", "secret_key": "concierge-test-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port())
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id=KEYS["access_key"],
                        aws_secret_access_key=KEYS["secret_key"], region_name=KEYS["region_name"])


@pytest.fixture
def bucket(settings, s3, s3_endpoint) -> str:
    """A fresh bucket, and the server's blobs going into it, as CONCIERGE_BLOB_STORAGE=s3 sets up."""
    name = f"concierge-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "blobs": s3_storage(name, s3_endpoint)}
    return name


def s3_storage(bucket_name: str, endpoint: str) -> dict:
    options = {"bucket_name": bucket_name, "endpoint_url": endpoint, "addressing_style": "path",
               "file_overwrite": True, "default_acl": None, **KEYS}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def object_bytes(s3, bucket_name: str, sha256: str) -> bytes | None:
    try:
        return s3.get_object(Bucket=bucket_name, Key=f"blobs/{sha256}")["Body"].read()
    except ClientError:
        return None


def object_keys(s3, bucket_name: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=bucket_name).get("Contents", [])}


def get_blob(client, sha256: str, **headers):
    response = client.get(f"/api/v1/blobs/{sha256}", headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_published_content_lives_in_the_bucket_and_the_rows_keep_only_metadata(bucket, s3, bundle):
    mall = services.import_mall_content(bundle.content, bundle.blobs).mall
    version = services.publish(mall).version
    for sha256, (data, media_type) in bundle.blobs.items():
        assert object_bytes(s3, bucket, sha256) == data
        row = Blob.objects.get(pk=sha256)
        assert (row.data, row.size, row.media_type) == (None, len(data), media_type)
    document = object_bytes(s3, bucket, version.document_sha256)
    assert MallContent.model_validate_json(document) == services.build_mall_content(mall)[0]
    assert s3.head_object(Bucket=bucket, Key=f"blobs/{bundle.logo_sha256}")["ContentType"] == "image/png"
    assert services.read_blob(version.document_sha256) == (document, "application/json")


def test_the_kiosk_api_serves_bucket_blobs_whole_and_by_range(bucket, client, db):
    sha256 = services.store_blob(LARGE, "font/woff2").sha256
    etag = f'"{sha256}"'

    whole, body = get_blob(client, sha256)
    assert whole.status_code == 200 and body == LARGE
    assert (whole["Content-Length"], whole["ETag"], whole["Accept-Ranges"]) == (str(len(LARGE)), etag, "bytes")
    assert whole["Content-Type"] == "font/woff2" and "immutable" in whole["Cache-Control"]

    start = blob_store.CHUNK_BYTES - 10  # across a chunk boundary, to the end
    resumed, body = get_blob(client, sha256, Range=f"bytes={start}-")
    assert resumed.status_code == 206 and body == LARGE[start:]
    assert resumed["Content-Range"] == f"bytes {start}-{len(LARGE) - 1}/{len(LARGE)}"
    assert resumed["Content-Length"] == str(len(LARGE) - start)

    suffix, body = get_blob(client, sha256, Range="bytes=-100")
    assert suffix.status_code == 206 and body == LARGE[-100:]

    past_the_end, _ = get_blob(client, sha256, Range=f"bytes={len(LARGE)}-")
    assert past_the_end.status_code == 416
    assert past_the_end["Content-Range"] == f"bytes */{len(LARGE)}"

    cached, _ = get_blob(client, sha256, If_None_Match=etag)
    assert cached.status_code == 304


def test_under_asgi_a_bucket_blob_is_streamed_by_an_async_iterator(bucket, db):
    sha256 = services.store_blob(LARGE, "font/woff2").sha256

    async def fetch(**headers):
        response = await AsyncClient().get(f"/api/v1/blobs/{sha256}", headers=headers)
        assert response.is_async  # chunks read off the event loop, not a list gathered first
        return response, b"".join([chunk async for chunk in response.streaming_content])

    whole, body = async_to_sync(fetch)()
    assert whole.status_code == 200 and body == LARGE and whole["Content-Length"] == str(len(LARGE))
    part, body = async_to_sync(fetch)(Range="bytes=10-19")
    assert part.status_code == 206 and body == LARGE[10:20] and part["Content-Range"] == f"bytes 10-19/{len(LARGE)}"


def test_a_missing_object_is_a_missing_blob(bucket, s3, client, db):
    sha256 = services.store_blob(png_bytes((5, 6, 7)), "image/png").sha256
    s3.delete_object(Bucket=bucket, Key=f"blobs/{sha256}")
    response, _ = get_blob(client, sha256)
    assert response.status_code == 404
    assert services.read_blob(sha256) is None


def test_retention_deletes_the_objects_of_the_blobs_it_removes(bucket, s3, bundle, django_capture_on_commit_callbacks):
    mall = services.import_mall_content(bundle.content, bundle.blobs).mall
    services.publish(mall)
    old_poster = bundle.promotion_sha256
    new_poster = services.store_blob(png_bytes((1, 2, 3)), "image/png").sha256
    Promotion.objects.filter(mall=mall).update(image_sha256=new_poster)
    Blob.objects.filter(pk=old_poster).update(created_at=timezone.now() - timedelta(days=2))
    # The published version still names the old poster: it stays, object and all.
    with django_capture_on_commit_callbacks(execute=True):
        assert prune_blobs() == (0, 0)
    assert object_bytes(s3, bucket, old_poster) is not None

    services.publish(mall)
    mall.versions.filter(version=1).delete()  # as prune_versions does once a version is past keeping
    with django_capture_on_commit_callbacks(execute=True):
        count, size = prune_blobs()
    assert (count, size) == (1, len(bundle.blobs[old_poster][0]))
    assert not Blob.objects.filter(pk=old_poster).exists()
    assert f"blobs/{old_poster}" not in object_keys(s3, bucket)
    assert object_bytes(s3, bucket, new_poster) == png_bytes((1, 2, 3))


def test_an_admin_upload_goes_to_the_bucket_and_an_admin_delete_takes_the_object(
        bucket, s3, client, imported_mall, django_capture_on_commit_callbacks):
    create_staff_user("boss", Role.ADMINISTRATOR, "correct-horse-battery-9", mall=imported_mall)
    assert client.login(request=HttpRequest(), username="boss", password="correct-horse-battery-9")
    data = png_bytes((9, 99, 199))
    response = client.post(reverse("admin:content_blob_add"),
                           {"upload": SimpleUploadedFile("logo.png", data, content_type="image/png")})
    assert response.status_code == 302
    sha256 = sha256_hex(data)
    assert object_bytes(s3, bucket, sha256) == data and Blob.objects.get(pk=sha256).data is None

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(reverse("admin:content_blob_delete", args=[sha256]), {"post": "yes"})
    assert deleted.status_code == 302
    assert object_bytes(s3, bucket, sha256) is None


def test_move_blobs_moves_what_the_database_held_and_serving_never_stops(settings, s3, s3_endpoint, client, bundle,
                                                                        capsys):
    mall = services.import_mall_content(bundle.content, bundle.blobs).mall  # in the database: no bucket yet
    version = services.publish(mall).version
    held = {sha256: bytes(data) for sha256, data in Blob.objects.values_list("sha256", "data")}
    assert len(held) == len(bundle.blobs) + 1 and all(held.values())

    name = f"concierge-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "blobs": s3_storage(name, s3_endpoint)}
    response, body = get_blob(client, bundle.logo_sha256)  # switched, not moved yet: served from the row
    assert response.status_code == 200 and body == held[bundle.logo_sha256]

    call_command("move_blobs")
    assert f"Moved {len(held)} blob(s), {sum(map(len, held.values()))} bytes" in capsys.readouterr().out
    assert not Blob.objects.filter(data__isnull=False).exists()
    for sha256, data in held.items():
        assert object_bytes(s3, name, sha256) == data
    response, body = get_blob(client, bundle.logo_sha256, Range="bytes=1-")
    assert response.status_code == 206 and body == held[bundle.logo_sha256][1:]
    assert services.read_blob(version.document_sha256) == (held[version.document_sha256], "application/json")

    call_command("move_blobs")  # again: nothing left to move
    assert "Moved 0 blob(s), 0 bytes" in capsys.readouterr().out


def test_move_blobs_without_a_bucket_says_so(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="CONCIERGE_BLOB_STORAGE"):
        call_command("move_blobs")


def run_with_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("CONCIERGE_S3_", "CONCIERGE_BLOB_", "AWS_"))}
    environment.update(PYTHONPATH=str(REPO_DIR), DJANGO_SETTINGS_MODULE="server.settings", **env)
    return subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=REPO_DIR,
                          env=environment, capture_output=True, text=True, timeout=60)


def test_the_environment_names_the_bucket_the_server_writes_to(s3, s3_endpoint, tmp_path):
    name = f"concierge-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    env = {"CONCIERGE_DATA_DIR": str(tmp_path), "CONCIERGE_BLOB_STORAGE": "s3", "CONCIERGE_S3_BUCKET": name,
           "CONCIERGE_S3_ENDPOINT_URL": s3_endpoint, "CONCIERGE_S3_REGION": KEYS["region_name"],
           "CONCIERGE_S3_ACCESS_KEY": KEYS["access_key"], "CONCIERGE_S3_SECRET_KEY": KEYS["secret_key"],
           "CONCIERGE_S3_ADDRESSING_STYLE": "path"}
    written = run_with_settings(env, "from django.core.files.base import ContentFile; "
                                     "from server.content import blob_store; "
                                     "blob_store.bucket().save('blobs/probe', ContentFile(b'written by the server'))")
    assert written.returncode == 0, written.stderr
    assert object_bytes(s3, name, "probe") == b"written by the server"

    in_database = run_with_settings({"CONCIERGE_DATA_DIR": str(tmp_path)},
                                    "from server.content import blob_store; print(blob_store.bucket())")
    assert in_database.stdout.strip() == "None"


@pytest.mark.parametrize("env, problem", [
    ({"CONCIERGE_BLOB_STORAGE": "s3"}, "needs CONCIERGE_S3_BUCKET"),
    ({"CONCIERGE_BLOB_STORAGE": "disk"}, 'must be "database" or "s3"'),
])
def test_a_half_configured_bucket_stops_the_server_from_starting(env, problem, tmp_path):
    result = run_with_settings({"CONCIERGE_DATA_DIR": str(tmp_path), **env}, "")
    assert result.returncode != 0 and problem in result.stderr


@pytest.mark.e2e
def test_a_real_server_on_a_bucket_hands_a_kiosk_its_content(s3, s3_endpoint, tmp_path):
    """`python -m server serve` (uvicorn) with the bucket in its environment, seeded with the demo
    mall; a kiosk enrols, installs the content, and resumes a download, over real HTTP."""
    name = f"concierge-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    server = ServerProcess(tmp_path / "server", free_port())
    server.data_dir.mkdir()
    server.env.pop("CONCIERGE_DATABASE_URL", None)  # its own SQLite, also in the PostgreSQL run
    server.env.update(CONCIERGE_BLOB_STORAGE="s3", CONCIERGE_S3_BUCKET=name, CONCIERGE_S3_ENDPOINT_URL=s3_endpoint,
                      CONCIERGE_S3_REGION=KEYS["region_name"], CONCIERGE_S3_ACCESS_KEY=KEYS["access_key"],
                      CONCIERGE_S3_SECRET_KEY=KEYS["secret_key"], CONCIERGE_S3_ADDRESSING_STYLE="path")
    assert manage(server.env, "migrate", "--noinput").returncode == 0
    code = new_enrollment_code(server)  # seeds the demo mall: its pictures go to the bucket
    counted = manage(server.env, "shell", "-c", "from server.content.models import Blob; "
                                                "print(Blob.objects.count(), Blob.objects.filter(data=None).count())")
    rows, in_bucket = map(int, counted.stdout.split()[-2:])
    assert rows > 5 and in_bucket == rows
    assert len(object_keys(s3, name)) == rows

    server.start()
    try:
        store = enroll(server, tmp_path / "kiosk", code)
        agent = SyncAgent(store, load_identity(store), "test")
        assert agent.pull_content(store) is not None
        assert verify_blobs_at_rest(store) == []  # every blob arrived whole, re-hashed on the kiosk's disk
        picture = active_content(store).stores[0].logo_sha256 or active_version(store).document_sha256
        stored = object_bytes(s3, name, picture)
        assert stored is not None and store.read_blob(picture) == stored

        resumed = requests.get(f"{server.url}/api/v1/blobs/{picture}", headers={"Range": "bytes=5-"}, timeout=10)
        assert resumed.status_code == 206 and resumed.content == stored[5:]
        assert resumed.headers["Content-Length"] == str(len(stored) - 5)
        assert resumed.headers["Content-Range"] == f"bytes 5-{len(stored) - 1}/{len(stored)}"
        # Streamed chunk by chunk: Django warns when it must gather a synchronous iterator first.
        assert "synchronous iterators" not in server.log.read_text()
        store.close()
    finally:
        server.stop()
