"""The kiosk's sync agent: the only code on the kiosk that touches the network.

It runs on a daemon thread with its own SQLite connection and does three things, each of
which may fail without affecting the others or the screens:

* push — upload due outbox cases (idempotent on the case id, so retries never duplicate);
* pull — fetch the published content with If-None-Match and install new versions;
* heartbeat — report health, receive commands;
* availability — what the service desk can lend now (kiosk/lending.py), live between versions.

Results reach the UI through the plain callables `on_content_changed(version)`,
`on_commands(commands)` and `on_availability(availability)`, called on the agent thread;
the screens wrap them with Kivy's Clock.
"""
from __future__ import annotations

import collections
import logging
import platform
import random
import shutil
import socket
import threading
import time as time_module
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from kiosk import clock, events, lending, outbox
from kiosk.broadcast_listener import BroadcastListener
from kiosk.commands import run_commands, screen_report
from kiosk.content import (
    ContentInstallError,
    active_version,
    install_version,
    is_refused,
    missing_blobs,
    partial_blob_path,
    prune_content,
    repair_blobs,
)
from kiosk.identity import KioskIdentity
from kiosk.recovery import take_start_problems
from kiosk.store import BLOBS_DIRNAME, LocalStore
from sync.protocol import (
    AVAILABILITY_PATH,
    BLOB_PATH,
    CONTENT_PATH,
    EARLIEST_TIME,
    ENROLL_PATH,
    EVENTS_PATH,
    HEARTBEAT_PATH,
    LATEST_TIME,
    MAX_BYTES,
    MAX_COUNT,
    MAX_HEARTBEAT_ERROR_CHARS,
    MAX_HEARTBEAT_ERRORS,
    MAX_SECONDS,
    Command,
    ContentManifest,
    EnrollRequest,
    EnrollResponse,
    Heartbeat,
    HeartbeatReply,
    LendingAvailability,
    printable,
    sha256_hex,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
DOWNLOAD_CHUNK_BYTES = 64 * 1024
MIN_POLL_S = 5
MAX_POLL_S = 3600
MAX_REPORTED_ERRORS = MAX_HEARTBEAT_ERRORS
BROADCAST_STOP_WAIT_S = 2.0
"""A broadcast long poll still in flight at stop is left to end with its request: its thread
is a daemon and everything it received is already stored."""
MAX_EVENT_BATCHES_PER_CYCLE = 10
RETRYABLE_CLIENT_STATUSES = {408, 429}
ReplyModel = TypeVar("ReplyModel", bound=BaseModel)


class EnrollError(Exception):
    """Enrollment failed; the message says why in words an installer can act on."""


@dataclass(frozen=True)
class SyncStatus:
    """A snapshot for the screens (an offline badge) and `python -m kiosk status`."""

    online: bool | None = None
    """None until the first exchange; then whether the last one reached the server."""
    last_contact_at: datetime | None = None
    last_error: str | None = None
    outbox_depth: int = 0
    content_version: int | None = None


@dataclass(frozen=True)
class PushResult:
    sent: int = 0
    failed: int = 0
    rejected: int = 0


def _user_agent(app_version: str) -> str:
    return f"concierge-kiosk/{app_version or '0'} ({platform.system()}; python {platform.python_version()})"


def _error_text(response: requests.Response) -> str:
    """`<status> <code>: <message>` from our JSON error body, or the start of whatever came."""
    try:
        body = response.json()
        detail = body.get("error") if isinstance(body, dict) else None
        if isinstance(detail, dict):
            return f"{response.status_code} {detail.get('code', '')}: {detail.get('message', '')}"
        if isinstance(body, dict) and "detail" in body:  # django-ninja's own validation errors
            return f"{response.status_code}: {str(body['detail'])[:300]}"
    except ValueError:
        pass
    return f"{response.status_code}: {response.text[:200]}"


def enroll_kiosk(
    server_url: str,
    code: str,
    app_version: str = "",
    hostname: str | None = None,
    session: requests.Session | None = None,
) -> KioskIdentity:
    """Exchange a one-time enrollment code for this kiosk's identity (not yet saved)."""
    server_url = server_url.rstrip("/")
    try:
        request = EnrollRequest(
            code=code.strip(),
            app_version=printable(app_version[:64], single_line=True),
            hostname=printable((hostname or socket.gethostname())[:128], single_line=True),
        )
    except ValidationError:
        raise EnrollError(f"{code!r} is not an enrollment code (they have 4 to 64 characters)") from None
    http = session or requests.Session()
    url = server_url + ENROLL_PATH
    try:
        response = http.post(
            url,
            data=request.model_dump_json(),
            headers={"Content-Type": "application/json", "User-Agent": _user_agent(app_version)},
            timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        )
    except requests.exceptions.InvalidURL as exc:
        raise EnrollError(f"{server_url!r} is not a server URL: {exc}") from None
    except requests.exceptions.MissingSchema:
        raise EnrollError(f"{server_url!r} is not a server URL (it needs http:// or https://)") from None
    except requests.RequestException as exc:
        raise EnrollError(f"cannot reach the server at {server_url}: {type(exc).__name__}: {exc}") from None
    if response.status_code in (400, 401, 403, 404, 409, 410, 422):
        raise EnrollError(f"the server refused the enrollment code: {_error_text(response)}")
    if response.status_code >= 300:
        raise EnrollError(f"enrollment failed at {url}: {_error_text(response)}")
    try:
        enrolled = EnrollResponse.model_validate_json(response.content)
    except ValidationError as exc:
        raise EnrollError(f"{url} answered with something that is not an enrollment: {exc}") from None
    return KioskIdentity(
        kiosk_id=enrolled.kiosk_id,
        kiosk_code=enrolled.kiosk_code,
        device_key=enrolled.device_key,
        mall_id=enrolled.mall_id,
        location_id=enrolled.location_id,
        public_base_url=enrolled.public_base_url.rstrip("/"),
        server_url=server_url,
    )


class SyncAgent:
    """Background sync between one kiosk's store and the server (see the module docstring)."""

    def __init__(
        self,
        store: LocalStore,
        identity: KioskIdentity,
        app_version: str,
        on_content_changed: Callable[[int], Any] | None = None,
        on_commands: Callable[[list[Command]], Any] | None = None,
        on_availability: Callable[[LendingAvailability], Any] | None = None,
        poll_s: float = 60,
        clock: ModuleType | Any = time_module,
    ):
        self.db_path = store.path
        self.identity = identity
        self.app_version = app_version
        self.on_content_changed = on_content_changed
        self.on_commands = on_commands
        self.on_availability = on_availability
        self.on_progress: Callable[[int, int], Any] | None = None
        """Told (bytes fetched, bytes to fetch) while a content version downloads."""
        self.poll_s = float(poll_s)
        self.clock = clock
        self.base_url = identity.server_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {identity.device_key}", "User-Agent": _user_agent(app_version)}
        )
        self.session.hooks["response"].append(self._note_server_time)
        self._server_offset: float | None = None
        """Seconds the server's clock is ahead of ours, from the last answer's Date header."""
        self.timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
        broadcast_session = requests.Session()  # its own: sessions are not shared across threads
        broadcast_session.headers.update(self.session.headers)
        self.broadcasts = BroadcastListener(self.db_path, self.base_url, broadcast_session, clock=clock,
                                            on_back_online=self.server_back_online,
                                            on_commands_waiting=self.commands_waiting)
        """Notices and emergencies: a long poll on a thread of its own (kiosk/broadcast_listener.py)."""
        self._started_monotonic = clock.monotonic()
        self._errors: collections.deque[str] = collections.deque(maxlen=MAX_REPORTED_ERRORS)
        self._status = SyncStatus()
        self._status_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._network_failures = 0
        self._network_blocked_until = 0.0
        self._next_content_at = 0.0
        self._next_heartbeat_at = 0.0
        self._next_availability_at = 0.0

    # ---------------------------------------------------------------- thread control
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="concierge-sync", daemon=True)
        self._thread.start()
        self.broadcasts.start()

    def wake(self) -> None:
        """Push now (a new case was just filed), even while backing off from failures."""
        self._wake.set()

    def server_back_online(self) -> None:
        """The broadcast poll reached the server again after an outage: stop backing off and upload
        what waited (cases, impressions) now rather than after the longest backoff."""
        self._network_blocked_until = 0.0
        self._wake.set()

    def commands_waiting(self) -> None:
        """The fleet console queued a command (told by the broadcast poll): heartbeat now, which
        brings it, instead of at the next interval."""
        self._next_heartbeat_at = 0.0
        self._network_blocked_until = 0.0
        self._wake.set()

    def stop(self, timeout: float | None = 10) -> None:
        self._stopping.set()
        self._wake.set()
        self.broadcasts.stop(timeout=0)  # ask now; a long poll in flight ends when its request does
        if self._thread is not None:
            self._thread.join(timeout)
        self.broadcasts.stop(timeout=BROADCAST_STOP_WAIT_S)
        self.session.close()
        self.broadcasts.session.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    def _run(self) -> None:
        store = LocalStore(self.db_path)  # sqlite connections belong to one thread: our own
        for problem in take_start_problems(store):  # a damaged database or a full disk, mended
            self._record_error(f"at start: {problem}")
        try:
            woken = True
            while not self._stopping.is_set():
                try:
                    self.run_cycle(store, force_push=woken)
                except Exception:  # the agent must outlive any one bad cycle
                    log.exception("sync cycle failed")
                    self._record_error("sync cycle failed (see the kiosk log)")
                woken = self._wake.wait(self._seconds_until_next(store))
                self._wake.clear()
        finally:
            store.close()

    def _seconds_until_next(self, store: LocalStore) -> float:
        now = self.clock.time()
        moments = [self._next_content_at, self._next_heartbeat_at, self._next_availability_at]
        due = outbox.next_due_at(store)
        if due is not None:
            moments.append(due)
        # While backing off nothing is due before the block lifts (wake() still cuts in).
        delay = max(min(moments), self._network_blocked_until) - now
        return min(max(delay, 0.2), self.poll_s)

    # ---------------------------------------------------------------- one cycle
    def run_cycle(self, store: LocalStore, force_push: bool = False) -> None:
        """Do whatever is due: push cases, pull content, send a heartbeat."""
        now = self.clock.time()
        network_allowed = now >= self._network_blocked_until
        if network_allowed or force_push:
            self.push_outbox(store)
        if now >= self._next_content_at and self.clock.time() >= self._network_blocked_until:
            self._next_content_at = now + self._spread(self.poll_s)
            self.pull_content(store)
        if missing_blobs(store) and self.clock.time() >= self._network_blocked_until:
            self.repair_content(store)
        heartbeat_due = now >= self._next_heartbeat_at and self.clock.time() >= self._network_blocked_until
        if heartbeat_due:
            self._next_heartbeat_at = now + self._spread(self.poll_s)
            self.send_heartbeat(store)
        if now >= self._next_availability_at and self.clock.time() >= self._network_blocked_until:
            self._next_availability_at = now + self._spread(self.poll_s)
            self.pull_availability(store)
        # Usage events go in batches with the heartbeat, and at once when woken (back online).
        if (heartbeat_due or force_push) and self.clock.time() >= self._network_blocked_until:
            self.push_events(store)
        if self._server_offset is not None:
            clock.save_offset(store, self._server_offset)
        self._update_status(outbox_depth=outbox.depth(store), content_version=_active_number(store))

    @staticmethod
    def _spread(seconds: float) -> float:
        """±10 %: kiosks restarted together (a power cut) drift apart instead of polling in step."""
        return seconds * random.uniform(0.9, 1.1)

    def push_outbox(self, store: LocalStore) -> PushResult:
        """Upload every due case; stops at the first transport or server failure."""
        sent = failed = rejected = 0
        for item in outbox.pending(store, self.clock.time()):
            if self._stopping.is_set():
                break
            try:
                response = self.session.post(
                    self.base_url + outbox.upload_path(item),
                    data=item.payload.encode("utf-8"),
                    headers={"Content-Type": "application/json"},
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                message = f"case {item.reference}: {type(exc).__name__}: {exc}"
                outbox.mark_failed(store, item.case_id, message, self.clock.time())
                self._transport_failed(message)
                failed += 1
                break
            status = response.status_code
            if status in (200, 201):
                outbox.mark_sent(store, item.case_id)
                self._contact_succeeded()
                sent += 1
            elif 400 <= status < 500 and status not in RETRYABLE_CLIENT_STATUSES:
                # The server refuses this case as sent. Keep it (a case is never dropped),
                # retry it on the backoff schedule, and tell operators through the heartbeat.
                message = f"case {item.reference} refused: {_error_text(response)}"
                log.error(message)
                outbox.mark_failed(store, item.case_id, message, self.clock.time(), rejected_status=status)
                self._record_error(message)
                self._contact_succeeded()
                rejected += 1
            else:
                message = f"case {item.reference}: server answered {_error_text(response)}"
                outbox.mark_failed(store, item.case_id, message, self.clock.time())
                self._transport_failed(message)
                failed += 1
                break
        if sent or failed or rejected:
            self._update_status(outbox_depth=outbox.depth(store))
        return PushResult(sent=sent, failed=failed, rejected=rejected)

    def push_events(self, store: LocalStore) -> int:
        """Upload queued usage events in batches; returns how many the server acknowledged.

        A batch keeps its id until acknowledged, so a retry after a lost reply is the same
        batch to the server. A server without the events endpoint (404) just keeps them queued.
        """
        acknowledged = 0
        for _ in range(MAX_EVENT_BATCHES_PER_CYCLE):
            pending_batch = events.next_batch(store, datetime.fromtimestamp(self.clock.time(), UTC))
            if pending_batch is None or self._stopping.is_set():
                break
            try:
                response = self.session.post(
                    self.base_url + EVENTS_PATH,
                    data=pending_batch.batch.model_dump_json(),
                    headers={"Content-Type": "application/json"},
                    timeout=self.timeout,
                )
            except requests.RequestException as exc:
                self._transport_failed(f"events: {type(exc).__name__}: {exc}")
                break
            if response.status_code in (200, 201):
                acknowledged += events.mark_batch_sent(store, pending_batch.batch_id)
                self._contact_succeeded()
                continue
            if response.status_code == 404:
                log.debug("the server does not take usage events yet; they stay queued")
            elif response.status_code >= 500:
                self._transport_failed(f"events: server answered {_error_text(response)}")
            else:
                self._record_error(f"events batch {pending_batch.batch_id} refused: {_error_text(response)}")
            break
        return acknowledged

    def _parsed_reply(self, response: requests.Response, what: str, model: type[ReplyModel]) -> ReplyModel | None:
        """A 200 reply parsed as `model`; otherwise None, with the failure recorded: a 5xx as a
        transport failure (the agent backs off), anything else as an error to report."""
        if response.status_code != 200:
            message = f"{what}: server answered {_error_text(response)}"
            if response.status_code >= 500:
                self._transport_failed(message)
            else:
                self._record_error(message)
            return None
        self._contact_succeeded()
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            self._record_error(f"{what}: the reply does not parse: {str(exc)[:300]}")
            return None

    def pull_content(self, store: LocalStore) -> int | None:
        """Fetch the published manifest; install it if new. Returns the new version number
        when the active version changed, else None."""
        current = active_version(store)
        headers = {}
        if current is not None and current.etag:
            headers["If-None-Match"] = current.etag
        try:
            response = self.session.get(self.base_url + CONTENT_PATH, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            self._transport_failed(f"content: {type(exc).__name__}: {exc}")
            return None
        if response.status_code == 304:
            self._contact_succeeded()
            return None
        if response.status_code == 404:
            self._contact_succeeded()
            log.info("the server has no published content for this mall yet")
            return None
        manifest = self._parsed_reply(response, "content", ContentManifest)
        if manifest is None:
            return None
        if manifest.mall_id != self.identity.mall_id:
            self._record_error(
                f"content: manifest for mall {manifest.mall_id!r}, this kiosk belongs to {self.identity.mall_id!r}"
            )
            return None
        if is_refused(store, manifest.document.sha256):
            self._record_error(f"content v{manifest.version} is not shown: this kiosk could not load it "
                               "(it shows the version before; a new publish replaces it)")
            return None
        before = current.id if current is not None else None
        try:
            installed = install_version(store, manifest, self._fetch_blob, etag=response.headers.get("ETag"),
                                        progress=lambda done, total: self._call(self.on_progress, done, total))
        except ContentInstallError as exc:
            self._record_error(f"content v{manifest.version} not installed: {exc}")
            return None
        if installed.id == before:
            return None
        log.info("content version %s installed", installed.version)
        try:
            prune_content(store)  # keep the active and the previous version only
        except (OSError, ValueError) as exc:
            log.warning("could not prune old content: %s", exc)
        self._update_status(content_version=installed.version)
        self._call(self.on_content_changed, installed.version)
        return installed.version

    def repair_content(self, store: LocalStore) -> list[str]:
        """Fetch again the blobs of the kept versions that are missing or were removed as damaged
        (`kiosk.content.verify_blobs_at_rest`); redraw when the active version got whole again."""
        repaired, failed = repair_blobs(store, self._fetch_blob)
        if failed:
            self._record_error(f"content: {len(failed)} damaged picture(s) could not be fetched again")
        if repaired:
            log.info("repaired %d damaged or missing blob(s)", len(repaired))
            version = _active_number(store)
            if version is not None:
                self._call(self.on_content_changed, version)
        return repaired

    def pull_availability(self, store: LocalStore) -> LendingAvailability | None:
        """Fetch what the desk can lend now and keep it with the time it arrived. A server
        without the endpoint (404) is no error: the kiosk just shows no availability."""
        try:
            response = self.session.get(self.base_url + AVAILABILITY_PATH, timeout=self.timeout)
        except requests.RequestException as exc:
            self._transport_failed(f"availability: {type(exc).__name__}: {exc}")
            return None
        if response.status_code == 404:
            self._contact_succeeded()
            return None
        availability = self._parsed_reply(response, "availability", LendingAvailability)
        if availability is None:
            return None
        lending.save_availability(store, availability, self.clock.time())
        self._next_availability_at = min(self._next_availability_at,
                                         self.clock.time() + self._spread(availability.poll_seconds))
        self._call(self.on_availability, availability)
        return availability

    def _fetch_blob(self, sha256: str) -> bytes:
        """Download a blob, resuming where a cut download stopped (HTTP Range).

        What arrived is kept in a partial file beside the blobs until the whole is there; the
        caller verifies the hash before anything is trusted. A resumed download that does not
        hash right is started again from the first byte, once.
        """
        partial = partial_blob_path(self.db_path.parent / BLOBS_DIRNAME, sha256)
        resumed = partial.exists()
        data = self._download(sha256, partial)
        if resumed and sha256_hex(data) != sha256:
            partial.unlink(missing_ok=True)
            data = self._download(sha256, partial)
        partial.unlink(missing_ok=True)  # whole now: verified by the caller, kept or refused there
        return data

    def _download(self, sha256: str, partial: Path) -> bytes:
        have = partial.stat().st_size if partial.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        url = self.base_url + BLOB_PATH.format(sha256=sha256)
        with self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as response:
            if response.status_code == 416:  # what we have is all there is (or more): start again
                partial.unlink(missing_ok=True)
                return self._download(sha256, partial) if have else b""
            if response.status_code not in (200, 206):
                raise ContentInstallError(f"blob {sha256}: server answered {_error_text(response)}")
            mode = "ab" if response.status_code == 206 else "wb"
            with partial.open(mode) as handle:
                for chunk in response.iter_content(DOWNLOAD_CHUNK_BYTES):
                    handle.write(chunk)
        return partial.read_bytes()

    def send_heartbeat(self, store: LocalStore) -> HeartbeatReply | None:
        """Report health; hand the server's commands to `on_commands`."""
        errors = list(self._errors)
        refused = outbox.rejected_count(store)
        if refused:
            errors.append(f"{refused} case(s) refused by the server are kept in the outbox and retried")
        heartbeat = self._heartbeat(store, errors)
        try:
            response = self.session.post(
                self.base_url + HEARTBEAT_PATH,
                data=heartbeat.model_dump_json(),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            self._transport_failed(f"heartbeat: {type(exc).__name__}: {exc}")
            return None
        reply = self._parsed_reply(response, "heartbeat", HeartbeatReply)
        if reply is None:
            return None
        for reported in errors:
            if reported in self._errors:
                self._errors.remove(reported)
        self.poll_s = float(min(max(reply.poll_seconds, MIN_POLL_S), MAX_POLL_S))
        # The first checks were planned with the default interval: a server asking for a
        # shorter one must not wait for it to run out.
        now = self.clock.time()
        self._next_content_at = min(self._next_content_at, now + self.poll_s)
        self._next_heartbeat_at = min(self._next_heartbeat_at, now + self.poll_s)
        for command in reply.commands:
            if command.kind == "sync_now":
                outbox.retry_all_now(store)
                self._next_content_at = 0.0
                self._wake.set()
        if reply.commands:
            self._call(self.on_commands, list(reply.commands))
        run_commands(self, store, list(reply.commands))  # the fleet console's, answered (kiosk/commands.py)
        return reply

    def _heartbeat(self, store: LocalStore, errors: list[str]) -> Heartbeat:
        """The heartbeat of the kiosk's state, within the contract's bounds: counts clamped, a
        value that cannot be right (a version below 1, a disk beyond a bigint) left out, control
        characters replaced and the clock kept in the window. A heartbeat the server refuses
        would be refused again each time, and the kiosk would go dark on the fleet page."""
        version = _active_number(store)
        disk_free = _disk_free(store)
        moment = min(max(self.clock.time(), EARLIEST_TIME.timestamp()), LATEST_TIME.timestamp() - 1)
        return Heartbeat(
            app_version=printable(self.app_version[:64], single_line=True),
            content_version=version if version is not None and 1 <= version <= MAX_COUNT else None,
            outbox_depth=min(outbox.depth(store), MAX_COUNT),
            last_errors=[printable(text[:MAX_HEARTBEAT_ERROR_CHARS]) for text in errors[-MAX_REPORTED_ERRORS:]],
            uptime_s=min(max(0.0, self.clock.monotonic() - self._started_monotonic), MAX_SECONDS),
            disk_free_bytes=disk_free if disk_free is not None and 0 <= disk_free <= MAX_BYTES else None,
            sent_at=datetime.fromtimestamp(moment, UTC),
            **screen_report(store),
        )

    # ---------------------------------------------------------------- bookkeeping
    def _call(self, callback: Callable[..., Any] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            callback(*args)
        except Exception:
            log.exception("sync callback %r failed", callback)

    def _record_error(self, message: str) -> None:
        log.warning("%s", message)
        stamped = f"{datetime.fromtimestamp(self.clock.time(), UTC):%Y-%m-%dT%H:%M:%SZ} {message}"
        self._errors.append(stamped[:500])
        self._update_status(last_error=message)

    def _transport_failed(self, message: str) -> None:
        """The server is unreachable or failing: back off all network work, with jitter."""
        self._network_failures += 1
        self._network_blocked_until = self.clock.time() + outbox.backoff_delay(self._network_failures)
        self._record_error(message)
        self._update_status(online=False)

    def _note_server_time(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        offset = clock.server_offset(response.headers.get("Date"), datetime.fromtimestamp(self.clock.time(), UTC))
        if offset is not None:
            self._server_offset = offset

    def _contact_succeeded(self) -> None:
        self._network_failures = 0
        self._network_blocked_until = 0.0
        self._update_status(online=True, last_contact_at=datetime.fromtimestamp(self.clock.time(), UTC))

    def _update_status(self, **changes: Any) -> None:
        with self._status_lock:
            self._status = replace(self._status, **changes)


def _active_number(store: LocalStore) -> int | None:
    version = active_version(store)
    return None if version is None else version.version


def _disk_free(store: LocalStore) -> int | None:
    try:
        return shutil.disk_usage(store.data_dir).free
    except OSError:
        return None
