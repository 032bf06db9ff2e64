"""Rate limits per client address, counted where every server process sees them.

Never in a per-process memory, so that a limit holds however many workers or servers there are:
in Redis (CONCIERGE_REDIS_URL, the cache) or else in a table of the database (RateCount). They
are kept in fixed windows, a key per limit, address and window; both count atomically. A job
sweeps the table's ended windows.

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

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from ninja.throttling import BaseThrottle

from server.core.database_threads import on_database_thread
from server.core.language import HTML_LANG, choose_language
from server.core.models import RateCount

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
    window = int(now // period)
    key = f"throttle:{scope}:{ident}:{window}"
    if settings.CONCIERGE_REDIS_URL:
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
    else:
        count = _count_in_database(key, expires=(window + 1) * period)
    return None if count <= limit else seconds_left_in_window(period, now)


def _count_in_database(key: str, expires: float) -> int:
    """One more for `key`, in one statement (SQLite and PostgreSQL both upsert and return): one
    short write where the database cache took two transactions and six statements."""
    table, key_, count, expires_ = map(connection.ops.quote_name,
                                       (RateCount._meta.db_table, "key", "count", "expires"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_}, {count}, {expires_}) VALUES (%s, 1, %s) "  # noqa: S608 - our own names
            f"ON CONFLICT ({key_}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [key, expires],
        )
        return cursor.fetchone()[0]


def sweep_rate_counts() -> str:
    """The scheduled job: windows that ended are forgotten."""
    removed, _ = RateCount.objects.filter(expires__lt=time.time()).delete()
    return f"{removed} rate limit counts removed"


class SharedRateThrottle(BaseThrottle):
    """django-ninja throttle counting per client address (`spend`)."""

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


class ThrottleMiddleware:
    """Counts requests to the views named in settings.CONCIERGE_THROTTLED_VIEWS, by URL name.

    Under ASGI the count runs on the database threads (server.core.database_threads), whose
    connections are kept: on Django's own sync thread every request would open and close a
    database connection for the count alone, which cost the tracking page more than its page."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:  # noqa: ANN001 - Django's next handler
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)
            self.process_view = self._process_view_async  # Django adapts process_view by its kind
        else:
            self.process_view = self._answer_if_over

    def __call__(self, request: HttpRequest):  # noqa: ANN204 - a response, or its coroutine
        return self.get_response(request)

    async def _process_view_async(self, request: HttpRequest, view_func, view_args, view_kwargs):  # noqa: ANN001, ANN202
        rule = _rule_for(request)
        return None if rule is None else await on_database_thread(_count_or_refuse, request, rule)

    @staticmethod
    def _answer_if_over(request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:  # noqa: ANN001
        rule = _rule_for(request)
        return None if rule is None else _count_or_refuse(request, rule)


def _count_or_refuse(request: HttpRequest, rule: tuple[str, str]) -> HttpResponse | None:
    """Count the request against its (scope, rate); the 429 page when it is over."""
    scope, rate = rule
    retry_after = spend(scope, client_address(request), rate)
    return None if retry_after is None else too_many_requests(request, retry_after)


def _rule_for(request: HttpRequest) -> tuple[str, str] | None:
    """(scope, rate) when this request is counted, else None."""
    rule = settings.CONCIERGE_THROTTLED_VIEWS.get(request.resolver_match.view_name)
    if rule is None:
        return None
    scope, rate, methods = rule
    if methods is not None and request.method not in methods:
        return None
    return scope, rate
