"""The fleet console's rules: approving kiosks, rotating their keys, commands with results, what
the heartbeat says of the screen, and offline alarms.

A command staff send (`send_command`) is a `KioskCommand` row. Every heartbeat reply carries the
kiosk's open commands (`deliver`) until the kiosk posts a result (`record_result`), so a reply
lost on the way, or a push the kiosk missed, never strands a command; the kiosk runs each id once.

This module leaves `services.record_heartbeat` alone: the heartbeat view calls it, then
`record_screen` (a write only when the screen's state changed) and `deliver`.
"""
from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from server.malls.models import Mall
from sync.maintenance_pin import PIN_MAX_DIGITS, PIN_MIN_DIGITS, hash_pin, valid_pin
from sync.protocol import (
    FLEET_COMMAND_KINDS,
    MAX_SCREENSHOT_BYTES,
    Command,
    CommandResult,
    Heartbeat,
    HeartbeatReply,
)

from . import key_cache
from .models import CommandState, FleetSettings, Kiosk, KioskAlarm, KioskCommand
from .services import DEVICE_KEY_BYTES, MAX_KEY_LENGTH, hash_secret, record_heartbeat
from .signals import kiosk_went_silent

MAX_OPEN_COMMANDS = 20
"""Commands waiting for one kiosk at most; a kiosk offline for days is not buried under clicks."""
JPEG_START = b"\xff\xd8\xff"


REPLACED_BY_NEWER_ROTATION = gettext_noop("Replaced by a newer key rotation.")
KIOSK_REVOKED = gettext_noop("The kiosk was revoked.")
SERVER_RESULTS = frozenset({REPLACED_BY_NEWER_ROTATION, KIOSK_REVOKED})
"""Results the server writes itself: stored in English, translated when shown."""


class CommandRefused(Exception):
    """A command staff cannot send (bad value, kiosk revoked, too many waiting): the message says why."""


