"""Dictionary lookups over one published MallContent: stores, levels, facilities, hours.

Shared by the kiosk (its screens) and the server (the phone store page): both read the same
published document, so both answer "is it open?" the same way.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sync.protocol import (
    Category,
    Facility,
    KioskPoint,
    Level,
    MallContent,
    Node,
    Store,
    TimeRange,
)
from venue.timezones import zone_named


def _parse_clock(text: str) -> tuple[int, int]:
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


def _interval_on(day: date, time_range: TimeRange, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The opening interval that starts on `day`; a close at or before the open is next day."""
    open_h, open_m = _parse_clock(time_range.open)
    close_h, close_m = _parse_clock(time_range.close)
    start = datetime.combine(day, time(open_h, open_m), tzinfo=zone)
    close_minutes = close_h * 60 + close_m
    close_day = day if close_minutes > open_h * 60 + open_m else day + timedelta(days=1)
    end = datetime.combine(close_day, time(0, 0), tzinfo=zone) + timedelta(minutes=close_minutes)
    return start, end


class ContentIndex:
    """Dictionary lookups over one MallContent, built once when the content changes."""

    def __init__(self, content: MallContent):
        self.content = content
        self.mall = content.mall
        self.timezone = zone_named(content.mall.timezone)
        self._stores = {store.id: store for store in content.stores}
        self._categories = {category.id: category for category in content.categories}
        self._levels = {level.id: level for level in content.levels}
        self._facilities = {facility.id: facility for facility in content.facilities}
        self._nodes = {node.id: node for node in content.graph.nodes}
        self._kiosks = {kiosk.id: kiosk for kiosk in content.kiosks}
        self._levels_ordered = sorted(content.levels, key=lambda level: level.ordinal)
        self._level_rank = {level.id: rank for rank, level in enumerate(self._levels_ordered)}
        self._by_category: dict[str, list[Store]] = {}
        self._by_level: dict[str, list[Store]] = {}
        for store in content.stores:
            self._by_category.setdefault(store.category_id, []).append(store)
            self._by_level.setdefault(store.level_id, []).append(store)
        self._facilities_by_kind: dict[str, list[Facility]] = {}
        for facility in content.facilities:
            self._facilities_by_kind.setdefault(facility.kind, []).append(facility)

    # -- by id (None when unknown: content and references may briefly disagree across versions)
    def store(self, store_id: str) -> Store | None:
        return self._stores.get(store_id)

    def category(self, category_id: str) -> Category | None:
        return self._categories.get(category_id)

    def level(self, level_id: str) -> Level | None:
        return self._levels.get(level_id)

    def facility(self, facility_id: str) -> Facility | None:
        return self._facilities.get(facility_id)

    def node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    # -- lists
    @property
    def stores(self) -> list[Store]:
        return list(self.content.stores)

    @property
    def categories(self) -> list[Category]:
        return list(self.content.categories)

    def levels(self) -> list[Level]:
        """Levels bottom to top (B2, B1, 1F, 2F …), by ordinal."""
        return list(self._levels_ordered)

    def stores_in_category(self, category_id: str) -> list[Store]:
        return list(self._by_category.get(category_id, []))

    def stores_on_level(self, level_id: str) -> list[Store]:
        return list(self._by_level.get(level_id, []))

    def facilities_of_kind(self, kind: str, level_id: str | None = None) -> list[Facility]:
        found = self._facilities_by_kind.get(kind, [])
        return [f for f in found if level_id is None or f.level_id == level_id]

    def kiosk_point(self, location_id: str | None) -> KioskPoint | None:
        """Where this kiosk stands: its own point, else the first one (a fresh kiosk must still
        show a map), else None when the content has no kiosk points at all."""
        if location_id and location_id in self._kiosks:
            return self._kiosks[location_id]
        return self.content.kiosks[0] if self.content.kiosks else None

    def service_desk(self) -> Facility | None:
        """The mall's service desk: the one the mall names, else the first of that kind."""
        if self.mall.service_desk_id and self.mall.service_desk_id in self._facilities:
            return self._facilities[self.mall.service_desk_id]
        desks = self._facilities_by_kind.get("service_desk", [])
        return desks[0] if desks else None

    # -- opening hours (in the mall's timezone; a close at or before the open is after midnight)
    def hours_of(self, store: Store | None = None) -> list[TimeRange]:
        """A store's own hours, else the mall's (a store lists hours only when they differ)."""
        if store is not None and store.hours:
            return list(store.hours)
        return list(self.mall.hours)

    def local_time(self, now: datetime) -> datetime:
        """`now` in the mall's timezone; a naive `now` is taken to be mall-local already."""
        if now.tzinfo is None:
            return now.replace(tzinfo=self.timezone)
        return now.astimezone(self.timezone)

    def _intervals(self, hours: Iterable[TimeRange], first_day: date, days: int) -> list[tuple[datetime, datetime]]:
        intervals = []
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            for time_range in hours:
                if day.weekday() in time_range.weekdays:
                    intervals.append(_interval_on(day, time_range, self.timezone))
        intervals.sort()
        return intervals

    def is_open(self, store: Store | None, now: datetime) -> bool:
        """Whether `store` (None: the mall) is open at `now`, yesterday's late hours included."""
        local = self.local_time(now)
        intervals = self._intervals(self.hours_of(store), local.date() - timedelta(days=1), 2)
        return any(start <= local < end for start, end in intervals)

    def closes_at(self, store: Store | None, now: datetime) -> datetime | None:
        """When `store` (None: the mall) next closes, if it is open at `now`; None when closed,
        or when it never closes within a week (open around the clock)."""
        local = self.local_time(now)
        intervals = self._intervals(self.hours_of(store), local.date() - timedelta(days=1), 9)
        end_of_open: datetime | None = None
        for start, end in intervals:
            if end_of_open is None:
                if start <= local < end:
                    end_of_open = end
            elif start <= end_of_open:
                end_of_open = max(end_of_open, end)  # back-to-back ranges: still open
        if end_of_open is None or end_of_open > local + timedelta(days=7):
            return None
        return end_of_open

    def opens_at(self, store: Store | None, now: datetime) -> datetime | None:
        """When `store` (None: the mall) next opens if it is closed at `now`; None when it is
        open now or has no hours in the coming week."""
        if self.is_open(store, now):
            return None
        local = self.local_time(now)
        starts = [start for start, _ in self._intervals(self.hours_of(store), local.date(), 8)]
        index = bisect.bisect_right(starts, local)
        return starts[index] if index < len(starts) else None
