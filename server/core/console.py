"""The console's section menu. Each app registers its sections in its `AppConfig.ready()`, so
the shared base template lists only the sections a staff member may open, without knowing
the apps."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str
    allowed: Callable[[object], bool]
    order: int = 100


_sections: dict[str, Section] = {}


def register_section(url_name: str, label: str, allowed: Callable[[object], bool], order: int = 100) -> None:
    """Add (or replace) a menu entry; `allowed(user)` decides who sees it."""
    _sections[url_name] = Section(url_name, label, allowed, order)


def sections_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.url_name)):
        if not section.allowed(user):
            continue
        href = reverse(section.url_name)
        entries.append({"href": href, "label": section.label, "current": request.path.startswith(href)})
    return entries


def console_sections(request) -> dict:
    """Context processor: `console_sections` for the base template's menu."""
    return {"console_sections": sections_for(request)}
