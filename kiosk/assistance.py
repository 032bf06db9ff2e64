"""The help button: ask the service desk to send someone to this kiosk.

`ask()` writes the request to the durable outbox first (kind "assistance"), so it survives a
power cut and the sync agent delivers it whenever the network is back; `send_now()` then tries
the server straight away with a short timeout, so an online kiosk's request reaches the desk's
console within seconds instead of at the agent's next cycle. The server is idempotent on the
request's id, so the two paths never alert the desk twice.

One open request a kiosk: within OPEN_FOR_S of a request, pressing again is answered with that
request (already asked; sent or still waiting for the network), not a new one. The server keeps
the same rule for requests its staff have not resolved.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from ulid import ULID

from kiosk import outbox
from kiosk.identity import KioskIdentity
from kiosk.store import LocalStore
from sync.protocol import ASSISTANCE_PATH, AssistanceReceipt, AssistanceRequest, as_language

if TYPE_CHECKING:  # the help button is on the first frame: the HTTP client loads when pressed
    import requests

OPEN_FOR_S = 15 * 60
"""How long a request counts as open at the kiosk: long enough for staff to walk over from
the desk of a large mall; a visitor still waiting after that may ask again."""
CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 3.0
"""The direct attempt's timeouts: the visitor waits at most about five seconds for an answer."""


class Delivery(StrEnum):
    SENT = "sent"
    """The server has it: the desk's console shows it."""
    WAITING = "waiting"
    """In the outbox: it goes when the network is back."""


@dataclass(frozen=True)
class HelpRequest:
    id: str
    delivery: Delivery
    created_at: datetime
    already_asked: bool
    """True when this press found a request already open (nothing new was filed)."""


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).astimezone(UTC)


def open_request(store: LocalStore, now: datetime | None = None) -> HelpRequest | None:
    """The kiosk's open request: its newest, filed less than OPEN_FOR_S ago."""
    since = (_now(now) - timedelta(seconds=OPEN_FOR_S)).isoformat()
    row = store.db.conn.execute(
        "SELECT case_id, status, created_at FROM outbox WHERE kind = ? AND created_at >= ? "
        "ORDER BY created_at DESC LIMIT 1", (outbox.ASSISTANCE_KIND, since),
    ).fetchone()
    if row is None:
        return None
    delivery = Delivery.SENT if row[1] == "sent" else Delivery.WAITING
    return HelpRequest(id=row[0], delivery=delivery, created_at=datetime.fromisoformat(row[2]), already_asked=True)


def ask(store: LocalStore, language: str, now: datetime | None = None) -> HelpRequest:
    """File a help request in the outbox, or return the one already open."""
    created_at = _now(now)
    with store.transaction() as db:
        held = open_request(store, created_at)
        if held is not None:
            return held
        request_id = str(ULID.from_datetime(created_at))
        body = AssistanceRequest(id=request_id, requested_at=created_at, language=as_language(language))
        db.conn.execute(
            "INSERT INTO outbox (case_id, reference, kind, payload, created_at, next_attempt_at) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            (request_id, f"help-{request_id}", outbox.ASSISTANCE_KIND, body.model_dump_json(),
             created_at.isoformat()),
        )
    return HelpRequest(id=request_id, delivery=Delivery.WAITING, created_at=created_at, already_asked=False)


def send_now(store: LocalStore, identity: KioskIdentity, request_id: str,
             session: requests.Session | None = None) -> AssistanceReceipt | None:
    """Try the server once, now; the receipt when it took the request, else None (the request
    stays in the outbox with the failure noted, for the sync agent to retry)."""
    import requests

    item = outbox.get(store, request_id)
    if item is None:
        return None
    http = session or requests.Session()
    try:
        response = http.post(
            identity.server_url.rstrip("/") + ASSISTANCE_PATH,
            data=item.payload.encode("utf-8"),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {identity.device_key}"},
            timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        )
    except requests.RequestException as exc:
        outbox.mark_failed(store, request_id, f"help request: {type(exc).__name__}: {exc}", _now(None))
        return None
    finally:
        if session is None:
            http.close()
    if response.status_code in (200, 201):
        try:
            receipt = AssistanceReceipt.model_validate_json(response.content)
        except ValueError as exc:
            outbox.mark_failed(store, request_id, f"help request: unreadable reply: {exc}", _now(None))
            return None
        outbox.mark_sent(store, request_id)
        return receipt
    rejected = response.status_code if 400 <= response.status_code < 500 else None
    outbox.mark_failed(store, request_id, f"help request: server answered {response.status_code}", _now(None),
                       rejected_status=rejected)
    return None
