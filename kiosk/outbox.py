"""The durable outbox of cases waiting for the server.

A case leaves the pending state only when the server acknowledges it (DESIGN decision 2):
failures of any kind schedule a retry with exponential backoff and full jitter, so a fleet
coming back online does not hammer the server in step. Once acknowledged, the visitor's phone
number is erased from the kiosk's disk — including the WAL, which is checkpointed and truncated.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kiosk.store import LocalStore
from sync.protocol import ASSISTANCE_PATH, CASES_PATH

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
ERROR_TEXT_LIMIT = 500
ASSISTANCE_KIND = "assistance"
"""The outbox's `kind` of a help request (kiosk/assistance.py): it goes to ASSISTANCE_PATH."""


@dataclass(frozen=True)
class OutboxItem:
    case_id: str
    reference: str
    kind: str
    payload: str
    """The CaseUpload JSON, exactly as it goes on the wire."""
    created_at: str
    attempts: int
    last_error: str | None
    rejected_status: int | None
    """The HTTP status of the last 4xx refusal, kept so heartbeats can report it."""


_COLUMNS = "case_id, reference, kind, payload, created_at, attempts, last_error, rejected_status"


def _epoch(now: datetime | float) -> float:
    return now.timestamp() if isinstance(now, datetime) else float(now)


def pending(store: LocalStore, now: datetime | float, limit: int = 50) -> list[OutboxItem]:
    """Unacknowledged cases due for an attempt at `now`, oldest first."""
    rows = store.db.conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
        "ORDER BY created_at, case_id LIMIT ?",
        (_epoch(now), limit),
    ).fetchall()
    return [OutboxItem(*row) for row in rows]


def upload_path(item: OutboxItem) -> str:
    """Where the item goes: a help request to the desk, everything else to the cases."""
    return ASSISTANCE_PATH if item.kind == ASSISTANCE_KIND else CASES_PATH


def get(store: LocalStore, case_id: str) -> OutboxItem | None:
    row = store.db.conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE case_id = ?", (case_id,)).fetchone()
    return None if row is None else OutboxItem(*row)


def depth(store: LocalStore) -> int:
    """How many cases the server has not acknowledged yet."""
    return store.db.conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]


def rejected_count(store: LocalStore) -> int:
    """Pending cases the server refused with a 4xx (kept and retried; shown to operators)."""
    return store.db.conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND rejected_status IS NOT NULL"
    ).fetchone()[0]


def next_due_at(store: LocalStore) -> float | None:
    """The epoch second when the next pending case becomes due (None: nothing pending)."""
    return store.db.conn.execute(
        "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'"
    ).fetchone()[0]


def mark_sent(store: LocalStore, case_id: str, now: datetime | None = None) -> bool:
    """Record the server's acknowledgement and erase the visitor's contact details from disk.

    Returns False if the case was unknown or already marked sent. The WAL is checkpointed and
    truncated afterwards so the phone number survives neither in the database file (thanks to
    secure_delete) nor in the log.
    """
    sent_at = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    with store.transaction() as db:
        row = db.conn.execute(
            "SELECT payload FROM outbox WHERE case_id = ? AND status = 'pending'", (case_id,)
        ).fetchone()
        if row is None:
            return False
        payload = json.loads(row[0])
        if "contact_phone" in payload:  # a case (a help request has no contact details)
            payload["contact_phone"] = None
            payload["contact_consent"] = False
        db.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, payload = ?, last_error = NULL, "
            "rejected_status = NULL WHERE case_id = ?",
            (sent_at, json.dumps(payload, ensure_ascii=False, separators=(",", ":")), case_id),
        )
    store.checkpoint_truncate()
    return True


def backoff_delay(attempts: int, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base · 2^(attempts-1))] for the n-th failure."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, min(attempts - 1, 30)))
    return (rng or random).uniform(0, ceiling)


def mark_failed(
    store: LocalStore,
    case_id: str,
    error: str,
    now: datetime | float,
    *,
    rejected_status: int | None = None,
    rng: random.Random | None = None,
) -> float | None:
    """Record a failed attempt and schedule the next; returns the epoch time it is due.

    `rejected_status` is the HTTP status when the server refused the case (4xx): the case is
    still kept and retried (a fixed server may take it), never dropped.
    """
    with store.transaction() as db:
        row = db.conn.execute(
            "SELECT attempts FROM outbox WHERE case_id = ? AND status = 'pending'", (case_id,)
        ).fetchone()
        if row is None:
            return None
        attempts = row[0] + 1
        due = _epoch(now) + backoff_delay(attempts, rng)
        db.conn.execute(
            "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, rejected_status = ? "
            "WHERE case_id = ?",
            (attempts, due, error[:ERROR_TEXT_LIMIT], rejected_status, case_id),
        )
    return due


def retry_all_now(store: LocalStore) -> int:
    """Make every pending case due at once (the server told us to sync now)."""
    with store.transaction() as db:
        return db.conn.execute(
            "UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'"
        ).rowcount


def purge_sent(store: LocalStore, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete acknowledged cases sent more than `older_than` ago: the server has them, and a
    public machine should keep no more of visitors' words than it needs."""
    cutoff = ((now or datetime.now(UTC)) - older_than).astimezone(UTC).isoformat()
    with store.transaction() as db:
        removed = db.conn.execute(
            "DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?", (cutoff,)
        ).rowcount
    if removed:
        store.checkpoint_truncate()
    return removed
