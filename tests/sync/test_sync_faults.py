"""The kiosk's sync against the real server through a network that fails in every way a mall's
does (tests/sync/fault_proxy.py), and a server killed mid-upload and mid-download: every case
and every proof-of-play record arrives exactly once (counted on the server), and the kiosk never
shows half-installed content."""
from __future__ import annotations

import dataclasses
import threading

import pytest
from fault_proxy import FaultProxy
from live_server import enroll, manage, wait_until

from kiosk import events, outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.content import active_version, damaged_blobs, missing_blobs
from kiosk.identity import load_identity
from kiosk.store import LocalStore
from kiosk.sync_agent import SyncAgent
from sync.protocol import BLOB_PATH, CaseKind

pytestmark = pytest.mark.e2e

CASES_PER_STEP, EVENTS_PER_STEP = 3, 10
FAULTS = ["reset", "stall", "drop_reply", "truncate", "gateway_503", "server_down", "pass"]


@pytest.fixture
def server(central_server):
    return central_server


@pytest.fixture
def kiosk_behind_proxy(server, tmp_path):
    """An enrolled kiosk whose every request goes through a fault proxy to the server."""
    store = enroll(server, tmp_path / "kiosk", server.codes.pop())
    proxy = FaultProxy(server.port)
    identity = dataclasses.replace(load_identity(store), server_url=proxy.url)
    agent = SyncAgent(store, identity, "test")
    agent.timeout = (1.0, 2.0)  # a stalled connection costs the test two seconds, not thirty
    yield store, identity, agent, proxy
    agent.session.close()
    proxy.close()
    store.close()


def server_counts(server, case_ids: list[str], prefix: str) -> tuple[dict[str, int], int]:
    """(cases stored per id, events stored whose subject starts with `prefix`), read on the server."""
    script = (
        "from collections import Counter\n"
        "from server.cases.models import Case\n"
        "from server.fleet.models import KioskEvent\n"
        f"ids = {case_ids!r}\n"
        "counts = Counter(Case.objects.filter(pk__in=ids).values_list('pk', flat=True))\n"
        "print(';'.join(f'{i}={counts.get(i, 0)}' for i in ids))\n"
        f"print(KioskEvent.objects.filter(subject_id__startswith={prefix!r}).count())\n"
    )
    result = manage(server.env, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    per_case, event_count = result.stdout.strip().splitlines()[-2:]
    return {pair.split("=")[0]: int(pair.split("=")[1]) for pair in per_case.split(";")}, int(event_count)


def in_own_store(store, work) -> None:
    """Run `work(store)` on this thread with a connection of its own, as the sync agent's thread does."""
    with LocalStore(store.path) as own:
        work(own)


def push_everything(store, agent) -> None:
    store.db.conn.execute("UPDATE outbox SET next_attempt_at = 0")  # no backoff between test rounds
    agent.push_outbox(store)
    agent.push_events(store)


def test_every_case_and_event_arrives_exactly_once_through_every_fault(server, kiosk_behind_proxy):
    """Three rounds through every fault; before each step the kiosk files new cases and records
    new impressions, so every fault meets uploads in flight."""
    store, identity, agent, proxy = kiosk_behind_proxy
    case_ids: list[str] = []
    prefix = f"fault-{identity.kiosk_code}-"

    def file_more() -> None:
        for _ in range(CASES_PER_STEP):
            draft = CaseDraft(kind=CaseKind.SUGGESTION, description=f"建议 {len(case_ids)}：多放座椅")
            case_ids.append(submit_case(store, identity, draft).case_id)
        for _ in range(EVENTS_PER_STEP):
            events.record_event(store, "promotion_shown", subject_id=f"{prefix}{events.queued_count(store)}-"
                                f"{len(case_ids)}-{_}")

    for _round in range(3):
        for fault in FAULTS:
            file_more()
            if fault == "server_down":
                server.stop()
            proxy.set_mode("pass" if fault == "server_down" else fault)
            push_everything(store, agent)
            if fault == "server_down":
                server.start()

    proxy.set_mode("pass")
    assert wait_until(lambda: (push_everything(store, agent), outbox.depth(store) == 0
                               and events.queued_count(store) == 0)[1], timeout=60, every=0.5)
    per_case, stored_events = server_counts(server, case_ids, prefix)
    assert len(case_ids) == 3 * len(FAULTS) * CASES_PER_STEP
    assert per_case == {case_id: 1 for case_id in case_ids}
    assert stored_events == 3 * len(FAULTS) * EVENTS_PER_STEP
    assert all(proxy.accepted[fault] >= 3 for fault in FAULTS if fault != "server_down"), proxy.accepted


def test_a_server_killed_mid_upload_loses_and_duplicates_nothing(server, kiosk_behind_proxy):
    store, identity, agent, proxy = kiosk_behind_proxy
    case_ids = [submit_case(store, identity, CaseDraft(kind=CaseKind.PRAISE, description=f"谢谢 {n}")).case_id
                for n in range(30)]
    pushing = threading.Thread(target=in_own_store, args=(store, agent.push_outbox))  # as the agent's thread
    pushing.start()
    assert wait_until(lambda: outbox.depth(store) < 30, timeout=30, every=0.005)
    server.process.kill()  # SIGKILL: no goodbye, mid-request
    server.process.wait(10)
    pushing.join(60)
    assert 0 < outbox.depth(store) < 30, "the kill should land between the first and the last case"
    server.process = None
    server.start()
    assert wait_until(lambda: (push_everything(store, agent), outbox.depth(store) == 0)[1], timeout=60, every=0.5)
    per_case, _ = server_counts(server, case_ids, "none")
    assert per_case == {case_id: 1 for case_id in case_ids}


def test_cut_and_truncated_downloads_never_activate_a_half_version(server, kiosk_behind_proxy):
    store, identity, agent, proxy = kiosk_behind_proxy
    blob_prefix = BLOB_PATH.split("{", 1)[0]
    for fault in ("truncate", "drop_reply", "reset", "stall"):
        proxy.set_mode(fault, path_prefix=blob_prefix if fault in ("truncate", "drop_reply") else "")
        assert agent.pull_content(store) is None
        assert active_version(store) is None, f"a version was activated through {fault}"
    assert [p for p in store.blobs_dir.iterdir() if p.name.endswith(".partial")], "what arrived is kept"
    proxy.set_mode("pass")
    assert agent.pull_content(store) is not None
    assert proxy.resumed_downloads >= 1, "the cut download resumed where it stopped"
    assert damaged_blobs(store) == [] and missing_blobs(store) == []
    assert not [p for p in store.blobs_dir.iterdir() if p.name.startswith(".")], "no half-written blob left"


def test_a_server_killed_mid_download_leaves_the_kiosk_on_nothing_or_the_whole_version(server, kiosk_behind_proxy):
    store, identity, agent, proxy = kiosk_behind_proxy
    downloading = threading.Thread(target=in_own_store, args=(store, agent.pull_content))
    fetched = []
    original = agent._fetch_blob

    def fetch_and_count(sha256: str) -> bytes:
        fetched.append(sha256)
        return original(sha256)

    agent._fetch_blob = fetch_and_count  # counts requests; the bytes still come from the real server
    downloading.start()
    assert wait_until(lambda: len(fetched) >= 2, timeout=30, every=0.005)
    server.process.kill()
    server.process.wait(10)
    downloading.join(60)
    server.process = None
    assert active_version(store) is None  # nothing half-shown
    server.start()
    assert agent.pull_content(store) is not None
    assert damaged_blobs(store) == [] and missing_blobs(store) == []
