"""The queue of messages and the courier that empties it.

`queue` adds a message inside the caller's transaction (it is sent only if the case change is
kept). `deliver_due` sends what is due, each message claimed with one conditional UPDATE so two
servers never send it twice; a failed attempt is retried later with a growing pause, and after
MAX_ATTEMPTS the message is marked failed, with the reason, for staff to see. The courier thread
runs `deliver_due` as soon as a transaction that queued something commits; the scheduled job
(`deliver-notifications`) catches up on retries and on messages queued by other processes.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from . import channels
from .models import Channel, DepartmentChannel, Message, MessageStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
CLAIM = timedelta(minutes=2)
"""A message claimed longer ago than this by a courier that died is taken up again."""

SENDERS = {Channel.EMAIL: channels.send_email, Channel.WEBHOOK: channels.send_to_robot, Channel.SMS: channels.send_sms}


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the n-th failed attempt, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def masked_phone(phone: str) -> str:
    """What stays of a visitor's number once the SMS is out: enough to recognise, not to call."""
    return phone[:3] + "****" + phone[-4:] if len(phone) > 7 else "****"


def queue(case, trigger: str, channel: str, recipient: str, subject: str, body: str, *,
          department: str = "", once_key: str | None = None, mall=None) -> Message | None:
    """Queue one message about `case` (or, with `case` None, about several cases of `mall`);
    None when `once_key` was queued before."""
    fields = dict(mall_id=case.mall_id if case is not None else mall.pk,
                  case_id=case.pk if case is not None else "",
                  case_reference=case.reference if case is not None else "", trigger=trigger,
                  channel=channel, department=department, recipient=recipient, subject=subject[:200], body=body,
                  once_key=once_key)
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
    except IntegrityError:
        if once_key is None:
            raise
        return None
    transaction.on_commit(wake_courier)
    return message


def _outgoing(message: Message) -> channels.Outgoing:
    secret = ""
    if message.channel == Channel.WEBHOOK:
        secret = (DepartmentChannel.objects.filter(mall_id=message.mall_id, department=message.department)
                  .values_list("webhook_secret", flat=True).first() or "")
    return channels.Outgoing(recipient=message.recipient, subject=message.subject, body=message.body, secret=secret)


def deliver(message: Message, now: datetime) -> bool:
    """One attempt at one claimed message; stores the outcome. True when it went out."""
    attempts = message.attempts + 1
    try:
        SENDERS[Channel(message.channel)](_outgoing(message))
    except channels.DeliveryError as exc:
        final = attempts >= MAX_ATTEMPTS
        changes: dict = dict(attempts=attempts, last_error=str(exc)[:2000], claimed_until=None,
                             status=MessageStatus.FAILED if final else MessageStatus.PENDING,
                             next_attempt_at=now + retry_delay(attempts))
        if final and message.channel == Channel.SMS:
            changes["recipient"] = masked_phone(message.recipient)
        Message.objects.filter(pk=message.pk).update(**changes)
        log.warning("notification %s (%s) not delivered, attempt %s: %s", message.pk, message.channel, attempts, exc)
        return False
    changes = dict(attempts=attempts, status=MessageStatus.SENT, sent_at=timezone.now(), claimed_until=None,
                   last_error="")
    if message.channel == Channel.SMS:
        changes["recipient"] = masked_phone(message.recipient)
    Message.objects.filter(pk=message.pk).update(**changes)
    return True


def deliver_due(now: datetime | None = None, batch: int = 200) -> tuple[int, int]:
    """Send the messages that are due; (sent, not sent) of this pass."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = Message.objects.filter(free, status=MessageStatus.PENDING, next_attempt_at__lte=now)
    sent = failed = 0
    for message_id in list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:batch]):
        if not Message.objects.filter(free, pk=message_id, status=MessageStatus.PENDING).update(
                claimed_until=now + CLAIM):
            continue  # another courier took it
        if deliver(Message.objects.get(pk=message_id), now):
            sent += 1
        else:
            failed += 1
    return sent, failed


def retry_now(message: Message) -> None:
    """Staff ask for a failed message to be tried again (after fixing an address, say)."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    transaction.on_commit(wake_courier)


# ---------------------------------------------------------------- the courier thread
_wake = threading.Event()
_courier: threading.Thread | None = None
_courier_lock = threading.Lock()


def wake_courier() -> None:
    """Have this process's courier send what is due now (CONCIERGE_NOTIFY_AT_ONCE); without it
    the scheduled job sends on its next pass."""
    global _courier
    if not settings.CONCIERGE_NOTIFY_AT_ONCE:
        return
    with _courier_lock:
        if _courier is None or not _courier.is_alive():
            _courier = threading.Thread(target=_courier_loop, name="concierge-courier", daemon=True)
            _courier.start()
    _wake.set()


def _courier_loop() -> None:
    while True:
        _wake.wait()
        _wake.clear()
        try:
            close_old_connections()
            deliver_due()
        except Exception:  # the database may be briefly away: the scheduled job catches up
            log.exception("the notification courier could not deliver")
        finally:
            close_old_connections()
