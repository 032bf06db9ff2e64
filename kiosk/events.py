"""Proof-of-play and anonymous usage events, queued durably until the server has them.

Events are grouped into batches with a ULID; a batch keeps its id until the server
acknowledges it, so a retried upload is recognised as the same batch (idempotent) and no
event is counted twice or lost during an outage.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from ulid import ULID

from kiosk import clock
from kiosk.store import LocalStore
from sync.protocol import EventBatch, UsageEvent, UsageEventKind

log = logging.getLogger(__name__)

MAX_BATCH_EVENTS = 1000
MAX_QUEUED_EVENTS = 200_000
"""About 20 MB; after weeks offline the oldest events make room (cases are never dropped)."""


@dataclass(frozen=True)
class PendingBatch:
    batch: EventBatch

    @property
    def batch_id(self) -> str:
        return self.batch.batch_id


def record_event(
    store: LocalStore,
    kind: UsageEventKind,
    at: datetime | None = None,
    subject_id: str | None = None,
    value: str | None = None,
) -> None:
    """Queue one event (promotion_shown, promotion_touched, screen_view, satisfaction).

    Raises pydantic's ValidationError, queueing nothing, for a value outside the contract."""
    event = UsageEvent(kind=kind, at=(at or clock.now(store)), subject_id=subject_id, value=value)
    with store.transaction() as db:
        db.conn.execute(
            "INSERT INTO events (kind, at, subject_id, value) VALUES (?, ?, ?, ?)",
            (event.kind, event.at.isoformat(), event.subject_id, event.value),
        )
        overflow = db.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] - MAX_QUEUED_EVENTS
        if overflow > 0:
            db.conn.execute(
                "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?)", (overflow,)
            )


def queued_count(store: LocalStore) -> int:
    return store.db.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def next_batch(store: LocalStore, now: datetime | None = None) -> PendingBatch | None:
    """The batch to upload next: an unacknowledged one again, else a new one of up to 1000."""
    with store.transaction() as db:
        conn = db.conn
        row = conn.execute(
            "SELECT batch_id FROM events WHERE batch_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            ids = [r[0] for r in conn.execute(
                "SELECT id FROM events WHERE batch_id IS NULL ORDER BY id LIMIT ?", (MAX_BATCH_EVENTS,)
            )]
            if not ids:
                return None
            batch_id = str(ULID.from_datetime(now or datetime.now(UTC)))
            marks = ",".join("?" for _ in ids)
            conn.execute(f"UPDATE events SET batch_id = ? WHERE id IN ({marks})", (batch_id, *ids))
        else:
            batch_id = row[0]
        events, unfit = [], []
        for row_id, kind, at, subject_id, value in conn.execute(
            "SELECT id, kind, at, subject_id, value FROM events WHERE batch_id = ? ORDER BY id", (batch_id,)
        ):
            try:
                events.append(UsageEvent(kind=kind, at=datetime.fromisoformat(at), subject_id=subject_id, value=value))
            except (ValidationError, ValueError):
                unfit.append(row_id)
        if unfit:
            # Queued before the contract bounded them: the server would refuse the whole batch each time.
            log.warning("dropping %d queued usage event(s) outside the contract", len(unfit))
            marks = ",".join("?" for _ in unfit)
            conn.execute(f"DELETE FROM events WHERE id IN ({marks})", unfit)
    if not events:
        return next_batch(store, now)  # every event of this batch was dropped: the next ones
    return PendingBatch(EventBatch(batch_id=batch_id, events=events))


def mark_batch_sent(store: LocalStore, batch_id: str) -> int:
    """The server has the batch: forget its events. Returns how many were removed."""
    with store.transaction() as db:
        return db.conn.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,)).rowcount
