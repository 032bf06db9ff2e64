"""The kiosk checks the contract's bounds (sync.protocol) before it queues or sends anything, so
a value the server would refuse never jams an outbox or a heartbeat."""
from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from kiosk import events
from kiosk import sync_agent as sync_agent_module
from kiosk.cases import CaseDraft, DraftInvalid, submit_case, validate_draft
from kiosk.sync_agent import SyncAgent
from sync.protocol import MAX_BYTES, MAX_COUNT, CaseUpload, Heartbeat, printable

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def codes(draft: CaseDraft) -> list[str]:
    return [error.code for error in validate_draft(draft, now=NOW)]


def lost(**fields) -> CaseDraft:
    return CaseDraft(kind="lost_report", description="黑色钱包", **fields)


@pytest.mark.parametrize("moment", [
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
    datetime(2026, 4, 30, 9, 0, tzinfo=timezone(timedelta(hours=23, minutes=59))),
], ids=["year 1 +01:00", "before 1970", "offset +23:59"])
def test_an_occurred_at_outside_the_contract_is_a_draft_error(moment):
    assert codes(lost(occurred_at=moment)) == ["occurred_out_of_range"]


@pytest.mark.parametrize("draft", [
    lost(store_id="s\x00"), lost(store_id="s\n1"), lost(details={"colour\x00": "red"}),
    lost(details={"colour": "red\x00"}), lost(details={"": "red"}), lost(details={"colour\t": "red"}),
], ids=["NUL store", "newline store", "NUL key", "NUL value", "empty key", "tab in key"])
def test_text_outside_the_contract_is_a_draft_error(draft):
    assert codes(draft) in (["store_invalid"], ["details_invalid"])


def test_a_refused_draft_queues_nothing_and_an_accepted_one_is_a_valid_upload(store, identity):
    with pytest.raises(DraftInvalid):
        submit_case(store, identity, lost(occurred_at=datetime(1960, 1, 1, tzinfo=UTC)), now=NOW)
    assert store.db.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0

    submit_case(store, identity, lost(occurred_at=datetime(2026, 5, 1, 9, 0), details={"item_brand": "A\nB"}),
                now=NOW)

    payload = store.db.conn.execute("SELECT payload FROM outbox").fetchone()[0]
    CaseUpload.model_validate_json(payload)  # what the server checks, exactly


def test_an_event_outside_the_contract_is_not_queued(store):
    for bad in [dict(subject_id="p\x00"), dict(at=datetime(1, 1, 1, tzinfo=UTC)), dict(value="v" * 65)]:
        with pytest.raises(ValidationError):
            events.record_event(store, "promotion_shown", **{"at": NOW, **bad})
    assert events.queued_count(store) == 0


def test_events_queued_before_the_bounds_are_dropped_instead_of_jamming_the_queue(store):
    events.record_event(store, "promotion_shown", NOW, subject_id="p1")
    with store.transaction() as db:  # rows an older kiosk version queued
        db.conn.execute("INSERT INTO events (kind, at, subject_id, value) VALUES (?, ?, ?, ?)",
                        ("screen_view", "1960-01-01T00:00:00+00:00", "s1", None))
        db.conn.execute("INSERT INTO events (kind, at, subject_id, value) VALUES (?, ?, ?, ?)",
                        ("screen_view", NOW.isoformat(), "s\x002", None))
    events.record_event(store, "promotion_touched", NOW, subject_id="p2")

    batch = events.next_batch(store, NOW)

    assert batch is not None
    assert [event.subject_id for event in batch.batch.events] == ["p1", "p2"]
    assert events.queued_count(store) == 2


def test_a_batch_of_only_unfit_events_gives_way_to_the_next(store):
    with store.transaction() as db:
        db.conn.execute("INSERT INTO events (kind, at, subject_id, value, batch_id) VALUES (?, ?, ?, ?, ?)",
                        ("screen_view", "1960-01-01T00:00:00+00:00", "s1", None, "01JDZ0000000000000000000AA"))
    events.record_event(store, "promotion_shown", NOW, subject_id="p1")

    batch = events.next_batch(store, NOW)

    assert batch is not None and [event.subject_id for event in batch.batch.events] == ["p1"]


class StuckClock:
    """A kiosk whose clock reads before 1970 (a flat RTC battery)."""

    @staticmethod
    def time() -> float:
        return -86400.0

    @staticmethod
    def monotonic() -> float:
        return 0.0


def test_the_heartbeat_keeps_local_state_within_the_contract(store, identity, monkeypatch):
    monkeypatch.setattr(sync_agent_module, "_active_number", lambda store: 0)
    monkeypatch.setattr(sync_agent_module, "_disk_free", lambda store: MAX_BYTES + 1)
    monkeypatch.setattr(sync_agent_module, "outbox", types.SimpleNamespace(
        depth=lambda store: MAX_COUNT + 5, rejected_count=lambda store: 0))
    agent = SyncAgent(store, identity, "1.0\x00-beta\n", clock=StuckClock)

    heartbeat = agent._heartbeat(store, ["e"] * 30 + ["x" * 900, "server said \x00\x1b[31m no\n"])

    assert heartbeat.content_version is None and heartbeat.disk_free_bytes is None
    assert heartbeat.outbox_depth == MAX_COUNT
    assert heartbeat.app_version == "1.0\ufffd-beta\ufffd"
    assert len(heartbeat.last_errors) == 20 and heartbeat.last_errors[-2] == "x" * 500
    assert heartbeat.last_errors[-1] == "server said \ufffd\ufffd[31m no\n"
    assert heartbeat.sent_at == datetime(1970, 1, 1, tzinfo=UTC)
    Heartbeat.model_validate_json(heartbeat.model_dump_json())  # the server takes it


def test_printable_replaces_what_the_contract_refuses():
    assert printable("a\x00b\n\tc") == "a\ufffdb\n\tc"
    assert printable("a\x00b\n\tc", single_line=True) == "a\ufffdb\ufffd\ufffdc"
