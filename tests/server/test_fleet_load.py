"""A server that holds the fleet: heartbeats that change nothing are not written, and a worker at
its limit answers 503 with Retry-After (a real server process and real sockets) instead of
failing inside the database."""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from live_server import ServerProcess, free_port, manage, new_enrollment_code, wait_until
from server_helpers import post_json

from server.fleet import services
from server.fleet.models import Kiosk

HEARTBEAT = "/api/v1/kiosk/heartbeat"


def heartbeat(**overrides) -> dict:
    body = {
        "app_version": "0.1.0", "content_version": 1, "outbox_depth": 0, "last_errors": [],
        "uptime_s": 60.0, "disk_free_bytes": 10_000_000_000,
        "sent_at": datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc).isoformat(),
    }
    return {**body, **overrides}


def kiosk_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")
            and Kiosk._meta.db_table in q["sql"]]


# ---------------------------------------------------------------- heartbeats without a write
def test_a_heartbeat_that_changes_nothing_is_answered_without_a_write(client, enrolled_kiosk):
    assert post_json(client, HEARTBEAT, heartbeat(uptime_s=60), **enrolled_kiosk.headers).status_code == 200
    first = Kiosk.objects.get(pk=enrolled_kiosk.id)

    with CaptureQueriesContext(connection) as queries:
        again = post_json(client, HEARTBEAT, heartbeat(uptime_s=65), **enrolled_kiosk.headers)

    assert again.status_code == 200
    assert kiosk_writes(queries.captured_queries) == []
    stored = Kiosk.objects.get(pk=enrolled_kiosk.id)
    assert (stored.heartbeat_at, stored.uptime_s) == (first.heartbeat_at, 60)


@pytest.mark.parametrize("change", [
    {"outbox_depth": 4}, {"content_version": 2}, {"app_version": "0.2.0"},
    {"last_errors": ["upload: connection refused"]}, {"disk_free_bytes": 9_000_000_000},
])
def test_a_heartbeat_reporting_a_change_is_stored_at_once(client, enrolled_kiosk, change):
    post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers)

    assert post_json(client, HEARTBEAT, heartbeat(uptime_s=65, **change), **enrolled_kiosk.headers).status_code == 200

    stored = Kiosk.objects.get(pk=enrolled_kiosk.id)
    for name, value in change.items():
        assert getattr(stored, name) == value
    assert stored.uptime_s == 65


def test_an_unchanged_heartbeat_is_stored_once_the_last_is_old(client, enrolled_kiosk):
    post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers)
    old = Kiosk.objects.get(pk=enrolled_kiosk.id).heartbeat_at - services.LAST_SEEN_RESOLUTION
    Kiosk.objects.filter(pk=enrolled_kiosk.id).update(heartbeat_at=old, last_seen_at=old)

    post_json(client, HEARTBEAT, heartbeat(uptime_s=95), **enrolled_kiosk.headers)

    stored = Kiosk.objects.get(pk=enrolled_kiosk.id)
    assert stored.heartbeat_at > old + timedelta(seconds=1)
    assert stored.uptime_s == 95


def test_a_waiting_command_is_handed_out_once_between_unchanged_heartbeats(client, enrolled_kiosk):
    post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers)
    services.queue_command(Kiosk.objects.get(pk=enrolled_kiosk.id), "reload")

    replies = [post_json(client, HEARTBEAT, heartbeat(), **enrolled_kiosk.headers).json() for _ in range(3)]

    kinds = [[command["kind"] for command in reply["commands"] if command["kind"] != "sync_now"] for reply in replies]
    assert kinds == [["reload"], [], []]
    assert Kiosk.objects.get(pk=enrolled_kiosk.id).pending_commands == []


# ---------------------------------------------------------------- 503 at the limit (a real server)
@pytest.fixture
def limited_server(tmp_path):
    """A server process (its own SQLite: the limit is the same on every database) that runs one
    request of each lane at a time and lets none wait for a turn."""
    server = ServerProcess(tmp_path / "server", free_port())
    server.data_dir.mkdir()
    server.env.pop("CONCIERGE_DATABASE_URL", None)
    server.env.update(CONCIERGE_KIOSK_API_CONCURRENCY="1", CONCIERGE_KIOSK_API_QUEUE_SECONDS="0",
                      CONCIERGE_SITE_CONCURRENCY="1", CONCIERGE_SITE_QUEUE_SECONDS="0")
    assert manage(server.env, "migrate", "--noinput").returncode == 0
    server.start()
    yield server
    server.stop()


def holding_a_turn(server: ServerProcess, path: str) -> socket.socket:
    """A request whose body never comes: it keeps its lane's turn until the socket closes."""
    held = socket.create_connection(("127.0.0.1", server.port))
    held.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: 1000\r\n\r\n{{".encode())
    return held


def test_a_full_kiosk_lane_answers_503_with_retry_after(limited_server):
    url = limited_server.url + HEARTBEAT
    held = holding_a_turn(limited_server, HEARTBEAT)
    try:
        assert wait_until(lambda: requests.post(url, json=heartbeat(), timeout=5).status_code == 503, timeout=20)
        refused = requests.post(url, json=heartbeat(), timeout=5)
        assert refused.status_code == 503
        assert 1 <= int(refused.headers["Retry-After"]) <= 10
        assert refused.json()["error"]["code"] == "unavailable"
        # The console's lane is its own: staff still get their pages while kiosks are refused.
        assert requests.get(limited_server.url + "/accounts/login/", timeout=5).status_code == 200
    finally:
        held.close()
    assert wait_until(lambda: requests.post(url, json=heartbeat(), timeout=5).status_code == 401, timeout=20)


def test_a_full_site_lane_answers_503_in_the_visitors_language(limited_server):
    held = holding_a_turn(limited_server, "/accounts/login/")
    try:
        def busy(language: str) -> requests.Response:
            return requests.get(limited_server.url + "/accounts/login/", headers={"Accept-Language": language},
                                timeout=5)

        assert wait_until(lambda: busy("en").status_code == 503, timeout=20)
        english, chinese = busy("en"), busy("zh-CN")
        assert english.status_code == chinese.status_code == 503
        assert "The server is busy" in english.text and english.headers["Retry-After"].isdigit()
        assert "服务器繁忙" in chinese.text
    finally:
        held.close()


def test_a_held_broadcast_poll_keeps_no_turn(limited_server):
    code = new_enrollment_code(limited_server)
    enrolled = requests.post(limited_server.url + "/api/v1/kiosks/enroll", json={"code": code, "app_version": "t"},
                             timeout=10).json()
    headers = {"Authorization": f"Bearer {enrolled['device_key']}"}
    first = requests.get(limited_server.url + "/api/v1/kiosk/broadcasts", headers=headers, timeout=10)
    answers: list[int] = []

    def long_poll() -> None:  # held by the server for 5 s: nothing changes meanwhile
        answers.append(requests.get(limited_server.url + "/api/v1/kiosk/broadcasts?wait=5", timeout=30,
                                    headers={**headers, "If-None-Match": first.headers["ETag"]}).status_code)

    thread = threading.Thread(target=long_poll)
    thread.start()
    try:
        assert requests.post(limited_server.url + HEARTBEAT, json=heartbeat(), headers=headers,
                             timeout=10).status_code == 200
    finally:
        thread.join()
    assert answers == [304]
