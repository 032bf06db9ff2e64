"""The kiosk's fast poll for notices and emergencies, on its own thread.

It is kept apart from the sync agent's cycle, which may spend minutes downloading a content
version: an emergency must reach the screen within seconds whatever else is going on. It asks
for the broadcast list with the ETag it has, as a long poll when the server offers one (the
server holds the request until the list changes, up to `long_poll_seconds`), and at most every
`poll_seconds` (the server says how often; 2 s by default), so against a server that answers
at once it is a fast poll. It stores a new list, hands it to `on_broadcasts`, and uploads
queued "shown at" acknowledgements; after a new list it waits up to `poll_seconds` for the
screen to draw it (`wake`), so the acknowledgement is not held behind the next long poll. After
a failure it retries sooner than the content poll would, backing off to at most MAX_RETRY_S, so a
kiosk that reconnects learns of an emergency on its first poll. Retries and acknowledgements
are spread at random: a fleet that lost the server together, or drew the same emergency at the
same moment, does not come back to it in step.
"""
from __future__ import annotations

import logging
import random
import threading
import time as time_module
from types import ModuleType
from typing import Any, Callable

import requests
from pydantic import ValidationError

from kiosk import broadcasts
from kiosk.store import LocalStore
from sync.protocol import (
    BLOB_PATH,
    BROADCASTS_PATH,
    BROADCASTS_SHOWN_PATH,
    MAX_BROADCAST_PHOTO_BYTES,
    Broadcast,
    BroadcastShownReport,
    BroadcastState,
    sha256_hex,
)

log = logging.getLogger(__name__)

DEFAULT_POLL_S = 2.0
MIN_POLL_S = 0.5
MAX_POLL_S = 60.0
MAX_RETRY_S = 5.0
"""The longest wait between polls while the server is unreachable: a kiosk learns of an
emergency within seconds of the network coming back (200 kiosks then cost 40 refused
connections a second, nothing to a server or a proxy)."""
ACK_SPREAD_S = 3.0
"""A drawn broadcast is acknowledged within this many seconds, at random: an emergency drawn by
the whole fleet at once is not acknowledged by all of it in the same second."""
MAX_LONG_POLL_S = 60.0
TIMEOUT_S = (3.0, 10.0)


