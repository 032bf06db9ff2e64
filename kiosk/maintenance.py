"""The staff maintenance screen's kiosk side: its PIN, the lock-out after wrong PINs, re-enrolment,
the network test and the status it shows (screens/maintenance.py).

The PIN is never stored: only a salted PBKDF2-SHA256 hash (`hash_pin`), set by the installer
(`python -m kiosk maintenance-pin`) or by the fleet console's `set_maintenance_pin` command, which
carries the hash only (`pin_record_from_payload`). Without a PIN there is no way into the screen.
Five wrong PINs lock the pad for five minutes; the lock is kept in the LocalStore, so a restart
does not lift it.

Nothing here imports Kivy: the command line and the sync agent's thread use it too.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import requests

from kiosk import events, outbox
from kiosk.clock import server_offset
from kiosk.identity import KioskIdentity, load_identity, save_identity
from kiosk.store import LocalStore
from sync.maintenance_pin import hash_pin, pin_record_from_payload
from sync.protocol import HEARTBEAT_PATH, Heartbeat

PIN_KEY = "maintenance.pin"
"""LocalStore setting: {"algorithm", "iterations", "salt" (hex), "hash" (hex)} of the staff PIN."""
LOCKOUT_KEY = "maintenance.lockout"
"""LocalStore setting: {"failures": wrong PINs in a row, "locked_until": epoch seconds or 0}."""
MAX_WRONG_PINS = 5
LOCKOUT_S = 300.0
NETWORK_TEST_TIMEOUT_S = (5.0, 10.0)


# ---------------------------------------------------------------- the PIN
def set_pin(store: LocalStore, pin: str) -> None:
    save_pin_record(store, hash_pin(pin))


def save_pin_record(store: LocalStore, record: dict[str, Any]) -> None:
    """Keep a new PIN hash; a new PIN also lifts any lock-out."""
    with store.transaction():
        store.set_setting(PIN_KEY, pin_record_from_payload(record))
        store.delete_setting(LOCKOUT_KEY)


def pin_is_set(store: LocalStore) -> bool:
    return isinstance(store.get_setting(PIN_KEY), dict)


class PinCheck(Enum):
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"


def locked_for(store: LocalStore, now: float | None = None) -> float:
    """Seconds the pad stays locked (0: open). A clock set back cannot make it longer than LOCKOUT_S."""
    state = store.get_setting(LOCKOUT_KEY) or {}
    until = float(state.get("locked_until", 0) or 0)
    now = time.time() if now is None else now
    return min(max(0.0, until - now), LOCKOUT_S)


def check_pin(store: LocalStore, pin: str, now: float | None = None) -> PinCheck:
    """Check a PIN typed on the pad; counts wrong ones and locks after MAX_WRONG_PINS."""
    now = time.time() if now is None else now
    record = store.get_setting(PIN_KEY)
    if not isinstance(record, dict):
        return PinCheck.NOT_SET
    if locked_for(store, now) > 0:
        return PinCheck.LOCKED
    try:
        salt = bytes.fromhex(record["salt"])
        expected = bytes.fromhex(record["hash"])
        iterations = int(record["iterations"])
    except (KeyError, TypeError, ValueError):
        logging.getLogger(__name__).error("the stored maintenance PIN record is unreadable")
        return PinCheck.NOT_SET
    typed = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    if hmac.compare_digest(typed, expected):
        store.delete_setting(LOCKOUT_KEY)
        return PinCheck.RIGHT
    state = store.get_setting(LOCKOUT_KEY) or {}
    failures = int(state.get("failures", 0) or 0) + 1
    if failures >= MAX_WRONG_PINS:
        store.set_setting(LOCKOUT_KEY, {"failures": 0, "locked_until": now + LOCKOUT_S})
        return PinCheck.LOCKED
    store.set_setting(LOCKOUT_KEY, {"failures": failures, "locked_until": 0})
    return PinCheck.WRONG


# ---------------------------------------------------------------- re-enrolment
class ReenrolRefused(Exception):
    """Cases made under the current kiosk code still wait: a new code would strand them."""

    def __init__(self, waiting: int, kiosk_code: str):
        super().__init__(f"{waiting} case(s) made as {kiosk_code} are still waiting to be uploaded")
        self.waiting = waiting
        self.kiosk_code = kiosk_code


def reenrol(store: LocalStore, server_url: str, code: str, app_version: str) -> KioskIdentity:
    """Enrol this kiosk (again) and save its new identity. Refused (ReenrolRefused) while cases
    made under the present identity wait: the server takes a case only under the code of the
    kiosk that uploads it. Raises kiosk.sync_agent.EnrollError when the server says no."""
    from kiosk.sync_agent import enroll_kiosk

    existing = load_identity(store)
    waiting = outbox.depth(store)
    if existing is not None and waiting:
        raise ReenrolRefused(waiting, existing.kiosk_code)
    identity = enroll_kiosk(server_url, code, app_version=app_version)
    save_identity(store, identity)
    return identity


# ---------------------------------------------------------------- the network test
@dataclass(frozen=True)
class NetworkTest:
    ok: bool
    latency_ms: float | None = None
    """The heartbeat's round trip."""
    offset_s: float | None = None
    """How far the server's clock is ahead of this kiosk's (its Date header), when it answered."""
    status_code: int | None = None
    error: str = ""


