"""The sync agent's availability poll and the kiosk's rule for showing it: kept with the time it
arrived, shown only while fresh, a bad or missing answer never shown and never fatal."""
from __future__ import annotations

from sync_helpers import Reply

from kiosk.lending import FRESH_FOR_S, fresh_availability
from kiosk.sync_agent import SyncAgent
from sync.protocol import AVAILABILITY_PATH

WHEELCHAIRS = {"server_time": "2026-12-05T03:00:00Z", "poll_seconds": 7, "counts": [
    {"kind": "wheelchair", "facility_id": "service-desk-1f", "available": 2, "total": 3}]}


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


def test_availability_is_kept_with_its_arrival_and_shown_only_while_fresh(kiosk_store, scripted_identity,
                                                                          scripted_server):
    scripted_server.routes[("GET", AVAILABILITY_PATH)] = lambda request: Reply(200, WHEELCHAIRS)
    clock = Clock()
    heard = []
    agent = SyncAgent(kiosk_store, scripted_identity, "test", on_availability=heard.append, clock=clock)
    assert fresh_availability(kiosk_store, clock.now) is None  # never heard: nothing to show
    received = agent.pull_availability(kiosk_store)
    assert received is not None and heard == [received]
    request = scripted_server.calls("GET", AVAILABILITY_PATH)[0]
    assert request.headers["Authorization"] == "Bearer test-device-key"
    shown = fresh_availability(kiosk_store, clock.now + FRESH_FOR_S)
    assert [(c.kind, c.available, c.total) for c in shown.at("service-desk-1f")] == [("wheelchair", 2, 3)]
    assert shown.at("restroom-1f") == []
    assert fresh_availability(kiosk_store, clock.now + FRESH_FOR_S + 1) is None  # stale: say nothing
    assert fresh_availability(kiosk_store, clock.now - 60) is None  # the clock went back


def test_a_bad_or_missing_answer_keeps_nothing_and_the_agent_goes_on(kiosk_store, scripted_identity,
                                                                      scripted_server):
    clock = Clock()
    agent = SyncAgent(kiosk_store, scripted_identity, "test", clock=clock)
    assert agent.pull_availability(kiosk_store) is None  # an older server without the endpoint
    assert agent.status().last_error is None
    too_many = {**WHEELCHAIRS, "counts": [{**WHEELCHAIRS["counts"][0], "available": -1}]}
    scripted_server.routes[("GET", AVAILABILITY_PATH)] = lambda request: Reply(200, too_many)
    assert agent.pull_availability(kiosk_store) is None
    assert "availability" in agent.status().last_error
    assert fresh_availability(kiosk_store, clock.now) is None
    kiosk_store.set_setting("lending_availability", {"received_at": clock.now, "counts": [{"kind": "yacht"}]})
    assert fresh_availability(kiosk_store, clock.now) is None


def test_the_cycle_polls_at_the_pace_the_server_asks(kiosk_store, scripted_identity, scripted_server):
    scripted_server.routes[("GET", AVAILABILITY_PATH)] = lambda request: Reply(200, WHEELCHAIRS)
    clock = Clock()
    agent = SyncAgent(kiosk_store, scripted_identity, "test", clock=clock, poll_s=60)
    agent.run_cycle(kiosk_store)
    agent.run_cycle(kiosk_store)
    assert len(scripted_server.calls("GET", AVAILABILITY_PATH)) == 1
    clock.now += 7 * 1.1 + 0.1  # poll_seconds 7, with at most 10 % spread
    agent.run_cycle(kiosk_store)
    assert len(scripted_server.calls("GET", AVAILABILITY_PATH)) == 2
