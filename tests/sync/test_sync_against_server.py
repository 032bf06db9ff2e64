"""The sync agent against the real central server (`python -m server serve`) in a subprocess.

The server gets a temporary CONCIERGE_DATA_DIR, is seeded with `python -m server demo`, and the
kiosk enrolls with the code the demo prints — the path an operator takes.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest
import requests
from live_server import ROOT, ServerProcess, enroll, free_port, manage, new_enrollment_code, wait_until

from kiosk import outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.content import active_content, active_version, verify_blobs_at_rest
from kiosk.identity import load_identity
from kiosk.sync_agent import SyncAgent
from sync.protocol import CONTENT_PATH

pytestmark = pytest.mark.e2e

PHONE = "13612345678"


@pytest.fixture(scope="module")
def enrolled(central_server, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("kiosk")
    store = enroll(central_server, data_dir, central_server.first_code)
    yield store, load_identity(store)
    store.close()


def draft() -> CaseDraft:
    return CaseDraft(kind="complaint", category="environment_facilities", description="B1 洗手间没有纸 <b>急</b>",
                     contact_phone=PHONE, contact_consent=True)


def test_enrolled_identity_is_usable(enrolled, central_server):
    _store, identity = enrolled
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{3}", identity.kiosk_code)
    assert identity.server_url == central_server.url and identity.device_key


def test_an_enrollment_code_works_only_once(central_server, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "enroll", "--server", central_server.url, "--code", central_server.first_code,
         "--data-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 1 and "refused" in result.stderr and "Traceback" not in result.stderr


def test_content_installs_and_then_answers_304(enrolled):
    store, identity = enrolled
    changes = []
    agent = SyncAgent(store, identity, "test", on_content_changed=changes.append)
    version = agent.pull_content(store)
    assert version is not None and changes == [version]
    installed = active_version(store)
    assert installed.etag and installed.mall_id == identity.mall_id
    content = active_content(store)
    assert content.mall.id == identity.mall_id and content.stores
    assert not [p for p in store.blobs_dir.iterdir() if p.name.startswith(".")], "no half-written blobs"
    assert agent.pull_content(store) is None
    response = requests.get(identity.server_url + CONTENT_PATH, timeout=10,
                            headers={"Authorization": f"Bearer {identity.device_key}", "If-None-Match": installed.etag})
    assert response.status_code == 304


def test_a_picture_damaged_on_the_kiosk_disk_is_fetched_again_from_the_server(enrolled):
    store, identity = enrolled
    changes = []
    agent = SyncAgent(store, identity, "test", on_content_changed=changes.append)
    agent.pull_content(store)
    content = active_content(store)
    picture = next(p.image_sha256 for p in content.promotions if p.image_sha256)
    good = store.blob_path(picture).read_bytes()
    store.blob_path(picture).write_bytes(good[: len(good) // 2])  # a torn file left by a bad disk
    assert verify_blobs_at_rest(store) == [picture]
    agent.run_cycle(store)  # content answers 304; the cycle still repairs
    assert store.blob_path(picture).read_bytes() == good
    assert changes and changes[-1] == active_version(store).version  # the screens redraw


def test_push_is_exactly_once_when_the_ack_is_lost(enrolled, central_server):
    store, identity = enrolled
    receipt = submit_case(store, identity, draft())
    payload = outbox.get(store, receipt.case_id).payload
    # The first upload reaches the server but its reply never reaches the kiosk.
    lost = requests.post(identity.server_url + "/api/v1/kiosk/cases", data=payload.encode(), timeout=10,
                         headers={"Authorization": f"Bearer {identity.device_key}", "Content-Type": "application/json"})
    assert lost.status_code == 201, lost.text
    assert outbox.depth(store) >= 1
    agent = SyncAgent(store, identity, "test")
    assert agent.push_outbox(store).sent >= 1
    assert outbox.get(store, receipt.case_id) is not None and outbox.depth(store) == 0
    assert json.loads(lost.text)["created"] is True
    assert central_server.count_cases(receipt.case_id) == 1
    # The tracking URL in the receipt opens the case on the server.
    page = requests.get(receipt.tracking_url.replace(identity.public_base_url, central_server.url), timeout=10)
    assert page.status_code == 200 and receipt.reference in page.text


def test_concurrent_retries_store_one_case(enrolled, central_server):
    store, identity = enrolled
    receipt = submit_case(store, identity, draft())
    payload = outbox.get(store, receipt.case_id).payload.encode()
    statuses: list[int] = []

    def upload():
        response = requests.post(identity.server_url + "/api/v1/kiosk/cases", data=payload, timeout=20,
                                 headers={"Authorization": f"Bearer {identity.device_key}",
                                          "Content-Type": "application/json"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert central_server.count_cases(receipt.case_id) == 1
    SyncAgent(store, identity, "test").push_outbox(store)
    assert outbox.depth(store) == 0


def test_usage_events_arrive_once_when_the_ack_is_lost(enrolled, central_server):
    from kiosk import events

    store, identity = enrolled
    for index in range(25):
        events.record_event(store, "promotion_shown", subject_id=f"ack-lost-{index % 5}")
    pending = events.next_batch(store)
    # The batch reaches the server but its reply is lost: the kiosk still holds the same batch.
    lost = requests.post(identity.server_url + "/api/v1/kiosk/events", data=pending.batch.model_dump_json(),
                         timeout=10, headers={"Authorization": f"Bearer {identity.device_key}",
                                              "Content-Type": "application/json"})
    assert lost.status_code == 201, lost.text
    assert events.queued_count(store) == 25
    assert SyncAgent(store, identity, "test").push_events(store) == 25
    assert events.queued_count(store) == 0
    stored = manage(central_server.env, "shell", "-c", (
        "from server.fleet.models import KioskEvent; "
        "print(KioskEvent.objects.filter(subject_id__startswith='ack-lost-').count())"))
    assert stored.returncode == 0, stored.stderr
    assert int(stored.stdout.strip().splitlines()[-1]) == 25


def test_heartbeat_is_accepted(enrolled):
    store, identity = enrolled
    reply = SyncAgent(store, identity, "test").send_heartbeat(store)
    assert reply is not None and reply.poll_seconds >= 1


def test_cases_wait_out_a_server_outage_and_arrive_once(central_server, tmp_path):
    """A second server on its own port: enroll, stop it, file cases offline, restart, deliver."""
    server = ServerProcess(central_server.data_dir, free_port())
    code = new_enrollment_code(server)
    server.start()
    try:
        store = enroll(server, tmp_path / "kiosk", code)
        identity = load_identity(store)
        agent = SyncAgent(store, identity, "test")
        agent.timeout = (1.0, 5.0)
        server.stop()

        receipts = [submit_case(store, identity, draft()) for _ in range(3)]
        for _ in range(3):
            store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")
            assert agent.push_outbox(store).failed == 1
        assert outbox.depth(store) == 3
        assert agent.status().online is False
        first = outbox.get(store, receipts[0].case_id)
        assert first.attempts == 3 and "ConnectionError" in first.last_error

        server.start()
        store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")
        agent.start()
        agent.wake()
        assert wait_until(lambda: outbox.depth(store) == 0, timeout=30)
        agent.stop()
        for receipt in receipts:
            assert server.count_cases(receipt.case_id) == 1
        store.close()
    finally:
        server.stop()


# ---------------------------------------------------------------- broadcasts: the long poll
def send_emergency(server) -> str:
    sent = manage(server.env, "shell", "-c", (
        "from datetime import timedelta; from server.malls.models import Mall;"
        "from server.broadcasts.services import send_broadcast; from sync.protocol import I18nText;"
        "t = I18nText(zh_CN='演练', en='Drill', zh_TW='演練');"
        "print(send_broadcast(Mall.objects.get(), kind='emergency', reason='other', title=t, text=t,"
        " duration=timedelta(minutes=5)).id)"))
    assert sent.returncode == 0, sent.stderr
    return sent.stdout.strip().splitlines()[-1]


def end_broadcast(server, broadcast_id: str) -> None:
    ended = manage(server.env, "shell", "-c", (
        "from server.broadcasts.models import Broadcast; from server.broadcasts.services import end_broadcast;"
        f"print(end_broadcast(Broadcast.objects.get(pk='{broadcast_id}')))"))
    assert ended.returncode == 0, ended.stderr


def broadcasts_poll(session, server, etag: str | None = None, wait: int = 0):
    headers = {"If-None-Match": etag} if etag else {}
    return session.get(f"{server.url}/api/v1/kiosk/broadcasts", params={"wait": wait} if wait else {},
                       headers=headers, timeout=60)


def test_a_held_poll_is_answered_as_soon_as_an_emergency_is_sent_elsewhere(enrolled, central_server):
    _, identity = enrolled
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {identity.device_key}"
    first = broadcasts_poll(session, central_server)
    assert first.status_code == 200 and first.json()["long_poll_seconds"] == 50
    answer = {}

    def hold():
        started = time.monotonic()
        answer["response"] = broadcasts_poll(session, central_server, first.headers["ETag"], wait=25)
        answer["held_s"] = time.monotonic() - started

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(1.0)
    assert holder.is_alive(), "nothing changed yet: the poll is held"
    sent = send_emergency(central_server)  # by another process, as the console's would be
    try:
        holder.join(30)
        response = answer["response"]
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["broadcasts"]] == [sent]
        assert answer["held_s"] < 25, "woken by the emergency, not by the end of the wait"
    finally:
        end_broadcast(central_server, sent)


def test_a_held_poll_with_nothing_new_ends_with_304_when_its_time_is_up(enrolled, central_server):
    _, identity = enrolled
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {identity.device_key}"
    etag = broadcasts_poll(session, central_server).headers["ETag"]
    started = time.monotonic()
    held = broadcasts_poll(session, central_server, etag, wait=2)
    assert held.status_code == 304 and held.headers["ETag"] == etag
    assert time.monotonic() - started >= 2 * 0.8  # held for the wait asked, less up to a fifth (jitter)
    assert broadcasts_poll(session, central_server, '"b-another"', wait=25).status_code == 200, \
        "a kiosk whose list is out of date is answered at once"


def test_a_console_command_wakes_the_held_poll_and_the_kiosk_fetches_it_at_once(enrolled, central_server):
    """The push: the fleet console queues a screenshot; the kiosk's held broadcast poll answers
    with commands_waiting and the agent heartbeats for it, long before its 60 s interval."""
    store, identity = enrolled
    received = []
    agent = SyncAgent(store, identity, "test", on_commands=received.extend)
    agent.send_heartbeat(store)  # the interval's heartbeat: the next is a minute away
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {identity.device_key}"
    etag = broadcasts_poll(session, central_server).headers["ETag"]
    answer = {}
    holder = threading.Thread(target=lambda: answer.update(
        response=broadcasts_poll(session, central_server, etag, wait=25)))
    holder.start()
    time.sleep(1.0)
    queued = manage(central_server.env, "shell", "-c", (
        "from server.fleet.models import Kiosk; from server.fleet.remote import send_command;"
        f"print(send_command(Kiosk.objects.get(pk='{identity.kiosk_id}'), 'screenshot', None).pk)"))
    assert queued.returncode == 0, queued.stderr
    command_id = queued.stdout.strip().splitlines()[-1]
    holder.join(30)
    assert answer["response"].status_code == 200 and answer["response"].json()["commands_waiting"] is True
    agent.commands_waiting()  # what the listener calls on that answer
    agent.run_cycle(store)
    assert [command.id for command in received if command.id] == [command_id]
