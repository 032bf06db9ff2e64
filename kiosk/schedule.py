"""Which promotions are on at this kiosk right now (pure logic, no Kivy).

DESIGN decision 1: schedules are judged on the kiosk against the wall clock in the mall's
timezone, so a kiosk that has been offline for a week still shows the right promotion at
the right hour. A promotion is on when the mall-local date is within [starts_on, ends_on],
the weekday is listed, the time of day is within [hours_from, hours_to) — a window whose end
is at or before its start runs past midnight — and the kiosk matches its target.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.content import ContentIndex
from sync.protocol import KioskPoint, Promotion


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _runs_on(promotion: Promotion, day) -> bool:
    return promotion.starts_on <= day <= promotion.ends_on and day.weekday() in promotion.weekdays


def is_on(promotion: Promotion, local: datetime) -> bool:
    """Whether the promotion's schedule covers the mall-local moment `local`."""
    start = _minutes(promotion.hours_from)
    end = _minutes(promotion.hours_to)
    minute = local.hour * 60 + local.minute
    if start < end:
        return _runs_on(promotion, local.date()) and start <= minute < end
    # Past midnight (e.g. 20:00–02:00): either the evening part of today's run, or the
    # early-morning tail of yesterday's.
    if minute >= start:
        return _runs_on(promotion, local.date())
    if minute < end:
        return _runs_on(promotion, local.date() - timedelta(days=1))
    return False


def targets_kiosk(promotion: Promotion, kiosk: KioskPoint | None) -> bool:
    target = promotion.target
    if target.level_ids and (kiosk is None or kiosk.level_id not in target.level_ids):
        return False
    if target.kiosk_ids and (kiosk is None or kiosk.id not in target.kiosk_ids):
        return False
    return True


def promotions_on(index: ContentIndex, now: datetime, kiosk: KioskPoint | None) -> list[Promotion]:
    """The promotions on now at `kiosk`, highest priority first, then the newest."""
    local = index.local_time(now)
    current = [p for p in index.content.promotions if is_on(p, local) and targets_kiosk(p, kiosk)]
    current.sort(key=lambda p: (-p.priority, -p.starts_on.toordinal(), p.id))
    return current

