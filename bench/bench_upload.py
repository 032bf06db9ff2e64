"""Case upload round trip: a visitor's case from the kiosk's outbox to the server's ack.

One real server process (`python -m server serve`, SQLite, the demo mall) and one enrolled kiosk
store. Each round: submit_case (one fsync'd transaction in the outbox), then the sync agent's
push (POST /api/v1/kiosk/cases, the server stores the case and its event, the kiosk marks it
sent and erases the phone). The reference is a GET /healthz on the same server through the
same HTTP session: the cost of a request that does no work.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from live_server import ServerProcess, enroll, free_port, manage, new_enrollment_code  # noqa: E402

from kiosk import APP_VERSION  # noqa: E402
from kiosk.cases import CaseDraft, submit_case  # noqa: E402
from kiosk.identity import load_identity  # noqa: E402
from kiosk.sync_agent import SyncAgent  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "200"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    server = ServerProcess(work / "server", free_port())
    server.data_dir.mkdir()
    assert manage(server.env, "migrate", "--noinput").returncode == 0
    code = new_enrollment_code(server)
    server.start()
    try:
        store = enroll(server, work / "kiosk", code)
        identity = load_identity(store)
        agent = SyncAgent(store, identity, APP_VERSION)
        http = agent.session  # the agent's own keep-alive session, for a like-for-like reference
        for _ in range(20):  # warm up both paths
            http.get(server.url + "/healthz", timeout=10)
        round_trips, health = [], []
        for number in range(ROUNDS):
            draft = CaseDraft(kind="complaint", category="service_attitude",
                              description=f"Benchmark case {number}: the queue at the till was long",
                              contact_phone="13812345678", contact_consent=True, language="zh_CN")
            started = time.perf_counter()
            submit_case(store, identity, draft)
            result = agent.push_outbox(store)
            round_trips.append(time.perf_counter() - started)
            assert result.sent == 1, result
            started = time.perf_counter()
            http.get(server.url + "/healthz", timeout=10)
            health.append(time.perf_counter() - started)
        store.close()
    finally:
        server.stop()
    up50, up99 = percentile(round_trips, 0.5) * 1000, percentile(round_trips, 0.99) * 1000
    hz50, hz99 = percentile(health, 0.5) * 1000, percentile(health, 0.99) * 1000
    print(f"case upload round trip (outbox write + POST + ack + erase), {ROUNDS} cases: "
          f"p50 {up50:.1f} ms, p99 {up99:.1f} ms, mean {statistics.mean(round_trips) * 1000:.1f} ms")
    print(f"GET /healthz on the same server (reference): p50 {hz50:.1f} ms, p99 {hz99:.1f} ms")
    print(f"ratio upload/healthz: p50 {up50 / hz50:.1f}x, p99 {up99 / hz99:.1f}x")


if __name__ == "__main__":
    main()
