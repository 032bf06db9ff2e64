"""The rules of the kiosk fleet: enrollment codes, kiosk codes, device keys, heartbeats.

Kiosk codes are three Crockford base32 characters (`sync.protocol.REFERENCE_ALPHABET`), the
first part of every case reference a kiosk makes offline (`C7K-3QX9`), so they must be unique
across the fleet and never reused. Codes starting with "Z" are reserved for the server itself
(cases registered at the service desk, by phone, in the console): kiosks never get one, which
leaves 31 × 32 × 32 = 31,744 codes for kiosks and 1,024 for the server.
"""
from __future__ import annotations

import hashlib
import random
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from server.content.models import KioskPoint
from server.content.services import current_version
from server.fleet import key_cache
from server.fleet.models import EnrollmentCode, IssuedKioskCode, Kiosk, KioskEvent, KioskEventBatch
from server.fleet.plays import count_plays
from server.malls.models import Mall
from sync.protocol import REFERENCE_ALPHABET, Command, EventBatch, Heartbeat, HeartbeatReply

SERVER_CODE_PREFIX = "Z"
"""Kiosk codes starting with this are the server's own (desk cases); never given to a kiosk."""
KIOSK_CODE_FIRST_CHARACTERS = REFERENCE_ALPHABET.replace(SERVER_CODE_PREFIX, "")

ENROLLMENT_CODE_LENGTH = 12
"""12 Crockford characters = 60 random bits, typed as XXXX-XXXX-XXXX."""
DEVICE_KEY_BYTES = 32
"""256 random bits."""
LAST_SEEN_RESOLUTION = timedelta(seconds=30)
"""`last_seen_at` is written at most this often per kiosk, not on every request."""


class EnrollmentRefused(Exception):
    """An enrollment code was refused. `code` is the machine-readable reason."""

    def __init__(self, code: str, message: str, status: int = 400):
        self.code = code
        self.message = message
        self.status = status
        super().__init__(message)


class FleetFull(Exception):
    """Every kiosk code has been issued."""


