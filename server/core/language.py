"""Which language a page is shown in, and the 简 / EN / 繁 toggle.

A `?lang=` link wins and is remembered in Django's language cookie; then the cookie; then
the page's default (the console: Simplified Chinese) or the browser's Accept-Language (the
phone page, which strangers open).
"""
from __future__ import annotations

import functools

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from venue.languages import DEFAULT as DEFAULT_LANGUAGE
from venue.languages import PAGE_LANGUAGES
from venue.languages import TABLE as LANGUAGE_TABLE

TOGGLE_LABELS = {language.page: language.toggle for language in LANGUAGE_TABLE}
HTML_LANG = {language.page: language.html for language in LANGUAGE_TABLE}
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _supported(code: str | None) -> str | None:
    """Map a language code (zh-cn, zh-TW, en-gb, zh-hant…) onto one of ours, or None."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    if code in PAGE_LANGUAGES:
        return code
    if code.startswith("zh"):
        traditional = any(tag in code for tag in ("hant", "-tw", "-hk", "-mo"))
        return "zh-hant" if traditional else "zh-hans"
    if code.startswith("en"):
        return "en"
    return None


def choose_language(request, default: str | None = None) -> tuple[str, bool]:
    """(language, chosen_by_link): the query wins, then the cookie, then default or the browser."""
    requested = _supported(request.GET.get("lang"))
    if requested and request.GET.get("lang", "").lower() in PAGE_LANGUAGES:
        return requested, True
    remembered = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if remembered:
        return remembered, False
    if default:
        return default, False
    for code, _quality in translation.trans_real.parse_accept_lang_header(
        request.headers.get("Accept-Language", "")
    ):
        if code == "*":
            continue
        if found := _supported(code):
            return found, False
    return DEFAULT_LANGUAGE.page, False


def toggle_links(request, current: str) -> list[dict]:
    """The 简 / EN / 繁 links, keeping the page's other query parameters (filters, page)."""
    links = []
    for code in PAGE_LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append({
            "code": code, "label": TOGGLE_LABELS[code], "html_lang": HTML_LANG[code],
            "href": "?" + query.urlencode(), "current": code == current,
        })
    return links


def in_page_language(default: str | None = None):
    """View decorator: run the view (messages, forms, template) in the visitor's language."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            language, chosen = choose_language(request, default)
            request.page_language = language
            request.page_language_links = toggle_links(request, language)
            request.page_html_lang = HTML_LANG[language]
            with translation.override(language):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()  # TemplateResponse (e.g. the login view): render it now
            response.headers["Content-Language"] = HTML_LANG[language]
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
            if chosen:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME, language, max_age=LANGUAGE_COOKIE_SECONDS,
                    samesite="Lax", secure=request.is_secure(), httponly=True,
                )
            return response

        return wrapped

    return decorate
