"""The sync agent against a scripted HTTP server: pushes, retries, content, heartbeats."""
from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from sync_helpers import Reply, free_port, make_identity, wait_until

from kiosk import clock, events, outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.content import active_content, active_version, refuse_active
from kiosk.sync_agent import EnrollError, SyncAgent, enroll_kiosk
from sync.protocol import (
    BROADCASTS_PATH,
    BlobRef,
    CaseKind,
    ContentManifest,
    I18nText,
    Level,
    Mall,
    MallContent,
    PathGraph,
    TimeRange,
    sha256_hex,
)

PHONE = "13712345678"


def file_case(store, identity, text="电梯坏了") -> str:
    draft = CaseDraft(kind="complaint", category="environment_facilities", description=text,
                      contact_phone=PHONE, contact_consent=True)
    return submit_case(store, identity, draft).case_id


def accept_cases(server, seen: dict | None = None):
    seen = {} if seen is None else seen

    def handle(request):
        upload = request.json()
        created = upload["id"] not in seen
        seen.setdefault(upload["id"], upload)
        return Reply(201 if created else 200, {"id": upload["id"], "reference": upload["reference"],
                                               "status": "new", "created": created})

    server.routes[("POST", "/api/v1/kiosk/cases")] = handle
    return seen


def agent_for(store, identity, **options) -> SyncAgent:
    agent = SyncAgent(store, identity, "test-1.0", **options)
    agent.timeout = (1.0, 2.0)
    return agent


# ---------------------------------------------------------------- push
def test_push_sends_with_the_device_key_and_erases_the_phone(kiosk_store, scripted_identity, scripted_server):
    seen = accept_cases(scripted_server)
    case_id = file_case(kiosk_store, scripted_identity)
    result = agent_for(kiosk_store, scripted_identity).push_outbox(kiosk_store)
    assert result.sent == 1 and outbox.depth(kiosk_store) == 0
    (request,) = scripted_server.calls("POST", "/api/v1/kiosk/cases")
    assert request.headers["Authorization"] == "Bearer test-device-key"
    assert request.headers["Content-Type"] == "application/json"
    assert seen[case_id]["contact_phone"] == PHONE
    assert json.loads(outbox.get(kiosk_store, case_id).payload)["contact_phone"] is None


def test_server_error_keeps_the_case_and_backs_off(kiosk_store, scripted_identity, scripted_server):
    scripted_server.routes[("POST", "/api/v1/kiosk/cases")] = lambda r: Reply(503, b"maintenance")
    first, second = file_case(kiosk_store, scripted_identity), file_case(kiosk_store, scripted_identity)
    agent = agent_for(kiosk_store, scripted_identity)
    result = agent.push_outbox(kiosk_store)
    assert result.failed == 1 and result.sent == 0
    assert len(scripted_server.calls("POST", "/api/v1/kiosk/cases")) == 1, "stop at the first 5xx"
    item = outbox.get(kiosk_store, first)
    assert item.attempts == 1 and "503" in item.last_error and item.rejected_status is None
    assert outbox.depth(kiosk_store) == 2
    assert agent.status().online is False
    assert outbox.get(kiosk_store, second).attempts == 0


