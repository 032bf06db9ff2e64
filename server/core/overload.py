"""Bounded concurrency: a worker process runs only so many requests at once and answers the rest
with 503 and Retry-After, instead of letting them fail inside the database.

Without a bound, every request the event loop accepts gets a thread of its own and asks the
database for a connection at once: past PostgreSQL's `max_connections` they fail with "too many
clients", on SQLite the writers queue until "database is locked", and an overloaded worker does
not recover while the load lasts. Here requests go through one of two lanes, each a semaphore
per process:

* the kiosk API (`/api/v1/kiosk/`, `/api/v1/kiosks/`): CONCIERGE_KIOSK_API_CONCURRENCY at once,
  the others waiting up to CONCIERGE_KIOSK_API_QUEUE_SECONDS for a turn;
* everything else (the console, staff and visitor pages): CONCIERGE_SITE_CONCURRENCY at once,
  waiting up to CONCIERGE_SITE_QUEUE_SECONDS. A lane of its own means a fleet of kiosks
  heartbeating past the limit never keeps staff from signing in and sending an emergency.

A request that gets no turn in time is answered 503 with Retry-After (a few seconds, spread at
random so the refused kiosks do not come back together): JSON `{"error": ...}` on the API, a
short page in the visitor's language elsewhere. The kiosks retry later with jitter; a 503 is
never stored as a failure of the request itself.

A request holds its turn until its response starts: a held broadcast poll (`wait=`) is exempt,
since it waits on the event loop without a thread or a connection (server/broadcasts/watch.py),
and a live stream gives its turn back once its headers are sent.

The lanes' sizes and the PostgreSQL pool (settings.CONCIERGE_DATABASE_POOL_SIZE) are sized together.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

KIOSK_API_PREFIXES = ("/api/v1/kiosk/", "/api/v1/kiosks/")
HELD_POLL_PATH = "/api/v1/kiosk/broadcasts"
RETRY_AFTER_SECONDS = (2, 6)
"""Retry-After is drawn from this range, so refused clients spread out their retries."""
API_MESSAGE = "The server is busy; try again after the Retry-After seconds."


@dataclass
class Lane:
    name: str
    slots: int
    queue_seconds: float
    semaphores: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(default_factory=dict)
    refused: int = 0

    def semaphore(self) -> asyncio.Semaphore:
        """This event loop's semaphore (an asyncio primitive belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if loop not in self.semaphores:
            self.semaphores[loop] = asyncio.Semaphore(self.slots)
        return self.semaphores[loop]


def _is_held_poll(scope) -> bool:
    return (scope["method"] == "GET" and scope["path"] == HELD_POLL_PATH
            and any(part.startswith(b"wait=") for part in scope.get("query_string", b"").split(b"&")))


def _language(scope) -> str:
    """The language of the Accept-Language header, among the site's (the default otherwise)."""
    header = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                   if name == b"accept-language"), "")
    for accepted, _quality in translation.trans_real.parse_accept_lang_header(header):
        if accepted == "*":
            break
        try:
            return translation.get_supported_language_variant(accepted)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


async def _busy(scope, send, api: bool) -> None:
    retry_after = str(random.randint(*RETRY_AFTER_SECONDS))
    if api:
        body = json.dumps({"error": {"code": "unavailable", "message": API_MESSAGE}}).encode()
        content_type, language = b"application/json", None
    else:
        language = _language(scope)
        with translation.override(language):
            body = _("The server is busy. Please try again in a few seconds.").encode()
        content_type = b"text/plain; charset=utf-8"
    headers = [(b"content-type", content_type), (b"retry-after", retry_after.encode()),
               (b"cache-control", b"no-store"), (b"content-length", str(len(body)).encode())]
    if language:
        headers.append((b"content-language", language.encode()))
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ConcurrencyLimit:
    """ASGI middleware: the two lanes around the Django application (server/asgi.py)."""

    def __init__(self, app) -> None:
        self.app = app
        self.kiosk = Lane("kiosk API", settings.CONCIERGE_KIOSK_API_CONCURRENCY,
                          settings.CONCIERGE_KIOSK_API_QUEUE_SECONDS)
        self.site = Lane("site", settings.CONCIERGE_SITE_CONCURRENCY, settings.CONCIERGE_SITE_QUEUE_SECONDS)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or _is_held_poll(scope):
            return await self.app(scope, receive, send)
        api = scope["path"].startswith(KIOSK_API_PREFIXES)
        lane = self.kiosk if api else self.site
        semaphore = lane.semaphore()
        try:
            if semaphore.locked():
                await asyncio.wait_for(semaphore.acquire(), lane.queue_seconds)
            else:
                await semaphore.acquire()
        except TimeoutError:
            lane.refused += 1
            if lane.refused == 1 or lane.refused % 100 == 0:
                log.warning("%s lane full (%d at once): answered 503 to %d requests so far",
                            lane.name, lane.slots, lane.refused)
            return await _busy(scope, send, api or scope["path"].startswith("/api/"))
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                semaphore.release()

        async def send_then_release(message) -> None:
            await send(message)
            if message["type"] == "http.response.start":
                release()  # a streaming response keeps going without its turn

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            release()
