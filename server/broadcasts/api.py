"""Kiosk API of broadcasts: the poll (ETag/304, held as a long poll) and the "shown at" acknowledgements."""
from __future__ import annotations

import random

from django.http import HttpRequest, HttpResponse
from ninja import Router

from server.broadcasts import services
from server.broadcasts.watch import watch
from server.content.services import etag_matches
from server.core.database_threads import on_database_thread
from server.core.errors import JSON_BODY_ERRORS, error_responses
from server.fleet.auth import PooledDeviceKeyAuth
from sync.protocol import BroadcastShownReport, BroadcastState, Count

kiosk_router = Router(tags=["broadcasts"], auth=PooledDeviceKeyAuth())


@kiosk_router.get(
    "/broadcasts",
    response={200: BroadcastState, 304: None, **error_responses(401, 422, 503)},
    summary="The notices and emergencies this kiosk must show now (poll with If-None-Match)",
)
async def broadcasts(request: HttpRequest, response: HttpResponse, wait: Count = 0):
    """With `wait` (seconds) and the ETag it has, the kiosk's poll is held until its broadcasts
    change or the time is up (a long poll, capped by the server), so it learns at once."""
    kiosk, if_none_match = request.auth, request.headers.get("If-None-Match")
    # Held a little less than asked, at random: polls that began together (kiosks powered up
    # at once, a server restart) end apart, and so do the requests that follow them.
    wait = min(wait, services.long_poll_seconds()) * random.uniform(0.8, 1.0)
    if wait and if_none_match:
        state, etag = await watch().hold(kiosk, wait, lambda: on_database_thread(services.state_for_kiosk, kiosk),
                                         lambda etag: etag_matches(if_none_match, etag))
    else:
        state, etag = await on_database_thread(services.state_for_kiosk, kiosk)
    if etag_matches(if_none_match, etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = "no-store"
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    return state


@kiosk_router.post(
    "/broadcasts/shown",
    response={200: dict, **error_responses(*JSON_BODY_ERRORS, 401, 503)},
    summary="Report when broadcasts were drawn on this kiosk's screen; idempotent",
)
async def broadcasts_shown(request: HttpRequest, payload: BroadcastShownReport):
    return {"recorded": await on_database_thread(services.record_shown, request.auth, payload)}