@pytest.mark.parametrize("status", [400, 401, 409, 422])
def test_refused_case_is_kept_reported_and_the_rest_still_go(kiosk_store, scripted_identity, scripted_server, status):
    refused_id = file_case(kiosk_store, scripted_identity, "第一件")
    seen = accept_cases(scripted_server)
    accept = scripted_server.routes[("POST", "/api/v1/kiosk/cases")]

    def refuse_first(request):
        if request.json()["id"] == refused_id:
            return Reply(status, {"error": {"code": "invalid_case", "message": "details too long"}})
        return accept(request)

    scripted_server.routes[("POST", "/api/v1/kiosk/cases")] = refuse_first
    later_id = file_case(kiosk_store, scripted_identity, "第二件")
    agent = agent_for(kiosk_store, scripted_identity)
    result = agent.push_outbox(kiosk_store)
    assert (result.rejected, result.sent) == (1, 1)
    assert later_id in seen
    kept = outbox.get(kiosk_store, refused_id)
    assert kept.rejected_status == status and "invalid_case" in kept.last_error
    assert outbox.depth(kiosk_store) == 1

    heartbeats = []
    scripted_server.routes[("POST", "/api/v1/kiosk/heartbeat")] = lambda r: (
        heartbeats.append(r.json()) or Reply(200, {"server_time": datetime.now(UTC).isoformat()}))
    agent.send_heartbeat(kiosk_store)
    (beat,) = heartbeats
    assert beat["outbox_depth"] == 1
    assert any("refused" in line for line in beat["last_errors"])


@pytest.mark.parametrize("status", [408, 429])
def test_timeouts_and_throttling_are_retried_not_rejected(kiosk_store, scripted_identity, scripted_server, status):
    scripted_server.routes[("POST", "/api/v1/kiosk/cases")] = lambda r: Reply(
        status, {"error": {"code": "slow", "message": ""}})
    case_id = file_case(kiosk_store, scripted_identity)
    agent_for(kiosk_store, scripted_identity).push_outbox(kiosk_store)
    assert outbox.get(kiosk_store, case_id).rejected_status is None
    assert outbox.rejected_count(kiosk_store) == 0


def test_lost_acknowledgement_is_retried_with_the_same_case(kiosk_store, scripted_identity, scripted_server):
    """The server stores the case but the reply is too slow: the kiosk retries the same id."""
    seen = accept_cases(scripted_server)
    accept = scripted_server.routes[("POST", "/api/v1/kiosk/cases")]
    attempts = []

    def slow_first(request):
        attempts.append(request.body)
        reply = accept(request)
        if len(attempts) == 1:
            reply.delay_s = 3.0  # longer than the agent's read timeout
        return reply

    scripted_server.routes[("POST", "/api/v1/kiosk/cases")] = slow_first
    case_id = file_case(kiosk_store, scripted_identity)
    agent = agent_for(kiosk_store, scripted_identity)
    assert agent.push_outbox(kiosk_store).failed == 1
    assert outbox.depth(kiosk_store) == 1
    kiosk_store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")
    assert agent.push_outbox(kiosk_store).sent == 1
    assert len(attempts) == 2 and attempts[0] == attempts[1], "a retry is byte-identical"
    assert list(seen) == [case_id]


def test_closed_port_backs_off_exponentially(kiosk_store):
    identity = make_identity(f"http://127.0.0.1:{free_port()}")
    case_id = file_case(kiosk_store, identity)
    agent = agent_for(kiosk_store, identity)
    random.seed(20260501)  # the jitter draws from the global generator: make this run repeatable
    case_delays, network_delays = [], []
    for _ in range(10):
        kiosk_store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")
        before = time.time()
        assert agent.push_outbox(kiosk_store).failed == 1
        due = kiosk_store.db.conn.execute("SELECT next_attempt_at FROM outbox").fetchone()[0]
        case_delays.append(due - before)
        network_delays.append(agent._network_blocked_until - before)
    # Full jitter: each delay is uniform in [0, min(300, 2 * 2^(n-1))] for the n-th failure.
    for n, (case_delay, network_delay) in enumerate(zip(case_delays, network_delays, strict=True), start=1):
        ceiling = min(300, 2 * 2 ** (n - 1)) + 1
        assert -1 <= case_delay <= ceiling and -1 <= network_delay <= ceiling
    assert sum(case_delays[5:]) > sum(case_delays[:5]), "later delays are longer"
    item = outbox.get(kiosk_store, case_id)
    assert item.attempts == 10 and "ConnectionError" in item.last_error
    assert outbox.depth(kiosk_store) == 1
    assert agent.status().online is False


