"""Help requests from the kiosks' "Ask for help" button: received from a kiosk, shown to the
desk of its mall as a live alert (server/notifications/live.py), taken ("I'm on my way") and
resolved by staff. One open request a kiosk: pressing again while one is open gets that one."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from server.content.models import KioskPoint
from server.fleet.models import Kiosk
from server.malls.models import person_name
from sync.protocol import AssistanceRequest, AssistanceStatus

from .access import visible
from .errors import DeskError
from .models import HelpRequest


class HelpRequestConflict(Exception):
    """The id is already another kiosk's request."""


def place_of(kiosk: Kiosk) -> str:
    """Where the kiosk stands, as staff read it: "1F · 正门大厅", else its name, else its code."""
    point = (KioskPoint.objects.filter(mall_id=kiosk.mall_id, content_id=kiosk.location_id)
             .select_related("level").first() if kiosk.location_id else None)
    if point is not None:
        floor, name = point.level.short_name, point.name_zh_cn
        return name if not floor or name.startswith(floor) else f"{floor} · {name}"  # "1F 正门大堂" says it
    return kiosk.name or gettext("Kiosk %(code)s") % {"code": kiosk.code}


def status_of(request: HelpRequest) -> AssistanceStatus:
    if request.resolved_at is not None:
        return AssistanceStatus.RESOLVED
    if request.acknowledged_at is not None:
        return AssistanceStatus.ACKNOWLEDGED
    return AssistanceStatus.OPEN


def receive(kiosk: Kiosk, asked: AssistanceRequest) -> tuple[HelpRequest, bool]:
    """The request, and whether it is new. A retry of a known id, or a new id while the kiosk
    has an open request, gets the request already held (the desk is not alerted twice)."""
    known = HelpRequest.objects.filter(pk=asked.id).first()
    if known is None:
        known = HelpRequest.objects.filter(kiosk=kiosk, resolved_at__isnull=True).first()
    if known is not None:
        if known.kiosk_id != kiosk.pk:
            raise HelpRequestConflict(asked.id)
        return known, False
    requested_at = asked.requested_at
    if timezone.is_naive(requested_at):  # a kiosk's naive time is the mall's local time
        requested_at = timezone.make_aware(requested_at, kiosk.mall.zone)
    try:
        with transaction.atomic():
            created = HelpRequest.objects.create(
                id=asked.id, mall_id=kiosk.mall_id, kiosk=kiosk, place=place_of(kiosk),
                language=asked.language, requested_at=requested_at)
    except IntegrityError:  # the same kiosk's other request won the race
        known, _created = receive(kiosk, asked)
        return known, False
    return created, True


def open_requests(user) -> QuerySet[HelpRequest]:
    """Unresolved requests of the malls `user` keeps the desk of, oldest first."""
    return visible(HelpRequest.objects.filter(resolved_at__isnull=True), user).order_by("received_at", "id")


def live_alerts(user) -> list[dict]:
    """What the console's live stream carries for the help alert: the open requests."""
    return [{"id": row.id, "place": row.place, "on_the_way": row.acknowledged_by_name,
             "asked": timezone.localtime(row.requested_at, row.mall.zone).strftime("%H:%M")}
            for row in open_requests(user).select_related("mall")[:20]]


def acknowledge(request: HelpRequest, actor) -> HelpRequest:
    """`actor` is on the way. Someone else already on the way is an error, not a takeover."""
    if request.resolved_at is not None:
        raise DeskError(gettext("This help request has already been resolved."), "resolved")
    if request.acknowledged_at is not None and request.acknowledged_by_id != actor.pk:
        raise DeskError(gettext("%(name)s is already on the way.") % {"name": request.acknowledged_by_name},
                        "taken")
    request.acknowledged_at = request.acknowledged_at or timezone.now()
    request.acknowledged_by, request.acknowledged_by_name = actor, person_name(actor)
    request.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_by_name"])
    return request


def resolve(request: HelpRequest, actor) -> HelpRequest:
    if request.resolved_at is not None:
        raise DeskError(gettext("This help request has already been resolved."), "resolved")
    request.resolved_at, request.resolved_by_name = timezone.now(), person_name(actor)
    request.save(update_fields=["resolved_at", "resolved_by_name"])
    return request
