"""The rules of notices and emergencies: sending, ending, what each kiosk must show, and who
has shown what.

Delivery is a long poll: every kiosk asks `GET /api/v1/kiosk/broadcasts?wait=S` with the ETag
of what it has; the server holds the request until the kiosk's list changes (server/broadcasts/
watch.py is told at once through Redis or PostgreSQL, else notices within a quarter second) or up
to `CONCIERGE_BROADCAST_LONG_POLL_SECONDS`, then
answers 304 if nothing changed. Between polls a kiosk waits out the rest of
`CONCIERGE_BROADCAST_POLL_SECONDS`, so a server that answers at once is a 2 s fast poll. A
kiosk that was offline learns of an emergency on its first poll after reconnecting.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from server.accounts.services import record_audit
from server.broadcasts.models import Broadcast, Kind, ShownReceipt
from server.content.models import KioskPoint, Level
from server.content.services import ContentError, store_blob
from server.fleet.models import CommandState, Kiosk, KioskCommand
from server.malls.models import Mall
from sync import protocol
from sync.protocol import BroadcastShownReport, BroadcastState, I18nText

MAX_DURATION = timedelta(days=7)
DEFAULT_POLL_SECONDS = 2
DEFAULT_LONG_POLL_SECONDS = 50
"""Under the 60 s read timeouts of nginx (deploy/nginx/concierge-proxy.conf) and most load
balancers; twice the former 25 s, so an idle fleet sends half the polls."""


class BroadcastError(Exception):
    """A broadcast was refused; the message says why, for the console."""


def poll_seconds() -> int:
    return int(getattr(settings, "CONCIERGE_BROADCAST_POLL_SECONDS", DEFAULT_POLL_SECONDS))


def long_poll_seconds() -> int:
    """How long the server holds a poll that has nothing new (0: answer at once)."""
    return int(getattr(settings, "CONCIERGE_BROADCAST_LONG_POLL_SECONDS", DEFAULT_LONG_POLL_SECONDS))


# ---------------------------------------------------------------- staff
def send_broadcast(mall: Mall, *, kind: str, reason: str, title: I18nText, text: I18nText,
                   duration: timedelta, level_ids: list[str] | None = None, user=None,
                   photo: tuple[bytes, str] | None = None) -> Broadcast:
    """Start showing a notice or an emergency on the mall's kiosks (all, or those on `level_ids`).

    `photo` (bytes, media type) goes into the content blob store, which kiosks already fetch
    from by hash."""
    if kind not in Kind.values:
        raise BroadcastError(f"unknown kind {kind!r}")
    if not (title.zh_CN and title.en and title.zh_TW):
        raise BroadcastError("a broadcast needs its title in all three languages")
    if not timedelta(minutes=1) <= duration <= MAX_DURATION:
        raise BroadcastError("a broadcast lasts between one minute and seven days")
    level_ids = sorted(set(level_ids or []))
    known = set(Level.objects.filter(mall=mall).values_list("content_id", flat=True))
    unknown = [level for level in level_ids if level not in known]
    if unknown:
        raise BroadcastError(f"the mall has no level {', '.join(unknown)}")
    photo_sha256 = ""
    if photo is not None:
        if len(photo[0]) > protocol.MAX_BROADCAST_PHOTO_BYTES:
            raise BroadcastError("the photo is larger than 2 MB")
        try:
            photo_sha256 = store_blob(*photo).sha256
        except ContentError as refused:
            raise BroadcastError(str(refused)) from refused
    now = timezone.now()
    broadcast = Broadcast.objects.create(
        mall=mall, kind=kind, reason=reason, photo_sha256=photo_sha256,
        title_zh_cn=title.zh_CN, title_en=title.en, title_zh_tw=title.zh_TW,
        text_zh_cn=text.zh_CN, text_en=text.en, text_zh_tw=text.zh_TW,
        target_level_ids=level_ids, starts_at=now, expires_at=now + duration,
        created_by=user if getattr(user, "pk", None) else None,
    )
    record_audit(user, f"broadcast_{kind}", mall=mall, subject=broadcast.id, detail=title.zh_CN)
    return broadcast


def end_broadcast(broadcast: Broadcast, user=None) -> bool:
    """Stop showing it everywhere (kiosks drop it at their next poll). False if already over."""
    now = timezone.now()
    ended = Broadcast.objects.filter(pk=broadcast.pk, ended_at__isnull=True, expires_at__gt=now).update(
        ended_at=now, ended_by=user if getattr(user, "pk", None) else None,
    )
    if ended:
        record_audit(user, "broadcast_end", mall=broadcast.mall, subject=broadcast.id)
    return bool(ended)


def is_active(broadcast: Broadcast, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return broadcast.ended_at is None and broadcast.starts_at <= now < broadcast.expires_at


def active_broadcasts(mall_id: str, now: datetime | None = None):
    now = now or timezone.now()
    return Broadcast.objects.filter(mall_id=mall_id, ended_at__isnull=True, starts_at__lte=now, expires_at__gt=now)


# ---------------------------------------------------------------- kiosks
def kiosk_level_id(kiosk: Kiosk) -> str | None:
    """The level of the kiosk point the kiosk stands at (None when it has none)."""
    if not kiosk.location_id:
        return None
    return (KioskPoint.objects.filter(mall_id=kiosk.mall_id, content_id=kiosk.location_id)
            .values_list("level__content_id", flat=True).first())


def targets(broadcast: Broadcast, level_id: str | None) -> bool:
    return not broadcast.target_level_ids or level_id in broadcast.target_level_ids


def as_protocol(broadcast: Broadcast) -> protocol.Broadcast:
    return protocol.Broadcast(
        id=broadcast.id, kind=broadcast.kind, reason=broadcast.reason,
        title=I18nText(zh_CN=broadcast.title_zh_cn, en=broadcast.title_en, zh_TW=broadcast.title_zh_tw),
        text=I18nText(zh_CN=broadcast.text_zh_cn, en=broadcast.text_en, zh_TW=broadcast.text_zh_tw),
        starts_at=broadcast.starts_at, expires_at=broadcast.expires_at,
        photo_sha256=broadcast.photo_sha256 or None,
    )


def state_for_kiosk(kiosk: Kiosk) -> tuple[BroadcastState, str]:
    """What `kiosk` must show now (emergencies first, newest first) and its ETag."""
    now = timezone.now()
    rows = list(active_broadcasts(kiosk.mall_id, now))
    level_id = kiosk_level_id(kiosk) if any(row.target_level_ids for row in rows) else None
    waiting = KioskCommand.objects.filter(kiosk=kiosk, state=CommandState.QUEUED).exists()
    return broadcast_state(rows, level_id, now, commands_waiting=waiting)


def broadcast_state(in_force, level_id: str | None, now: datetime,
                    commands_waiting: bool = False) -> tuple[BroadcastState, str]:
    """The state of a kiosk on `level_id` given the mall's broadcasts in force at `now` (also
    what a held poll answers from the watcher's snapshot, server/broadcasts/watch.py), and
    whether the fleet console queued a command for it (the poll wakes the kiosk for it)."""
    rows = [row for row in in_force if targets(row, level_id) and is_active(row, now)]
    rows.sort(key=lambda row: (row.kind != Kind.EMERGENCY, -row.starts_at.timestamp(), row.id))
    shown = [as_protocol(row) for row in rows]
    state = BroadcastState(server_time=now, broadcasts=shown, poll_seconds=poll_seconds(),
                           long_poll_seconds=long_poll_seconds(), commands_waiting=commands_waiting)
    fingerprint = ("|".join(f"{b.id}:{b.expires_at.isoformat()}" for b in shown)
                   + f"|{state.poll_seconds}|{state.long_poll_seconds}|{int(commands_waiting)}")
    etag = '"b-' + hashlib.sha256(fingerprint.encode()).hexdigest()[:24] + '"'
    return state, etag


def record_shown(kiosk: Kiosk, report: BroadcastShownReport) -> int:
    """Store the kiosk's "shown at" for each broadcast of its mall; repeats change nothing.
    Returns how many were new. Unknown or other malls' broadcasts are ignored."""
    ids = {item.broadcast_id for item in report.shown}
    mine = set(Broadcast.objects.filter(pk__in=ids, mall_id=kiosk.mall_id).values_list("pk", flat=True))
    new = 0
    for item in report.shown:
        if item.broadcast_id not in mine:
            continue
        try:
            with transaction.atomic():
                ShownReceipt.objects.create(broadcast_id=item.broadcast_id, kiosk=kiosk, shown_at=item.shown_at)
            new += 1
        except IntegrityError:
            continue  # already acknowledged (a retried report)
        mine.discard(item.broadcast_id)
    return new


