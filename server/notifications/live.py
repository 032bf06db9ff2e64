"""Live pages: the console and the visitor's tracking page learn of changes without a reload.

A page opens a server-sent event stream (EventSource) and gets a small `state` event whenever
what it shows changed: for the console, how many new cases the staff member can see and a
version (the newest event among those cases); for the tracking page, the newest public event
and the status. The page then fetches itself once and swaps in the new parts (static JS).

A stream looks for changes every CONCIERGE_LIVE_CHECK_SECONDS and ends after
CONCIERGE_LIVE_STREAM_SECONDS; the browser reconnects by itself (the `retry` field), so no
request is held for ever and a restarted server is picked up. Under uvicorn (ASGI) the stream
is an async generator whose reads run on the database threads (server/core/database_threads.py),
so held streams take no worker thread; under a WSGI server (Django's test server) it is a plain
generator on its request's thread. Between changes it sends a comment line, which is how a
closed page is noticed.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Max
from django.http import StreamingHttpResponse

from server.cases.access import cases_visible_to
from server.cases.models import CaseEvent, Visibility
from server.cases.tracking import find_by_token
from server.core.database_threads import on_database_thread
from sync.protocol import CaseStatus

RETRY_MS = 2000
"""How soon a browser reconnects after a stream ends."""

State = dict | None


_console_parts: dict[str, Callable[[object], object]] = {}


def register_console_part(name: str, read: Callable[[object], object]) -> None:
    """Another app's part of the console's state, `read(user)` (JSON-ready), e.g. the desk's open
    help requests: it reaches open console pages with the next check, like the case count."""
    _console_parts[name] = read


def console_state(user) -> dict:
    cases = cases_visible_to(user)
    newest = CaseEvent.objects.filter(case__in=cases).aggregate(newest=Max("id"))["newest"] or 0
    state = {"new": cases.filter(status=CaseStatus.NEW.value).count(), "version": newest}
    state.update({name: read(user) for name, read in _console_parts.items()})
    return state


def tracking_state(token: str, rendered_at: datetime | None = None) -> State:
    """None once the link no longer opens the case (erased, or never was). With `rendered_at`
    (when the page was made), `stale` says whether public progress came after it."""
    case = find_by_token(token)
    if case is None:
        return None
    public = CaseEvent.objects.filter(case_id=case.pk, visibility=Visibility.PUBLIC)
    newest = public.aggregate(newest=Max("id"))["newest"] or 0
    stale = rendered_at is not None and public.filter(at__gte=rendered_at).exists()
    return {"status": case.status, "version": newest, "stale": stale}


def _event(state: State) -> str:
    return f"event: state\ndata: {json.dumps(state)}\n\n"


def _sync_events(read_state: Callable[[], State]) -> Iterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    end, last = time.monotonic() + settings.CONCIERGE_LIVE_STREAM_SECONDS, object()
    while time.monotonic() < end:
        state = read_state()
        yield _event(state) if state != last else ": still here\n\n"
        last = state
        time.sleep(settings.CONCIERGE_LIVE_CHECK_SECONDS)


async def _async_events(read_state: Callable[[], State]) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    loop = asyncio.get_running_loop()
    end, last = loop.time() + settings.CONCIERGE_LIVE_STREAM_SECONDS, object()
    while loop.time() < end:
        state = await on_database_thread(read_state)
        yield _event(state) if state != last else ": still here\n\n"
        last = state
        await asyncio.sleep(settings.CONCIERGE_LIVE_CHECK_SECONDS)


def event_stream(request, read_state: Callable[[], State]) -> StreamingHttpResponse:
    """A text/event-stream of `read_state()` whenever it changes, fit for the server it runs on."""
    events = _async_events(read_state) if isinstance(request, ASGIRequest) else _sync_events(read_state)
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
