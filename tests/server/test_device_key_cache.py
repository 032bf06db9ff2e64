"""Device keys checked recently open heartbeats and broadcast polls from memory
(server/fleet/key_cache.py), and a revocation still closes the API: at once when made in the
process that kept the key, within CONCIERGE_DEVICE_KEY_CACHE_SECONDS when made elsewhere."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
from live_server import ServerProcess, free_port, manage, new_enrollment_code, wait_until
from server_helpers import post_json

from server.fleet import remote
from server.fleet.models import Kiosk

HEARTBEAT = "/api/v1/kiosk/heartbeat"
BROADCASTS = "/api/v1/kiosk/broadcasts"


def heartbeat() -> dict:
    return {"app_version": "0.1.0", "content_version": 1, "outbox_depth": 0, "last_errors": [], "uptime_s": 60.0,
            "disk_free_bytes": 10_000_000_000, "sent_at": datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc).isoformat()}


@pytest.fixture
def keys_kept_a_minute(settings):
    settings.CONCIERGE_DEVICE_KEY_CACHE_SECONDS = 60


@pytest.mark.django_db
def test_a_key_revoked_in_the_process_that_kept_it_is_refused_at_once(client, enrolled_kiosk, keys_kept_a_minute):
    assert post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers).status_code == 200

    remote.revoke(Kiosk.objects.get(pk=enrolled_kiosk.id))

    assert post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers).status_code == 401
    assert client.get(BROADCASTS, headers=enrolled_kiosk.headers).status_code == 401


@pytest.mark.django_db
def test_a_kept_key_opens_the_api_without_reading_the_kiosk_again(client, enrolled_kiosk, keys_kept_a_minute):
    assert client.get(BROADCASTS, headers=enrolled_kiosk.headers).status_code == 200
    # What another worker's revocation looks like from here: the row changes, this process is not told.
    Kiosk.objects.filter(pk=enrolled_kiosk.id).update(revoked_at=datetime.now(timezone.utc))

    assert client.get(BROADCASTS, headers=enrolled_kiosk.headers).status_code == 200


@pytest.fixture
def server(tmp_path):
    server = ServerProcess(tmp_path, free_port())
    server.env.pop("CONCIERGE_DATABASE_URL", None)
    server.env["CONCIERGE_DEVICE_KEY_CACHE_SECONDS"] = "3"
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    server.start()
    yield server
    server.stop()


def test_a_key_revoked_by_another_process_stops_working_within_seconds(server):
    enrolled = requests.post(server.url + "/api/v1/kiosks/enroll", timeout=10,
                             json={"code": new_enrollment_code(server), "app_version": "0.1.0", "hostname": "hall"})
    assert enrolled.status_code == 201, enrolled.text
    kiosk = enrolled.json()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {kiosk['device_key']}"
    assert session.post(server.url + HEARTBEAT, json=heartbeat(), timeout=10).status_code == 200

    revoked = manage(server.env, "shell", "-c", (
        "from server.fleet.models import Kiosk\n"
        "from server.fleet.remote import revoke\n"
        f"revoke(Kiosk.objects.get(pk={kiosk['kiosk_id']!r}))\n"))
    assert revoked.returncode == 0, revoked.stderr

    assert wait_until(lambda: session.post(server.url + HEARTBEAT, json=heartbeat(), timeout=10).status_code == 401,
                      timeout=30, every=0.5)
    assert session.get(server.url + BROADCASTS, timeout=10).status_code == 401