# ---------------------------------------------------------------- console
@dataclass(frozen=True)
class KioskDelivery:
    kiosk: Kiosk
    level: str
    shown_at: datetime | None
    received_at: datetime | None


def deliveries(broadcast: Broadcast) -> list[KioskDelivery]:
    """Every kiosk the broadcast is for (active kiosks of its mall on its levels), with its
    "shown at" when it has reported one; kiosks that have not shown it come first."""
    points = dict(KioskPoint.objects.filter(mall_id=broadcast.mall_id)
                  .values_list("content_id", "level__content_id"))
    short_names = dict(Level.objects.filter(mall_id=broadcast.mall_id).values_list("content_id", "short_name"))
    receipts = {r.kiosk_id: r for r in ShownReceipt.objects.filter(broadcast=broadcast)}
    kiosks = Kiosk.objects.filter(mall_id=broadcast.mall_id).filter(
        Q(revoked_at__isnull=True) | Q(pk__in=list(receipts))
    ).order_by("code")
    result = []
    for kiosk in kiosks:
        level_id = points.get(kiosk.location_id)
        if not targets(broadcast, level_id) and kiosk.pk not in receipts:
            continue
        receipt = receipts.get(kiosk.pk)
        result.append(KioskDelivery(
            kiosk=kiosk, level=short_names.get(level_id, ""),
            shown_at=receipt.shown_at if receipt else None, received_at=receipt.received_at if receipt else None,
        ))
    result.sort(key=lambda d: (d.shown_at is not None, d.kiosk.code))
    return result


