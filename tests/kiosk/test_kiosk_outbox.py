"""The outbox: durable before the receipt, erased after the ack, retried with backoff."""
from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk import outbox
from kiosk.cases import CaseDraft, submit_case
from kiosk.store import LocalStore

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PHONE = "13912345678"


def draft_with_phone() -> CaseDraft:
    return CaseDraft(
        kind="complaint", category="service_attitude", description="店员态度很差",
        contact_phone="139 1234 5678", contact_consent=True,
    )


def test_case_is_in_the_file_for_a_new_connection(store, identity):
    receipt = submit_case(store, identity, draft_with_phone(), NOW)
    other = sqlite3.connect(store.path)
    try:
        row = other.execute("SELECT reference, status FROM outbox WHERE case_id = ?", (receipt.case_id,)).fetchone()
    finally:
        other.close()
    assert row == (receipt.reference, "pending")


def test_case_survives_a_process_killed_right_after_the_receipt(data_dir: Path):
    """A child process files a case and dies without closing anything (os._exit)."""
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from kiosk.store import LocalStore
        from kiosk.identity import KioskIdentity
        from kiosk.cases import CaseDraft, submit_case
        store = LocalStore.in_dir({str(data_dir)!r})
        identity = KioskIdentity("k", "Z9Z", "key", "mall-1", None, "https://p.example", "http://s")
        receipt = submit_case(store, identity, CaseDraft(kind="praise", description="谢谢"))
        print(receipt.case_id, flush=True)
        os._exit(0)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    case_id = result.stdout.strip()
    with LocalStore.in_dir(data_dir) as reopened:
        item = outbox.get(reopened, case_id)
        assert item is not None and item.reference.startswith("Z9Z-")
        assert outbox.depth(reopened) == 1


