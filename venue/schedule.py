"""Which promotions are on at this kiosk right now (pure logic, no Kivy).

DESIGN decision 1: schedules are judged on the kiosk against the wall clock in the mall's
timezone, so a kiosk that has been offline for a week still shows the right promotion at
the right hour. A promotion is on when the mall-local date is within [starts_on, ends_on],
the weekday is listed, the time of day is within [hours_from, hours_to) — a window whose end
is at or before its start runs past midnight and belongs to the day it started — and the
kiosk is one of its targets.

Targets: no levels and no kiosks means every kiosk; otherwise a kiosk is targeted when it
stands on one of the chosen levels or is one of the chosen kiosk points (staff pick floors,
kiosks, or both, and each choice adds screens).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sync.protocol import KioskPoint, Promotion
from venue.index import ContentIndex


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _runs_on(promotion: Promotion, day: date) -> bool:
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
    """Whether `kiosk` is one of the promotion's screens (see the module docstring)."""
    target = promotion.target
    if not target.level_ids and not target.kiosk_ids:
        return True
    if kiosk is None:
        return False
    return kiosk.level_id in target.level_ids or kiosk.id in target.kiosk_ids


def playing_order(promotion: Promotion) -> tuple:
    """Highest priority first, then the newest, then by id (stable across kiosks)."""
    return (-promotion.priority, -promotion.starts_on.toordinal(), promotion.id)


def promotions_on(index: ContentIndex, now: datetime, kiosk: KioskPoint | None) -> list[Promotion]:
    """The promotions on now at `kiosk`, in playing order."""
    local = index.local_time(now)
    current = [p for p in index.content.promotions if is_on(p, local) and targets_kiosk(p, kiosk)]
    current.sort(key=playing_order)
    return current


@dataclass(frozen=True)
class CategoryGroup:
    category_id: str | None
    """None: promotions of the whole mall (no store, no category)."""
    promotions: list[Promotion]


def by_category(index: ContentIndex, promotions: Iterable[Promotion]) -> list[CategoryGroup]:
    """Promotions grouped by their store's category (or their own), groups in the mall's
    category order, mall-wide promotions last; each group keeps the playing order."""
    groups: dict[str | None, list[Promotion]] = {}
    for promotion in promotions:
        store = index.store(promotion.store_id) if promotion.store_id else None
        category_id = store.category_id if store is not None else promotion.category_id
        if category_id is not None and index.category(category_id) is None:
            category_id = None
        groups.setdefault(category_id, []).append(promotion)
    order: dict[str | None, int] = {category.id: position for position, category in enumerate(index.content.categories)}
    keys = sorted(groups, key=lambda key: (key is None, order.get(key, len(order))))
    return [CategoryGroup(key, groups[key]) for key in keys]