def test_cycle_skips_network_work_while_backing_off(kiosk_store):
    identity = make_identity(f"http://127.0.0.1:{free_port()}")
    file_case(kiosk_store, identity)
    agent = agent_for(kiosk_store, identity)
    agent.run_cycle(kiosk_store)
    attempts = outbox.pending(kiosk_store, float("inf"))[0].attempts
    agent._network_blocked_until = time.time() + 60
    kiosk_store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")
    agent.run_cycle(kiosk_store)
    assert outbox.pending(kiosk_store, float("inf"))[0].attempts == attempts
    agent.run_cycle(kiosk_store, force_push=True)  # wake(): a new case goes out at once
    assert outbox.pending(kiosk_store, float("inf"))[0].attempts == attempts + 1


# ---------------------------------------------------------------- content
def tiny_content(name: str) -> MallContent:
    return MallContent(
        mall=Mall(id="mall-1", name=I18nText(zh_CN=name),
                  hours=[TimeRange(weekdays=[0, 1, 2, 3, 4, 5, 6], open="10:00", close="22:00")]),
        levels=[Level(id="L1", short_name="1F", ordinal=0, name=I18nText(zh_CN="一楼"), width_m=10, height_m=10)],
        categories=[], stores=[], facilities=[], graph=PathGraph(nodes=[], edges=[]),
    )