def shown_counts(broadcasts) -> dict[str, tuple[int, int]]:
    """broadcast id → (kiosks that showed it, kiosks it is for)."""
    counts = {}
    for broadcast in broadcasts:
        found = deliveries(broadcast)
        counts[broadcast.id] = (sum(1 for d in found if d.shown_at), len(found))
    return counts


STANDARD_WORDING: dict[str, tuple[I18nText, I18nText]] = {
    "evacuation": (
        I18nText(zh_CN="紧急疏散", en="Evacuate the building", zh_TW="緊急疏散"),
        I18nText(zh_CN="请保持冷静，听从工作人员指挥，沿疏散指示走到最近的出口。不要使用电梯。",
                 en="Stay calm, follow the staff and the exit signs to the nearest exit. Do not use the lifts.",
                 zh_TW="請保持冷靜，聽從工作人員指揮，沿疏散指示走到最近的出口。不要使用電梯。"),
    ),
    "fire": (
        I18nText(zh_CN="火警", en="Fire alarm", zh_TW="火警"),
        I18nText(zh_CN="请立即离开商场，走最近的出口。不要使用电梯。",
                 en="Leave the mall now by the nearest exit. Do not use the lifts.",
                 zh_TW="請立即離開商場，走最近的出口。不要使用電梯。"),
    ),
    "power_cut": (
        I18nText(zh_CN="停电", en="Power cut", zh_TW="停電"),
        I18nText(zh_CN="部分区域停电，请留在原地或听从工作人员指挥。电梯暂停使用。",
                 en="Part of the mall has no power. Stay where you are or follow the staff. The lifts are stopped.",
                 zh_TW="部分區域停電，請留在原地或聽從工作人員指揮。電梯暫停使用。"),
    ),
    "severe_weather": (
        I18nText(zh_CN="恶劣天气预警", en="Severe weather warning", zh_TW="惡劣天氣預警"),
        I18nText(zh_CN="请留在商场内，远离玻璃门窗，等待进一步通知。",
                 en="Please stay inside, away from glass doors and windows, until further notice.",
                 zh_TW="請留在商場內，遠離玻璃門窗，等待進一步通知。"),
    ),
    "medical": (
        I18nText(zh_CN="医疗急救", en="Medical emergency", zh_TW="醫療急救"),
        I18nText(zh_CN="请为急救人员让出通道，听从工作人员指挥。",
                 en="Please keep the way clear for the first-aid team and follow the staff.",
                 zh_TW="請為急救人員讓出通道，聽從工作人員指揮。"),
    ),
    "lost_child": (
        I18nText(zh_CN="寻找走失儿童", en="Lost child", zh_TW="尋找走失兒童"),
        I18nText(zh_CN="如见到独自一人的儿童，请带到服务台或告知工作人员。",
                 en="If you see a child on their own, please bring them to the service desk or tell a member of staff.",
                 zh_TW="如見到獨自一人的兒童，請帶到服務臺或告知工作人員。"),
    ),
    "closing_time": (
        I18nText(zh_CN="商场即将关门", en="The mall is closing soon", zh_TW="商場即將關門"),
        I18nText(zh_CN="感谢光临，请准备离开商场。", en="Thank you for visiting. Please make your way to the exits.",
                 zh_TW="感謝光臨，請準備離開商場。"),
    ),
}
"""What staff send when they pick a reason and leave the wording empty: in an emergency
nobody should have to type three languages first."""


def wording_for(reason: str, title: I18nText, text: I18nText) -> tuple[I18nText, I18nText]:
    """The staff's wording where given, the standard wording of `reason` where left empty."""
    standard_title, standard_text = STANDARD_WORDING.get(reason, (I18nText(zh_CN=""), I18nText(zh_CN="")))

    def merged(given: I18nText, standard: I18nText) -> I18nText:
        if given.zh_CN or given.en or given.zh_TW:
            return given
        return standard

    return merged(title, standard_title), merged(text, standard_text)