def test_mark_sent_erases_the_phone_from_every_file(store, identity, disk_bytes):
    receipt = submit_case(store, identity, draft_with_phone(), NOW)
    assert PHONE.encode() in disk_bytes(store), "the test must see the number before erasing it"

    assert outbox.mark_sent(store, receipt.case_id, NOW)

    on_disk = disk_bytes(store)
    assert PHONE.encode() not in on_disk
    assert PHONE.encode("utf-16-le") not in on_disk
    wal = Path(str(store.path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    payload = json.loads(outbox.get(store, receipt.case_id).payload)
    assert payload["contact_phone"] is None and payload["contact_consent"] is False
    assert payload["description"] == "店员态度很差"


def test_mark_sent_erases_the_phone_among_many_cases(store, identity, disk_bytes):
    receipts = [submit_case(store, identity, draft_with_phone(), NOW) for _ in range(30)]
    for receipt in receipts:
        outbox.mark_sent(store, receipt.case_id, NOW)
    assert PHONE.encode() not in disk_bytes(store)
    assert outbox.depth(store) == 0


def test_mark_sent_twice_or_unknown_is_harmless(store, identity):
    receipt = submit_case(store, identity, draft_with_phone(), NOW)
    assert outbox.mark_sent(store, receipt.case_id, NOW) is True
    assert outbox.mark_sent(store, receipt.case_id, NOW) is False
    assert outbox.mark_sent(store, "01ARZ3NDEKTSV4RRFFQ69G5FAV", NOW) is False


def test_pending_lists_due_cases_oldest_first(store, identity):
    first = submit_case(store, identity, CaseDraft(kind="praise", description="一"), NOW)
    second = submit_case(store, identity, CaseDraft(kind="praise", description="二"), NOW + timedelta(seconds=1))
    assert [i.case_id for i in outbox.pending(store, NOW + timedelta(seconds=2))] == [first.case_id, second.case_id]
    outbox.mark_failed(store, first.case_id, "connection refused", NOW, rng=random.Random(1))
    due_later = outbox.get(store, first.case_id)
    assert due_later.attempts == 1 and due_later.last_error == "connection refused"
    assert [i.case_id for i in outbox.pending(store, NOW)] == [second.case_id]
    assert outbox.depth(store) == 2
    assert [i.case_id for i in outbox.pending(store, NOW + timedelta(minutes=10))] == [first.case_id, second.case_id]


def test_backoff_is_exponential_with_full_jitter_and_capped():
    rng = random.Random(42)
    for attempts, ceiling in [(1, 2), (2, 4), (3, 8), (6, 64), (8, 256), (9, 300), (50, 300)]:
        delays = [outbox.backoff_delay(attempts, rng) for _ in range(2000)]
        assert 0 <= min(delays) and max(delays) <= ceiling
        assert max(delays) > 0.9 * ceiling, "full jitter reaches up to the ceiling"
        assert min(delays) < 0.1 * ceiling, "full jitter reaches down to zero"


def test_mark_failed_backs_off_and_never_drops(store, identity):
    receipt = submit_case(store, identity, draft_with_phone(), NOW)
    rng = random.Random(7)
    now = NOW.timestamp()
    for attempt in range(1, 40):
        due = outbox.mark_failed(store, receipt.case_id, f"failure {attempt}", now, rng=rng)
        assert now <= due <= now + 300
        now = due
    item = outbox.get(store, receipt.case_id)
    assert item.attempts == 39 and outbox.depth(store) == 1


def test_rejected_cases_are_kept_and_counted(store, identity):
    receipt = submit_case(store, identity, draft_with_phone(), NOW)
    outbox.mark_failed(store, receipt.case_id, "422 invalid_case: too many details", NOW, rejected_status=422)
    assert outbox.rejected_count(store) == 1 and outbox.depth(store) == 1
    assert outbox.get(store, receipt.case_id).rejected_status == 422
    assert outbox.retry_all_now(store) == 1
    assert outbox.pending(store, NOW)[0].case_id == receipt.case_id


def test_purge_sent_removes_only_old_acknowledged_cases(store, identity):
    old = submit_case(store, identity, CaseDraft(kind="praise", description="旧"), NOW)
    recent = submit_case(store, identity, CaseDraft(kind="praise", description="新"), NOW)
    waiting = submit_case(store, identity, CaseDraft(kind="praise", description="等"), NOW)
    outbox.mark_sent(store, old.case_id, NOW - timedelta(days=30))
    outbox.mark_sent(store, recent.case_id, NOW)
    assert outbox.purge_sent(store, timedelta(days=7), now=NOW) == 1
    assert outbox.get(store, old.case_id) is None
    assert outbox.get(store, recent.case_id) is not None
    assert outbox.get(store, waiting.case_id) is not None


def test_usage_events_are_batched_and_a_batch_keeps_its_id_until_acknowledged(store):
    from kiosk import events

    for n in range(1500):
        events.record_event(store, "promotion_shown", NOW + timedelta(seconds=n), subject_id="p1")
    first = events.next_batch(store, NOW)
    assert len(first.batch.events) == 1000
    again = events.next_batch(store, NOW)  # the upload failed: the same batch again
    assert again.batch_id == first.batch_id and again.batch.events == first.batch.events
    assert events.mark_batch_sent(store, first.batch_id) == 1000
    second = events.next_batch(store, NOW)
    assert second.batch_id != first.batch_id and len(second.batch.events) == 500
    assert second.batch.events[0].at == NOW + timedelta(seconds=1000)
    events.mark_batch_sent(store, second.batch_id)
    assert events.next_batch(store, NOW) is None and events.queued_count(store) == 0


def test_event_queue_is_bounded_oldest_first(store, monkeypatch):
    from kiosk import events

    monkeypatch.setattr(events, "MAX_QUEUED_EVENTS", 10)
    for n in range(15):
        events.record_event(store, "screen_view", NOW + timedelta(seconds=n), subject_id=f"s{n}")
    assert events.queued_count(store) == 10
    assert events.next_batch(store, NOW).batch.events[0].subject_id == "s5"
