"""Floors and stores of the mall's content, for saying where an incident happened."""
from __future__ import annotations

from server.content.models import Level, Store
from server.malls.models import Mall
from venue.languages import DEFAULT, FIELD_SUFFIX_OF_PAGE


def floor_choices(mall: Mall) -> list[tuple[str, str]]:
    return list(Level.objects.filter(mall=mall).order_by("ordinal").values_list("content_id", "short_name"))


def store_choices(mall: Mall, language: str) -> list[tuple[str, str]]:
    suffix = FIELD_SUFFIX_OF_PAGE.get(language, DEFAULT.field_suffix)
    return [(row.content_id, f"{getattr(row, f'name_{suffix}', '') or row.name_zh_cn} · {row.unit}")
            for row in Store.objects.filter(mall=mall).order_by("unit", "content_id")]


def place_label(mall: Mall, language: str, level_id: str, store_id: str, place: str) -> str:
    """'2F · Starbucks · 2F-08 · by the lift' from what was recorded (ids no longer in the content stay as they are)."""
    parts = []
    if level_id:
        parts.append(dict(floor_choices(mall)).get(level_id, level_id))
    if store_id:
        parts.append(dict(store_choices(mall, language)).get(store_id, store_id))
    if place:
        parts.append(place)
    return " · ".join(parts)
