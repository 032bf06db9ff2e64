"""With Redis configured, a held broadcast poll of a real server process (SQLite) wakes on the
message another process publishes when it commits a change (server/broadcasts/changes.py,
server/broadcasts/watch.py), not on a re-read: the server here re-reads on its own only every
600 s, far past the poll's hold, so only the message can make the poll answer with the change.

Needs a Redis: CONCIERGE_TEST_REDIS_URL (CI sets it), else redis://127.0.0.1:6379/0; the tests
skip, saying so, when none answers."""
from __future__ import annotations

import os
import threading

import pytest
import redis
import requests
from live_server import ServerProcess, free_port, manage, new_enrollment_code, wait_until

REDIS_URL = os.environ.get("CONCIERGE_TEST_REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
BROADCASTS = "/api/v1/kiosk/broadcasts"


@pytest.fixture(scope="module")
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as unreachable:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({unreachable}); set CONCIERGE_TEST_REDIS_URL to one")
    yield client
    client.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, redis_client):
    data_dir = tmp_path_factory.mktemp("redis-wake")
    server = ServerProcess(data_dir, free_port())
    server.env.pop("CONCIERGE_DATABASE_URL", None)  # SQLite, where nothing else would tell the worker
    server.env.update(CONCIERGE_REDIS_URL=REDIS_URL, CONCIERGE_BROADCAST_CHECK_SECONDS="600",
                      CONCIERGE_BROADCAST_RECHECK_SECONDS="600")
    migrated = manage(server.env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kiosk(server) -> dict:
    enrolled = requests.post(server.url + "/api/v1/kiosks/enroll", timeout=10,
                             json={"code": new_enrollment_code(server), "app_version": "0.1.0", "hostname": "hall"})
    assert enrolled.status_code == 201, enrolled.text
    return enrolled.json()


def in_other_process(server, code: str) -> None:
    result = manage(server.env, "shell", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr


def hold_poll(server, kiosk, redis_client) -> tuple[threading.Thread, list[requests.Response]]:
    """A poll held by the server with the kiosk's current ETag, once the server's worker is
    subscribed to its database's channel."""
    headers = {"Authorization": f"Bearer {kiosk['device_key']}"}
    first = requests.get(server.url + BROADCASTS, headers=headers, timeout=10)
    assert first.status_code == 200
    answers: list[requests.Response] = []
    poll = threading.Thread(target=lambda: answers.append(requests.get(
        server.url + BROADCASTS, params={"wait": 25}, timeout=60,
        headers={**headers, "If-None-Match": first.headers["ETag"]})))
    poll.start()
    database = str(server.data_dir / "server.sqlite3")

    def subscribed() -> bool:
        channels = [name.decode() for name in redis_client.pubsub_channels("concierge:broadcasts:*")]
        return any(name.endswith(database) and redis_client.pubsub_numsub(name)[0][1] for name in channels)

    assert wait_until(subscribed, timeout=20, every=0.05), "the server's worker never subscribed"
    return poll, answers


def test_an_emergency_sent_by_another_process_wakes_the_held_poll(server, kiosk, redis_client):
    poll, answers = hold_poll(server, kiosk, redis_client)

    in_other_process(server, (
        "from datetime import timedelta\n"
        "from server.malls.models import Mall\n"
        "from server.broadcasts.services import send_broadcast\n"
        "from sync.protocol import I18nText\n"
        "send_broadcast(Mall.objects.get(), kind='emergency', reason='fire', duration=timedelta(minutes=5),\n"
        "               title=I18nText(zh_CN='火警', en='Fire', zh_TW='火警'),\n"
        "               text=I18nText(zh_CN='请离开', en='Leave now', zh_TW='請離開'))\n"))
    poll.join(60)

    assert [answer.status_code for answer in answers] == [200]
    assert [item["title"]["en"] for item in answers[0].json()["broadcasts"]] == ["Fire"]


def test_a_console_command_queued_by_another_process_wakes_the_kiosks_held_poll(server, kiosk, redis_client):
    poll, answers = hold_poll(server, kiosk, redis_client)

    in_other_process(server, (
        "from server.fleet.models import Kiosk\n"
        "from server.fleet.remote import send_command\n"
        f"send_command(Kiosk.objects.get(pk={kiosk['kiosk_id']!r}), 'reload', None)\n"))
    poll.join(60)

    assert [answer.status_code for answer in answers] == [200]
    assert answers[0].json()["commands_waiting"] is True