class ResultRefused(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message
        super().__init__(message)


def settings_of(mall: Mall) -> FleetSettings:
    """The mall's fleet settings (the defaults, unsaved, until staff save them)."""
    return FleetSettings.objects.filter(mall=mall).first() or FleetSettings(mall=mall)


# ---------------------------------------------------------------- approval and keys
def approve(kiosk: Kiosk) -> None:
    Kiosk.objects.filter(pk=kiosk.pk, approved_at__isnull=True).update(approved_at=timezone.now())


def gets_content(kiosk: Kiosk) -> bool:
    """Whether the kiosk may have its mall's content: approved (or enrolled where approval is off)."""
    return kiosk.approved_at is not None


def rotate_key(kiosk: Kiosk, user) -> KioskCommand:
    """Give the kiosk a new device key by command. The server keeps only its hash; the key itself
    travels in the command until the kiosk has answered, then it is erased from the row. The
    old key keeps working until the kiosk first uses the new one (adopt_rotated_key). A rotation the
    kiosk may already hold (delivered, not answered) is not replaced: the kiosk might switch to a
    key the server no longer expects."""
    if kiosk.revoked_at is not None:
        raise CommandRefused(gettext("This kiosk is revoked: it can no longer receive commands."))
    key = secrets.token_urlsafe(DEVICE_KEY_BYTES)
    with transaction.atomic():
        if KioskCommand.objects.filter(kiosk=kiosk, kind="rotate_key", state=CommandState.DELIVERED).exists():
            raise CommandRefused(gettext("A new key is on its way to this kiosk: wait for its answer."))
        KioskCommand.objects.filter(kiosk=kiosk, kind="rotate_key", state=CommandState.QUEUED).update(
            state=CommandState.FAILED, finished_at=timezone.now(), payload={}, result=REPLACED_BY_NEWER_ROTATION)
        Kiosk.objects.filter(pk=kiosk.pk).update(new_device_key_sha256=hash_secret(key))
        return _create(kiosk, "rotate_key", {"device_key": key}, user)


def adopt_rotated_key(device_key: str) -> Kiosk | None:
    """The kiosk whose rotated-in key this is, that key now its only one; None for any other key.

    The kiosk stores a new key before it uses it, so its first request with it is the kiosk's
    confirmation: from then on the old key no longer opens the API."""
    if not device_key or len(device_key) > MAX_KEY_LENGTH:
        return None
    hashed = hash_secret(device_key)
    if not Kiosk.objects.filter(new_device_key_sha256=hashed, revoked_at__isnull=True).update(
            device_key_sha256=hashed, new_device_key_sha256=""):
        return None
    kiosk = Kiosk.objects.select_related("mall").filter(device_key_sha256=hashed).first()
    if kiosk is not None:
        key_cache.forget(kiosk.pk)  # the old key, as this process kept it
    return kiosk


def revoke(kiosk: Kiosk) -> None:
    """The kiosk's key stops working at once; its waiting commands fail (nothing can fetch them)."""
    now = timezone.now()
    with transaction.atomic():
        Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(revoked_at=now, new_device_key_sha256="")
        key_cache.forget(kiosk.pk)
        KioskCommand.objects.filter(kiosk=kiosk, state__in=_open_states()).update(
            state=CommandState.FAILED, finished_at=now, result=KIOSK_REVOKED)
        KioskCommand.objects.filter(kiosk=kiosk, kind="rotate_key").update(payload={})


# ---------------------------------------------------------------- commands
def _open_states() -> list[str]:
    return [CommandState.QUEUED, CommandState.DELIVERED]


def _create(kiosk: Kiosk, kind: str, payload: dict, user) -> KioskCommand:
    return KioskCommand.objects.create(kiosk=kiosk, mall_id=kiosk.mall_id, kind=kind, payload=payload,
                                       created_by=user if getattr(user, "pk", None) else None)


def send_command(kiosk: Kiosk, kind: str, user, value: str = "") -> KioskCommand:
    """Queue a console command; `value` is the percentage of set_volume and set_brightness, or
    the maintenance screen's new PIN (sent and kept as its hash only)."""
    if kind not in FLEET_COMMAND_KINDS or kind == "rotate_key":
        raise CommandRefused(gettext("Unknown command."))
    if kiosk.revoked_at is not None:
        raise CommandRefused(gettext("This kiosk is revoked: it can no longer receive commands."))
    payload: dict = {}
    if kind in ("set_volume", "set_brightness"):
        try:
            percent = int(value.strip())
        except ValueError:
            percent = -1
        if not 0 <= percent <= 100:
            raise CommandRefused(gettext("Give a percentage from 0 to 100."))
        payload = {"percent": percent}
    if kind == "set_maintenance_pin":  # only the salted hash leaves the console
        if not valid_pin(value.strip()):
            raise CommandRefused(gettext("A PIN has %(least)s to %(most)s digits.")
                                 % {"least": PIN_MIN_DIGITS, "most": PIN_MAX_DIGITS})
        payload = hash_pin(value.strip())
    if KioskCommand.objects.filter(kiosk=kiosk, state__in=_open_states()).count() >= MAX_OPEN_COMMANDS:
        raise CommandRefused(gettext("%(count)s commands already wait for this kiosk; wait for it to answer.")
                             % {"count": MAX_OPEN_COMMANDS})
    return _create(kiosk, kind, payload, user)


def deliver(kiosk: Kiosk) -> list[Command]:
    """The kiosk's open commands, oldest first, for its heartbeat reply. Queued ones are marked
    delivered (a write only when there are such)."""
    open_commands = list(KioskCommand.objects.filter(kiosk=kiosk, state__in=_open_states()).order_by("created_at"))
    queued = [command.pk for command in open_commands if command.state == CommandState.QUEUED]
    if queued:
        KioskCommand.objects.filter(pk__in=queued, state=CommandState.QUEUED).update(
            state=CommandState.DELIVERED, delivered_at=timezone.now())
    return [Command(id=command.pk, kind=command.kind, payload=command.payload) for command in open_commands]


def record_result(kiosk: Kiosk, command_id: str, result: CommandResult) -> KioskCommand:
    """Store what the kiosk answered. A repeat of an answer already stored changes nothing."""
    command = KioskCommand.objects.filter(pk=command_id, kiosk=kiosk).first()
    if command is None:
        raise ResultRefused(404, "unknown_command", "This kiosk has no such command.")
    if not command.is_open:
        return command
    screenshot = None
    if result.screenshot_jpeg_b64 is not None:
        if command.kind != "screenshot":
            raise ResultRefused(400, "unexpected_screenshot", "Only a screenshot command answers with a picture.")
        try:
            screenshot = base64.b64decode(result.screenshot_jpeg_b64, validate=True)
        except (binascii.Error, ValueError):
            raise ResultRefused(400, "bad_screenshot", "The screenshot is not base64.") from None
        if len(screenshot) > MAX_SCREENSHOT_BYTES or not screenshot.startswith(JPEG_START):
            raise ResultRefused(400, "bad_screenshot", "The screenshot must be a JPEG of at most "
                                f"{MAX_SCREENSHOT_BYTES} bytes.")
    if command.kind == "screenshot" and result.ok and screenshot is None:
        raise ResultRefused(400, "missing_screenshot", "A screenshot command that succeeded sends the picture.")
    KioskCommand.objects.filter(pk=command.pk, state__in=_open_states()).update(
        state=CommandState.SUCCEEDED if result.ok else CommandState.FAILED, finished_at=timezone.now(),
        result=result.message, unsupported=not result.ok and result.unsupported, screenshot=screenshot,
    )
    if command.kind in ("rotate_key", "set_maintenance_pin"):  # no secret is kept once the kiosk answered
        KioskCommand.objects.filter(pk=command.pk).update(payload={})
    command.refresh_from_db()
    return command


def answer_heartbeat(kiosk: Kiosk, heartbeat: Heartbeat) -> HeartbeatReply:
    """services.record_heartbeat, then the screen's state and the console's open commands."""
    reply = record_heartbeat(kiosk, heartbeat)
    record_screen(kiosk, heartbeat)
    reply.commands = [*reply.commands, *deliver(kiosk)]
    return reply


def record_screen(kiosk: Kiosk, heartbeat: Heartbeat) -> None:
    """Keep what the heartbeat says of the screen and sound: one UPDATE when it changed, none otherwise."""
    reported = {"screen_on": heartbeat.screen_on, "orientation": heartbeat.orientation or "",
                "speech_volume": heartbeat.speech_volume, "brightness": heartbeat.brightness}
    changed = {field: value for field, value in reported.items() if getattr(kiosk, field) != value}
    if changed:
        Kiosk.objects.filter(pk=kiosk.pk).update(**changed)
        for name, value in changed.items():  # the kiosk as kept for its next requests (key_cache.py)
            setattr(kiosk, name, value)


# ---------------------------------------------------------------- offline alarms
@dataclass(frozen=True)
class AlarmSweep:
    raised: int
    cleared: int

    def __str__(self) -> str:
        return f"{self.raised} kiosk alarms raised, {self.cleared} cleared"


def last_contact(kiosk: Kiosk) -> datetime | None:
    moments = [moment for moment in (kiosk.heartbeat_at, kiosk.last_seen_at) if moment is not None]
    return max(moments) if moments else None


def check_silent_kiosks(now: datetime | None = None) -> AlarmSweep:
    """Raise an alarm for each approved, active kiosk silent longer than its mall allows (announced
    by `signals.kiosk_went_silent`: the notifications app tells the managers and the mall's chosen
    department), and clear the alarms of kiosks heard again."""
    now = now or timezone.now()
    raised = cleared = 0
    limits = {row.mall_id: row.offline_after_minutes for row in FleetSettings.objects.all()}
    default = FleetSettings().offline_after_minutes
    open_alarms = {alarm.kiosk_id: alarm for alarm in KioskAlarm.objects.filter(cleared_at__isnull=True)}
    for kiosk in Kiosk.objects.filter(revoked_at__isnull=True, approved_at__isnull=False).select_related("mall"):
        minutes = limits.get(kiosk.mall_id, default)
        contact = last_contact(kiosk)
        silent = bool(minutes) and (contact is None or now - contact > timedelta(minutes=minutes))
        alarm = open_alarms.get(kiosk.pk)
        if silent and alarm is None:
            if _raise_alarm(kiosk, contact, now):
                raised += 1
        elif not silent and alarm is not None:
            KioskAlarm.objects.filter(pk=alarm.pk).update(cleared_at=now)
            cleared += 1
    return AlarmSweep(raised, cleared)


def _raise_alarm(kiosk: Kiosk, contact: datetime | None, now: datetime) -> bool:
    try:
        with transaction.atomic():
            alarm = KioskAlarm.objects.create(kiosk=kiosk, mall_id=kiosk.mall_id, silent_since=contact, raised_at=now)
            kiosk_went_silent.send(sender=Kiosk, kiosk=kiosk, alarm=alarm,
                                   department=settings_of(kiosk.mall).alarm_department)
    except IntegrityError:  # another server raised it a moment ago
        return False
    return True
