"""What every console page shares: the section menu (each app registers its sections in its
`AppConfig.ready()`, so the base template lists only those a staff member may open, without
knowing the apps), the sign-in and role check, and the base template's context."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse

from server.core.language import in_page_language


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


_panels: dict[str, list[Callable[[object, object], str]]] = {}


def register_panel(slot: str, render: Callable[[object, object], str]) -> None:
    """Let an app add a panel to another app's page without that app importing it (the desk's
    incident on an emergency's page): `render(request, record)` returns HTML, "" for none."""
    _panels.setdefault(slot, []).append(render)


def panels_for(slot: str, request, record) -> list[str]:
    return [html for render in _panels.get(slot, []) if (html := render(request, record))]


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


@dataclass(frozen=True)
class Script:
    static_path: str
    allowed: Callable[[object], bool]
    urls: tuple[tuple[str, str], ...] = ()
    """(data attribute, URL name): where the script finds its endpoints."""


_scripts: dict[str, Script] = {}


def register_script(static_path: str, allowed: Callable[[object], bool], **urls: str) -> None:
    """A script every console page loads for the staff `allowed(user)` accepts (e.g. the live
    inbox); each keyword becomes a `data-` attribute holding the URL of that name."""
    _scripts[static_path] = Script(static_path, allowed, tuple(sorted(urls.items())))


def scripts_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [{"src": script.static_path, "data": {name: reverse(url) for name, url in script.urls}}
            for script in _scripts.values() if script.allowed(user)]


def console_sections(request) -> dict:
    """Context processor: `console_sections` for the base template's menu, `console_scripts`
    for the scripts apps add to every page."""
    return {"console_sections": sections_for(request), "console_scripts": scripts_for(request)}


def page_context(request, **extra) -> dict:
    """What console/base.html needs besides the view's own data: the 简/EN/繁 toggle and the
    page's language (set by `in_page_language`)."""
    return {"language_links": request.page_language_links, "html_lang": request.page_html_lang, **extra}


def staff_page(allowed: Callable[[object], bool], forbidden_template: str):
    """Decorator of console views: signed-in staff only (others go to the sign-in page), whose
    role `allowed(user)` accepts (others get `forbidden_template` with 403), in their language."""

    def decorate(view):
        @functools.wraps(view)
        @in_page_language(default="zh-hans")
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                return render(request, forbidden_template, page_context(request), status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
