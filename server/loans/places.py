"""Where lendable things are kept: facilities of the mall's *published* content (what the
kiosks show), so the kiosk can name the place and the console can offer only real places."""
from __future__ import annotations

from functools import lru_cache

from server.content import services as content_services
from server.malls.models import Mall
from sync.protocol import Facility, MallContent
from venue.index import ContentIndex

LENDING_PLACE_KINDS = ("service_desk", "wheelchair_lending", "stroller_lending", "information", "charging")
"""Facilities a desk lends from, offered first in the console."""
NOT_LENDING_PLACES = frozenset({"lift", "escalator", "stairs", "ramp", "exit"})
"""Ways through the mall, never a place to keep things."""


@lru_cache(maxsize=8)
def _index(document_sha256: str) -> ContentIndex | None:
    """A published document, parsed once per process (published documents never change)."""
    found = content_services.read_blob(document_sha256)
    return None if found is None else ContentIndex(MallContent.model_validate_json(found[0]))


def published_index(mall: Mall) -> ContentIndex | None:
    version = content_services.current_version(mall.pk)
    return None if version is None else _index(version.document_sha256)


def place_label(index: ContentIndex | None, facility_id: str, language: str = "zh_CN") -> str:
    """"服务台 · 1F" for a facility id; the id itself when the published content lacks it."""
    facility = index.facility(facility_id) if index is not None else None
    if facility is None:
        return facility_id
    level = index.level(facility.level_id) if index is not None else None
    return f"{facility.name.get(language)} · {level.short_name}" if level else facility.name.get(language)


def lending_places(mall: Mall, language: str = "zh_CN") -> list[tuple[str, str]]:
    """(facility id, label) of the published facilities that can keep things, lending places first."""
    index = published_index(mall)
    if index is None:
        return []

    def order(facility: Facility) -> tuple[int, str]:
        kind = facility.kind
        return (LENDING_PLACE_KINDS.index(kind) if kind in LENDING_PLACE_KINDS else len(LENDING_PLACE_KINDS),
                facility.id)

    places = [f for f in index.content.facilities if f.kind not in NOT_LENDING_PLACES]
    return [(f.id, place_label(index, f.id, language)) for f in sorted(places, key=order)]