class BroadcastListener:
    def __init__(self, db_path, base_url: str, session: requests.Session,
                 on_broadcasts: Callable[[list[Broadcast]], Any] | None = None,
                 poll_s: float = DEFAULT_POLL_S, clock: ModuleType | Any = time_module,
                 on_back_online: Callable[[], Any] | None = None,
                 on_commands_waiting: Callable[[], Any] | None = None):
        self.db_path = db_path
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.on_broadcasts = on_broadcasts
        self.on_back_online = on_back_online
        """Called when a poll succeeds after failed ones: the outage is over, others may retry now."""
        self.on_commands_waiting = on_commands_waiting
        """Called when the server says the fleet console queued a command: fetch it now."""
        self.poll_s = float(poll_s)
        self.long_poll_s = 0.0
        """How long the server may hold a poll (it says so; 0 until it does)."""
        self.clock = clock
        self.failures = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="concierge-broadcasts", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Upload acknowledgements (and poll) now: a broadcast was just drawn."""
        self._wake.set()

    def stop(self, timeout: float | None = 10) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        store = LocalStore(self.db_path)
        try:
            while not self._stopping.is_set():
                started, received = self.clock.monotonic(), None
                try:
                    received = self.run_once(store)
                except Exception:  # the listener must outlive any one bad poll
                    log.exception("broadcast poll failed")
                    self.failures += 1
                delay = self._delay(self.clock.monotonic() - started, received is not None)
                if self.failures:  # half to all of the backoff step, at random: kiosks retry apart
                    delay *= random.uniform(0.5, 1.0)
                woken = self._wake.wait(delay)
                self._wake.clear()
                if woken and not self._stopping.is_set() and broadcasts.pending_acknowledgements(store):
                    self._stopping.wait(random.uniform(0, ACK_SPREAD_S))
        finally:
            store.close()

    def _delay(self, elapsed: float, received: bool) -> float:
        if self.failures:
            return min(self.poll_s * 2 ** (self.failures - 1), MAX_RETRY_S)
        if received:  # until the screen has drawn it (`wake`), then acknowledge
            return self.poll_s
        return max(0.0, self.poll_s - elapsed)

    def run_once(self, store: LocalStore) -> list[Broadcast] | None:
        self.send_acknowledgements(store)
        received = self.poll(store)
        self.fetch_photos(store)
        return received

    def fetch_photos(self, store: LocalStore) -> int:
        """Download the photos of the stored broadcasts the kiosk does not have yet (a lost
        child's); the notice is on screen meanwhile, and a failed download is tried again at the
        next poll. Returns how many were stored."""
        fetched = 0
        for broadcast in broadcasts.load_state(store)[0]:
            sha256 = broadcast.photo_sha256
            if not sha256 or store.has_blob(sha256):
                continue
            try:
                response = self.session.get(self.base_url + BLOB_PATH.format(sha256=sha256), timeout=TIMEOUT_S)
            except requests.RequestException as exc:
                log.warning("broadcasts: photo %s: %s: %s", sha256[:12], type(exc).__name__, exc)
                continue
            data = response.content
            if response.status_code != 200 or len(data) > MAX_BROADCAST_PHOTO_BYTES or sha256_hex(data) != sha256:
                log.warning("broadcasts: photo %s refused (HTTP %s, %d bytes)", sha256[:12],
                            response.status_code, len(data))
                continue
            store.write_blob(sha256, data)
            fetched += 1
        return fetched

    def poll(self, store: LocalStore) -> list[Broadcast] | None:
        """Ask for the list; returns it when it changed (and stores it), else None."""
        _, etag = broadcasts.load_state(store)
        headers, params, timeout = {}, {}, TIMEOUT_S
        if etag:
            headers["If-None-Match"] = etag
            if self.long_poll_s:
                params["wait"] = int(self.long_poll_s)
                timeout = (TIMEOUT_S[0], TIMEOUT_S[1] + self.long_poll_s)
        try:
            response = self.session.get(self.base_url + BROADCASTS_PATH, headers=headers, params=params,
                                        timeout=timeout)
        except requests.RequestException as exc:
            self._failed(f"{type(exc).__name__}: {exc}")
            return None
        if response.status_code == 304:
            self._succeeded()
            return None
        if response.status_code != 200:
            self._failed(f"server answered {response.status_code}")
            return None
        try:
            state = BroadcastState.model_validate_json(response.content)
        except ValidationError as exc:
            self._failed(f"the broadcast list does not parse: {str(exc)[:200]}")
            return None
        self._succeeded()
        self.poll_s = min(max(float(state.poll_seconds), MIN_POLL_S), MAX_POLL_S)
        self.long_poll_s = min(float(state.long_poll_seconds), MAX_LONG_POLL_S)
        broadcasts.save_state(store, state.broadcasts, response.headers.get("ETag"))
        if state.commands_waiting and self.on_commands_waiting is not None:
            try:
                self.on_commands_waiting()
            except Exception:
                log.exception("the commands-waiting callback failed")
        if self.on_broadcasts is not None:
            try:
                self.on_broadcasts(list(state.broadcasts))
            except Exception:
                log.exception("the broadcast callback failed")
        return state.broadcasts

    def send_acknowledgements(self, store: LocalStore) -> int:
        pending = broadcasts.pending_acknowledgements(store)
        if not pending:
            return 0
        report = BroadcastShownReport(shown=pending[:100])
        try:
            response = self.session.post(self.base_url + BROADCASTS_SHOWN_PATH, data=report.model_dump_json(),
                                         headers={"Content-Type": "application/json"}, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            self._failed(f"acknowledgements: {type(exc).__name__}: {exc}")
            return 0
        if response.status_code != 200:
            self._failed(f"acknowledgements: server answered {response.status_code}")
            return 0
        broadcasts.mark_acknowledged(store, [item.broadcast_id for item in report.shown])
        return len(report.shown)

    def _succeeded(self) -> None:
        recovered, self.failures = self.failures > 0, 0
        if recovered and self.on_back_online is not None:
            try:
                self.on_back_online()
            except Exception:
                log.exception("the back-online callback failed")

    def _failed(self, message: str) -> None:
        self.failures += 1
        if not self._stopping.is_set():  # a poll cut short by stopping is no news
            log.warning("broadcasts: %s", message)