MAX_KEY_LENGTH = 256
"""Longer bearer tokens are refused unread."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_enrollment_code(raw: str) -> str | None:
    """The canonical form of a typed code, forgiving Crockford look-alikes, or None if malformed.

    Case, spaces and dashes don't matter; O reads as 0 and I/L as 1, as on every Crockford code.
    """
    cleaned = re.sub(r"[\s\-]", "", raw or "").upper().translate(str.maketrans("OIL", "011"))
    if len(cleaned) != ENROLLMENT_CODE_LENGTH or any(ch not in REFERENCE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def format_enrollment_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


@dataclass
class IssuedEnrollmentCode:
    code: str
    """Shown once to the operator; the server keeps only its hash."""
    record: EnrollmentCode


def check_location(mall: Mall, location_id: str) -> None:
    """Raise ValueError unless `location_id` is empty or one of the mall's kiosk points.

    A mall whose draft has no kiosk points yet accepts any location (it is set before the map).
    """
    if not location_id:
        return
    points = KioskPoint.objects.filter(mall=mall)
    if points.exists() and not points.filter(content_id=location_id).exists():
        known = ", ".join(points.values_list("content_id", flat=True))
        raise ValueError(f"mall {mall.id} has no kiosk point {location_id!r} (it has: {known})")


def create_enrollment_code(mall: Mall, location_id: str = "", *, created_by=None,
                           valid_for: timedelta | None = None) -> IssuedEnrollmentCode:
    """A new one-time code for enrolling a kiosk at `mall` (and kiosk point `location_id`)."""
    check_location(mall, location_id)
    valid_for = valid_for or timedelta(hours=settings.CONCIERGE_ENROLLMENT_CODE_HOURS)
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(ENROLLMENT_CODE_LENGTH))
    record = EnrollmentCode.objects.create(
        mall=mall, location_id=location_id, code_sha256=hash_secret(code),
        expires_at=timezone.now() + valid_for, created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    return IssuedEnrollmentCode(code=format_enrollment_code(code), record=record)


def is_enrollment_code_open(code: str) -> bool:
    """Whether a code (as printed) can still enroll a kiosk: known, unused, not expired."""
    normalized = normalize_enrollment_code(code)
    if normalized is None:
        return False
    return EnrollmentCode.objects.filter(
        code_sha256=hash_secret(normalized), used_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def issue_kiosk_code() -> str:
    """A kiosk code never issued before, recorded as issued (inside the caller's transaction).

    Drawn at random from the codes still free, so codes don't reveal the fleet's size or order.
    """
    for _attempt in range(10):
        taken = set(IssuedKioskCode.objects.values_list("code", flat=True))
        free = [
            first + second + third
            for first in KIOSK_CODE_FIRST_CHARACTERS
            for second in REFERENCE_ALPHABET
            for third in REFERENCE_ALPHABET
            if first + second + third not in taken
        ]
        if not free:
            raise FleetFull("every kiosk code has been issued")
        code = random.SystemRandom().choice(free)
        try:
            with transaction.atomic():
                IssuedKioskCode.objects.create(code=code)
            return code
        except IntegrityError:  # taken by a concurrent enrollment a moment ago
            continue
    raise FleetFull("could not issue a kiosk code (too many concurrent enrollments)")


@dataclass
class Enrollment:
    kiosk: Kiosk
    device_key: str
    """Shown to the kiosk once; the server keeps only its hash."""


def enroll_kiosk(raw_code: str, *, app_version: str = "", hostname: str = "") -> Enrollment:
    """Spend a one-time enrollment code on a new kiosk.

    The code is claimed with a conditional UPDATE (only while still unused), so of two
    requests racing with the same code exactly one wins; the other gets "code_used".
    """
    code = normalize_enrollment_code(raw_code)
    if code is None:
        raise EnrollmentRefused("invalid_code", "This is not an enrollment code (12 characters, like ABCD-EFGH-JKMN).")
    now = timezone.now()
    with transaction.atomic():
        record = EnrollmentCode.objects.select_related("mall").filter(code_sha256=hash_secret(code)).first()
        if record is None:
            raise EnrollmentRefused("unknown_code", "No such enrollment code.", status=404)
        if record.used_at is not None:
            raise EnrollmentRefused("code_used", "This enrollment code has already been used.")
        if record.expires_at <= now:
            raise EnrollmentRefused("code_expired", "This enrollment code has expired; ask for a new one.")
        claimed = EnrollmentCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise EnrollmentRefused("code_used", "This enrollment code has already been used.")
        device_key = secrets.token_urlsafe(DEVICE_KEY_BYTES)
        point = KioskPoint.objects.filter(mall=record.mall, content_id=record.location_id).first()
        kiosk = Kiosk.objects.create(
            mall=record.mall,
            code=issue_kiosk_code(),
            name=(point.name_zh_cn if point else "") or hostname[:100],
            location_id=record.location_id,
            device_key_sha256=hash_secret(device_key),
            hostname=hostname,
            app_version=app_version,
            enrolled_at=now,
            last_seen_at=now,
        )
        EnrollmentCode.objects.filter(pk=record.pk).update(kiosk=kiosk)
    return Enrollment(kiosk=kiosk, device_key=device_key)


def authenticate_device_key(device_key: str) -> Kiosk | None:
    """The active kiosk holding this device key, or None."""
    if not device_key or len(device_key) > MAX_KEY_LENGTH:
        return None
    try:  # the key is unique: no ordering to compile, as .first() would
        kiosk = Kiosk.objects.select_related("mall").get(device_key_sha256=hash_secret(device_key),
                                                        revoked_at__isnull=True)
    except Kiosk.DoesNotExist:
        return None
    now = timezone.now()
    if kiosk.last_seen_at is None or now - kiosk.last_seen_at > LAST_SEEN_RESOLUTION:
        Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
        kiosk.last_seen_at = now
    return kiosk


def queue_command(kiosk: Kiosk, kind: str, payload: dict | None = None) -> None:
    """Deliver a command (reload, notice, sync_now, emergency) with the kiosk's next heartbeat reply."""
    command = Command(kind=kind, payload=payload or {})
    with transaction.atomic():
        locked = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
        locked.pending_commands = [*locked.pending_commands, command.model_dump(mode="json")]
        locked.save(update_fields=["pending_commands"])


HEARTBEAT_DISK_FREE_NOTICE_BYTES = 16 * 1024 * 1024
"""Free disk moving by less than this is not a change worth a write of its own."""


def heartbeat_changes_nothing(kiosk: Kiosk, heartbeat: Heartbeat, now) -> bool:
    """Whether a heartbeat can be answered without a write: the kiosk's stored heartbeat is
    younger than LAST_SEEN_RESOLUTION, no command waits for it, and it reports what is stored
    (free disk within HEARTBEAT_DISK_FREE_NOTICE_BYTES). Judged on the row as read when the
    kiosk's key was checked; a command queued since then waits for the next heartbeat."""
    if kiosk.heartbeat_at is None or now - kiosk.heartbeat_at >= LAST_SEEN_RESOLUTION or kiosk.pending_commands:
        return False
    if (kiosk.disk_free_bytes is None) != (heartbeat.disk_free_bytes is None) or (
            heartbeat.disk_free_bytes is not None
            and abs(heartbeat.disk_free_bytes - kiosk.disk_free_bytes) >= HEARTBEAT_DISK_FREE_NOTICE_BYTES):
        return False
    return (kiosk.app_version == heartbeat.app_version and kiosk.content_version == heartbeat.content_version
            and kiosk.outbox_depth == heartbeat.outbox_depth and kiosk.last_errors == list(heartbeat.last_errors))


def record_heartbeat(kiosk: Kiosk, heartbeat: Heartbeat) -> HeartbeatReply:
    """Store what the kiosk reports and answer with the commands waiting for it.

    Queued commands are handed out exactly once. A kiosk showing an older content version
    than the newest published one is told to sync now rather than wait for its next poll.
    A heartbeat that changes nothing (`heartbeat_changes_nothing`) is not written: a fleet
    heartbeating every few seconds costs the database a write per kiosk every
    LAST_SEEN_RESOLUTION, not one per heartbeat (uptime and the kiosk's clock are stored then).
    """
    now = timezone.now()
    if heartbeat_changes_nothing(kiosk, heartbeat, now):
        return _heartbeat_reply(kiosk, heartbeat, [], now)
    with transaction.atomic():
        locked = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
        commands = [Command.model_validate(item) for item in locked.pending_commands]
        locked.heartbeat_at = now
        locked.last_seen_at = now
        locked.heartbeat_sent_at = heartbeat.sent_at
        locked.app_version = heartbeat.app_version
        locked.content_version = heartbeat.content_version
        locked.outbox_depth = heartbeat.outbox_depth
        locked.last_errors = list(heartbeat.last_errors)
        locked.uptime_s = heartbeat.uptime_s
        locked.disk_free_bytes = heartbeat.disk_free_bytes
        locked.pending_commands = []
        stored = ["heartbeat_at", "last_seen_at", "heartbeat_sent_at", "app_version", "content_version",
                  "outbox_depth", "last_errors", "uptime_s", "disk_free_bytes", "pending_commands"]
        locked.save(update_fields=stored)
    for name in stored:  # the kiosk as kept for its next requests (server/fleet/key_cache.py)
        setattr(kiosk, name, getattr(locked, name))
    return _heartbeat_reply(kiosk, heartbeat, commands, now)


def _heartbeat_reply(kiosk: Kiosk, heartbeat: Heartbeat, commands: list[Command], now) -> HeartbeatReply:
    latest = current_version(kiosk.mall_id)
    if latest is not None and heartbeat.content_version != latest.version and not any(
        command.kind == "sync_now" for command in commands
    ):
        commands.append(Command(kind="sync_now", payload={"version": latest.version}))
    return HeartbeatReply(
        server_time=now, commands=commands, poll_seconds=settings.CONCIERGE_HEARTBEAT_POLL_SECONDS
    )


def revoke_kiosk(kiosk: Kiosk) -> None:
    """Stop a kiosk's device key from working (stolen or retired kiosk); its code stays issued."""
    Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key_cache.forget(kiosk.pk)


@dataclass(frozen=True)
class StoredBatch:
    accepted: int
    duplicate: bool


def record_event_batch(kiosk: Kiosk, batch: EventBatch) -> StoredBatch:
    """Store a batch of usage events once. A retry of a batch already stored (the kiosk missed
    our reply) changes nothing and says so, so counts are never doubled."""
    try:
        with transaction.atomic():
            stored = KioskEventBatch.objects.create(kiosk=kiosk, batch_id=batch.batch_id, event_count=len(batch.events))
            KioskEvent.objects.bulk_create([
                KioskEvent(batch=stored, kiosk=kiosk, mall_id=kiosk.mall_id, kind=event.kind, at=event.at,
                           subject_id=event.subject_id or "", value=event.value or "")
                for event in batch.events
            ])
            count_plays(kiosk, batch.events)  # proof of play, in the same once-only transaction
    except IntegrityError:
        already = KioskEventBatch.objects.filter(kiosk=kiosk, batch_id=batch.batch_id).first()
        if already is None:
            raise
        return StoredBatch(accepted=already.event_count, duplicate=True)
    return StoredBatch(accepted=len(batch.events), duplicate=False)