def network_test(store: LocalStore, identity: KioskIdentity, app_version: str,
                 session: requests.Session | None = None) -> NetworkTest:
    """Send one heartbeat now, on a session of its own (call it off the UI thread). Commands in
    the reply are left to the sync agent: the server repeats them until their results arrive."""
    heartbeat = Heartbeat(app_version=app_version[:64] or "0", outbox_depth=outbox.depth(store),
                          sent_at=datetime.now(UTC), disk_free_bytes=disk_free(store))
    http = session or requests.Session()
    started = time.monotonic()
    try:
        response = http.post(identity.server_url.rstrip("/") + HEARTBEAT_PATH,
                             data=heartbeat.model_dump_json(),
                             headers={"Content-Type": "application/json",
                                      "Authorization": f"Bearer {identity.device_key}"},
                             timeout=NETWORK_TEST_TIMEOUT_S)
    except requests.RequestException as exc:
        return NetworkTest(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if session is None:
            http.close()
    latency_ms = (time.monotonic() - started) * 1000
    offset = server_offset(response.headers.get("Date"), datetime.now(UTC))
    if response.status_code != 200:
        return NetworkTest(ok=False, latency_ms=latency_ms, offset_s=offset, status_code=response.status_code,
                           error=response.text[:200])
    return NetworkTest(ok=True, latency_ms=latency_ms, offset_s=offset, status_code=200)


# ---------------------------------------------------------------- the status
def disk_free(store: LocalStore) -> int | None:
    try:
        return shutil.disk_usage(store.data_dir).free
    except OSError:
        return None


def process_uptime_s() -> float | None:
    """Seconds since this process started (Linux /proc), None where that cannot be read."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        system_uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, system_uptime - start_ticks / os.sysconf("SC_CLK_TCK"))


@dataclass(frozen=True)
class KioskStatus:
    identity: KioskIdentity | None
    app_version: str
    content_version: int | None
    content_installed_at: str | None
    outbox_depth: int
    refused_cases: int
    queued_events: int
    online: bool | None
    last_contact_at: datetime | None
    last_error: str | None
    disk_free_bytes: int | None
    uptime_s: float | None
    damaged_blobs: int
    missing_blobs: int


def kiosk_status(store: LocalStore, app_version: str, agent: Any = None) -> KioskStatus:
    """What the maintenance screen shows, read now from the store and the sync agent."""
    from kiosk.content import active_version, damaged_blobs, missing_blobs

    version = active_version(store)
    sync = agent.status() if agent is not None and hasattr(agent, "status") else None
    return KioskStatus(
        identity=load_identity(store), app_version=app_version,
        content_version=version.version if version else None,
        content_installed_at=version.installed_at if version else None,
        outbox_depth=outbox.depth(store), refused_cases=outbox.rejected_count(store),
        queued_events=events.queued_count(store),
        online=sync.online if sync else None, last_contact_at=sync.last_contact_at if sync else None,
        last_error=sync.last_error if sync else None,
        disk_free_bytes=disk_free(store), uptime_s=process_uptime_s(),
        damaged_blobs=len(damaged_blobs(store)), missing_blobs=len(missing_blobs(store)),
    )