def publish(server, content: MallContent, version: int, extra_blob: bytes = b"", corrupt: bool = False) -> str:
    document = content.model_dump_json().encode()
    blobs = {sha256_hex(document): document}
    refs = []
    if extra_blob:
        blobs[sha256_hex(extra_blob)] = extra_blob[::-1] if corrupt else extra_blob
        refs.append(BlobRef(sha256=sha256_hex(extra_blob), size=len(extra_blob), media_type="image/png"))
    manifest = ContentManifest(
        mall_id="mall-1", version=version, published_at=datetime.now(UTC),
        document=BlobRef(sha256=sha256_hex(document), size=len(document), media_type="application/json"),
        blobs=refs,
    )
    etag = manifest.etag()

    def content_route(request):
        if request.headers.get("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        return Reply(200, json.loads(manifest.model_dump_json()), headers={"ETag": etag})

    def blob_route(request):
        sha = request.path.rsplit("/", 1)[1]
        return Reply(200, blobs[sha], {"Content-Type": "application/octet-stream"}) if sha in blobs else Reply(404)

    server.routes[("GET", "/api/v1/kiosk/content")] = content_route
    server.routes[("GET", "/api/v1/blobs/*")] = blob_route
    return etag


def test_content_is_installed_then_not_fetched_again(kiosk_store, scripted_identity, scripted_server):
    changes = []
    etag = publish(scripted_server, tiny_content("第一版"), 1, extra_blob=b"poster")
    agent = agent_for(kiosk_store, scripted_identity, on_content_changed=changes.append)
    assert agent.pull_content(kiosk_store) == 1
    assert changes == [1] and active_content(kiosk_store).mall.name.zh_CN == "第一版"
    assert active_version(kiosk_store).etag == etag

    blob_calls = len(scripted_server.calls("GET", "/api/v1/blobs/"))
    assert agent.pull_content(kiosk_store) is None
    last = scripted_server.calls("GET", "/api/v1/kiosk/content")[-1]
    assert last.headers["If-None-Match"] == etag
    assert len(scripted_server.calls("GET", "/api/v1/blobs/")) == blob_calls
    assert changes == [1]

    publish(scripted_server, tiny_content("第二版"), 2, extra_blob=b"poster")
    assert agent.pull_content(kiosk_store) == 2
    assert changes == [1, 2]
    assert len(scripted_server.calls("GET", "/api/v1/blobs/")) == blob_calls + 1, "only the new document"


def test_corrupted_download_leaves_the_old_content(kiosk_store, scripted_identity, scripted_server):
    publish(scripted_server, tiny_content("好的"), 1)
    agent = agent_for(kiosk_store, scripted_identity)
    agent.pull_content(kiosk_store)
    publish(scripted_server, tiny_content("坏的"), 2, extra_blob=b"poster bytes", corrupt=True)
    assert agent.pull_content(kiosk_store) is None
    assert active_content(kiosk_store).mall.name.zh_CN == "好的"
    assert "not installed" in agent.status().last_error


def test_a_version_the_screens_refused_is_not_installed_again_until_a_new_publish(
        kiosk_store, scripted_identity, scripted_server):
    publish(scripted_server, tiny_content("好的"), 1)
    agent = agent_for(kiosk_store, scripted_identity)
    agent.pull_content(kiosk_store)
    publish(scripted_server, tiny_content("显示不了"), 2)
    assert agent.pull_content(kiosk_store) == 2
    refuse_active(kiosk_store)  # what the app does when it cannot load version 2
    assert agent.pull_content(kiosk_store) is None
    assert active_content(kiosk_store).mall.name.zh_CN == "好的"
    assert "could not load it" in agent.status().last_error
    publish(scripted_server, tiny_content("修好了"), 3)
    assert agent.pull_content(kiosk_store) == 3


def test_content_for_another_mall_is_refused(kiosk_store, scripted_server):
    identity = make_identity(scripted_server.url, mall_id="mall-2")
    publish(scripted_server, tiny_content("别人的商场"), 1)
    assert agent_for(kiosk_store, identity).pull_content(kiosk_store) is None
    assert active_version(kiosk_store) is None


# ---------------------------------------------------------------- heartbeat and thread
def test_heartbeat_reports_and_hands_over_commands(kiosk_store, scripted_identity, scripted_server):
    received, commands = [], []

    def heartbeat(request):
        received.append(request.json())
        return Reply(200, {"server_time": datetime.now(UTC).isoformat(), "poll_seconds": 30,
                           "commands": [{"kind": "emergency", "payload": {"message": "火警演习"}},
                                        {"kind": "sync_now"}]})

    scripted_server.routes[("POST", "/api/v1/kiosk/heartbeat")] = heartbeat
    file_case(kiosk_store, scripted_identity)
    kiosk_store.db.conn.execute("UPDATE outbox SET next_attempt_at = 1e12")
    agent = agent_for(kiosk_store, scripted_identity, on_commands=commands.append)
    reply = agent.send_heartbeat(kiosk_store)
    assert reply is not None and agent.poll_s == 30
    (beat,) = received
    assert beat["app_version"] == "test-1.0" and beat["outbox_depth"] == 1
    assert beat["disk_free_bytes"] > 0 and beat["uptime_s"] >= 0
    assert [c.kind for c in commands[0]] == ["emergency", "sync_now"]
    assert commands[0][0].payload == {"message": "火警演习"}
    assert len(outbox.pending(kiosk_store, time.time())) == 1, "sync_now made the case due again"


def test_a_kiosk_clock_hours_off_stamps_cases_and_events_with_the_servers_time(
        kiosk_store, scripted_identity, scripted_server):
    scripted_server.ahead_s = (3 * 60 + 7) * 60  # this kiosk's clock is behind by 3 h 7 min
    server_now = datetime.now(UTC) + timedelta(seconds=scripted_server.ahead_s)
    scripted_server.routes[("POST", "/api/v1/kiosk/heartbeat")] = lambda r: Reply(
        200, {"server_time": server_now.isoformat()})
    agent = agent_for(kiosk_store, scripted_identity)
    agent.run_cycle(kiosk_store)
    receipt = submit_case(kiosk_store, scripted_identity, CaseDraft(kind=CaseKind.PRAISE, description="谢谢"))
    filed = datetime.fromisoformat(json.loads(outbox.get(kiosk_store, receipt.case_id).payload)["created_at"])
    assert abs((filed - server_now).total_seconds()) < 30
    events.record_event(kiosk_store, "screen_view", subject_id="home")
    (shown,) = kiosk_store.db.conn.execute("SELECT at FROM events").fetchall()
    assert abs((datetime.fromisoformat(shown[0]) - server_now).total_seconds()) < 30
    scripted_server.ahead_s = 0  # network time reached the kiosk
    agent._next_heartbeat_at = 0
    agent.run_cycle(kiosk_store)
    assert abs((clock.now(kiosk_store) - datetime.now(UTC)).total_seconds()) < 2


def test_agent_thread_pushes_a_new_case_when_woken_and_stops(kiosk_store, scripted_identity, scripted_server):
    seen = accept_cases(scripted_server)
    scripted_server.routes[("POST", "/api/v1/kiosk/heartbeat")] = lambda r: Reply(
        200, {"server_time": datetime.now(UTC).isoformat()})
    publish(scripted_server, tiny_content("线上"), 1)
    changed = []
    agent = agent_for(kiosk_store, scripted_identity, poll_s=3600, on_content_changed=changed.append)
    agent.start()
    try:
        assert wait_until(lambda: changed == [1])
        case_id = file_case(kiosk_store, scripted_identity)
        agent.wake()
        assert wait_until(lambda: case_id in seen, timeout=5)
        assert wait_until(lambda: outbox.depth(kiosk_store) == 0)
        assert agent.status().online is True
    finally:
        agent.stop()
    assert not agent.running


def test_a_failing_callback_does_not_stop_the_agent(kiosk_store, scripted_identity, scripted_server):
    publish(scripted_server, tiny_content("一"), 1)

    def broken(_version):
        raise RuntimeError("the screen crashed")

    agent = agent_for(kiosk_store, scripted_identity, on_content_changed=broken)
    assert agent.pull_content(kiosk_store) == 1


# ---------------------------------------------------------------- enrollment
def test_enroll_saves_nothing_and_explains_a_refused_code(scripted_server):
    scripted_server.routes[("POST", "/api/v1/kiosks/enroll")] = lambda r: Reply(
        403, {"error": {"code": "bad_code", "message": "unknown or used code"}})
    with pytest.raises(EnrollError, match="refused the enrollment code.*unknown or used code"):
        enroll_kiosk(scripted_server.url, "ABCD-EFGH")


def test_enroll_returns_the_identity(scripted_server):
    def enroll(request):
        assert request.json()["code"] == "ABCD-EFGH"
        return Reply(200, {"kiosk_id": "k-9", "kiosk_code": "Q4M", "device_key": "dk", "mall_id": "mall-1",
                           "location_id": "kp-1", "public_base_url": "https://track.example/",
                           "server_time": datetime.now(UTC).isoformat()})

    scripted_server.routes[("POST", "/api/v1/kiosks/enroll")] = enroll
    identity = enroll_kiosk(scripted_server.url + "/", " ABCD-EFGH ")
    assert identity.kiosk_code == "Q4M" and identity.public_base_url == "https://track.example"
    assert identity.server_url == scripted_server.url


def test_enroll_rejects_a_reply_that_is_not_an_enrollment(scripted_server):
    scripted_server.routes[("POST", "/api/v1/kiosks/enroll")] = lambda r: Reply(200, b"<html>captive portal</html>")
    with pytest.raises(EnrollError, match="not an enrollment"):
        enroll_kiosk(scripted_server.url, "ABCD-EFGH")


def test_events_are_pushed_in_batches_and_kept_when_the_server_lacks_the_endpoint(
    kiosk_store, scripted_identity, scripted_server
):
    from kiosk import events

    for _ in range(1200):
        events.record_event(kiosk_store, "promotion_shown", subject_id="p1")
    agent = agent_for(kiosk_store, scripted_identity)
    assert agent.push_events(kiosk_store) == 0  # 404: no endpoint yet
    assert events.queued_count(kiosk_store) == 1200 and agent.status().last_error is None

    batches = []
    scripted_server.routes[("POST", "/api/v1/kiosk/events")] = lambda r: (
        batches.append(r.json()) or Reply(200, {"batch_id": r.json()["batch_id"], "accepted": 1, "duplicate": False}))
    assert agent.push_events(kiosk_store) == 1200
    assert [len(b["events"]) for b in batches] == [1000, 200]
    first_404 = scripted_server.calls("POST", "/api/v1/kiosk/events")[0].json()["batch_id"]
    assert batches[0]["batch_id"] == first_404, "the retried batch kept its id"
    assert events.queued_count(kiosk_store) == 0


def test_the_end_of_an_outage_seen_by_the_fast_poll_lifts_the_backoff(kiosk_store, scripted_identity,
                                                                     scripted_server):
    agent = agent_for(kiosk_store, scripted_identity)
    agent._transport_failed("cases: connection refused")  # the outage: the agent backs off
    agent._transport_failed("cases: connection refused")
    assert agent._network_blocked_until > time.time()
    listener = agent.broadcasts
    scripted_server.routes[("GET", "/api/v1/kiosk/broadcasts")] = lambda r: Reply(503, b"down")
    listener.poll(kiosk_store)
    assert agent._network_blocked_until > time.time(), "a failing poll changes nothing"
    scripted_server.routes[("GET", "/api/v1/kiosk/broadcasts")] = lambda r: Reply(304, b"")
    listener.poll(kiosk_store)
    assert agent._network_blocked_until == 0.0 and agent._wake.is_set()
    agent._wake.clear()
    listener.poll(kiosk_store)  # steady polling afterwards does not keep waking the agent
    assert not agent._wake.is_set()


# ---------------------------------------------------------------- broadcasts
@pytest.mark.parametrize("offered, second_path", [(25, BROADCASTS_PATH + "?wait=25"), (0, BROADCASTS_PATH)])
def test_the_broadcast_poll_is_held_only_when_the_server_offers_it(kiosk_store, scripted_identity, scripted_server,
                                                                   offered, second_path):
    listener = agent_for(kiosk_store, scripted_identity).broadcasts
    state = {"server_time": "2026-11-23T10:00:00Z", "broadcasts": [], "poll_seconds": 2, "long_poll_seconds": offered}
    scripted_server.routes[("GET", BROADCASTS_PATH)] = lambda r: Reply(200, state, {"ETag": '"b-1"'})
    scripted_server.routes[("GET", BROADCASTS_PATH + "?wait=25")] = lambda r: Reply(304, b"", {"ETag": '"b-1"'})
    assert listener.poll(kiosk_store) == []
    listener.poll(kiosk_store)
    first, second = scripted_server.calls("GET", BROADCASTS_PATH)
    assert first.path == BROADCASTS_PATH and "If-None-Match" not in first.headers, "nothing to hold without an ETag"
    assert second.path == second_path and second.headers["If-None-Match"] == '"b-1"'


def test_the_broadcast_listener_polls_at_most_every_poll_interval_and_waits_for_the_screen(kiosk_store,
                                                                                          scripted_identity):
    listener = agent_for(kiosk_store, scripted_identity).broadcasts
    listener.poll_s = 2.0
    assert listener._delay(elapsed=0.5, received=False) == 1.5, "a server answering at once: a 2 s fast poll"
    assert listener._delay(elapsed=25.0, received=False) == 0.0, "after a held poll: ask again at once"
    assert listener._delay(elapsed=25.0, received=True) == 2.0, "a new list: wait for the screen's acknowledgement"
    listener.failures = 2
    assert listener._delay(elapsed=0.1, received=False) == 4.0
    listener.failures = 6
    assert listener._delay(elapsed=0.1, received=False) == 5.0, "back online within seconds, however long it was down"
