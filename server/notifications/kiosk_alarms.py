"""Offline kiosks: the fleet's alarm (server.fleet.signals.kiosk_went_silent) queued to the mall's
managers by e-mail and to the department the mall chose in the fleet console (its group robot
and its mailbox), in the transaction that raised the alarm."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from server.accounts.roles import Role
from server.fleet.signals import kiosk_went_silent

from .models import Channel, DepartmentChannel
from .outbox import queue

ALARM_TRIGGER = "kiosk_offline"
"""The messages' trigger (a fleet event, not one of a case's `Trigger`s staff subscribe to)."""


def connect() -> None:
    kiosk_went_silent.connect(announce_silent_kiosk, dispatch_uid="notifications.kiosk_went_silent")


def announce_silent_kiosk(sender, kiosk, alarm, department: str = "", **kwargs) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Kiosk %(code)s is offline") % {"code": kiosk.code}
        since = (timezone.localtime(alarm.silent_since, kiosk.mall.zone).strftime("%Y-%m-%d %H:%M")
                 if alarm.silent_since else gettext("never"))
        body = gettext("Kiosk %(code)s %(name)s at %(mall)s has not been heard from since %(since)s. "
                       "Fleet console: %(url)s") % {
            "code": kiosk.code, "name": kiosk.name, "mall": kiosk.mall.name_zh_cn or kiosk.mall_id, "since": since,
            "url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("fleet:kiosk_detail", args=[kiosk.pk])}
    recipients: list[tuple[str, str, str]] = []
    managers = get_user_model().objects.filter(is_active=True, staff_profile__mall_id=kiosk.mall_id,
                                                groups__name=Role.MANAGER.value).exclude(email="")
    recipients += [(Channel.EMAIL, manager.email, "") for manager in managers]
    channel = (DepartmentChannel.objects.filter(mall_id=kiosk.mall_id, department=department).first()
               if department else None)
    if channel is not None:
        if channel.webhook_url:
            recipients.append((Channel.WEBHOOK, channel.webhook_url, department))
        if channel.mailbox:
            recipients.append((Channel.EMAIL, channel.mailbox, department))
    for channel_kind, recipient, from_department in recipients:
        queue(None, ALARM_TRIGGER, channel_kind, recipient, subject, body, department=from_department,
              once_key=f"{ALARM_TRIGGER}:{alarm.pk}:{channel_kind}:{recipient}"[:200], mall=kiosk.mall)
