"""Rate limits per client address, counted in the cache every server process shares.

settings.CACHES is Redis (CONCIERGE_REDIS_URL) or a table in the database, never a per-process
memory: a limit holds however many workers or servers there are. Counts are kept in fixed
windows (a key per address and window, expiring with it); Redis counts atomically, the
database cache reads then writes, so requests racing each other may each count once less.

Two ways in:
- `SharedRateThrottle`, a django-ninja throttle for API operations (the JSON error body and
  Retry-After come from server.core.errors' Throttled handler);
- `ThrottleMiddleware`, for pages named in settings.CONCIERGE_THROTTLED_VIEWS (sign-in and the
  phone pages strangers open): it answers 429 with Retry-After and a page in the visitor's language.
"""
from __future__ import annotations

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from ninja.throttling import BaseThrottle

from server.core.language import HTML_LANG, choose_language

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"30/m" -> (30, 60): so many requests per second, minute, hour or day."""
    count, _, unit = rate.partition("/")
    try:
        return int(count), PERIODS[unit.strip()[:1]]
    except (ValueError, KeyError):
        raise ValueError(f"bad rate {rate!r}: use N/s, N/m, N/h or N/d") from None


UNKNOWN_CLIENT = "0.0.0.0"
"""Stands for a client without an address: a valid IP, as axes stores addresses in an inet column."""


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy (CONCIERGE_BEHIND_PROXY) uvicorn has already
    put the address nginx saw there (proxy_headers, trusting only the proxy on this machine)."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # no peer address (a test request, a socket without one): one shared bucket
        return UNKNOWN_CLIENT


def seconds_left_in_window(period: int, now: float) -> int:
    return max(1, math.ceil(period - now % period))


def spend(scope: str, ident: str, rate: str) -> int | None:
    """Count one request of `ident` against `rate`; None if allowed, else seconds to wait."""
    limit, period = parse_rate(rate)
    now = time.time()
    key = f"throttle:{scope}:{ident}:{int(now // period)}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return None if count <= limit else seconds_left_in_window(period, now)


class SharedRateThrottle(BaseThrottle):
    """django-ninja throttle counting per client address in the shared cache."""

    def __init__(self, scope: str, rate: str) -> None:
        parse_rate(rate)  # a bad rate fails at import, not at the first request
        self.scope, self.rate = scope, rate

    def allow_request(self, request: HttpRequest) -> bool:
        return spend(self.scope, client_address(request), self.rate) is None

    def wait(self) -> float:
        return seconds_left_in_window(parse_rate(self.rate)[1], time.time())


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 in the visitor's language (the ?lang= link, the language cookie, then the browser's)."""
    language, _chosen = choose_language(request)
    with translation.override(language):
        response = TemplateResponse(
            request, "core/too_many_requests.html",
            {"html_lang": HTML_LANG[language], "minutes": math.ceil(retry_after / 60)}, status=429,
        )
        response.render()
    response["Retry-After"] = str(retry_after)
    response["Content-Language"] = HTML_LANG[language]
    response["Cache-Control"] = "no-store"
    return response


class ThrottleMiddleware(MiddlewareMixin):
    """Counts requests to the views named in settings.CONCIERGE_THROTTLED_VIEWS, by URL name."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        rule = settings.CONCIERGE_THROTTLED_VIEWS.get(request.resolver_match.view_name)
        if rule is None:
            return None
        scope, rate, methods = rule
        if methods is not None and request.method not in methods:
            return None
        retry_after = spend(scope, client_address(request), rate)
        return None if retry_after is None else too_many_requests(request, retry_after)
