"""Kiosk API of broadcasts: the fast poll (ETag/304) and the "shown at" acknowledgements."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from server.broadcasts import services
from server.content.services import etag_matches
from server.fleet.auth import DeviceKeyAuth
from sync.protocol import BroadcastShownReport, BroadcastState, ErrorBody

kiosk_router = Router(tags=["broadcasts"], auth=DeviceKeyAuth())


@kiosk_router.get(
    "/broadcasts",
    response={200: BroadcastState, 304: None, 401: ErrorBody},
    summary="The notices and emergencies this kiosk must show now (poll with If-None-Match)",
)
def broadcasts(request: HttpRequest, response: HttpResponse):
    state, etag = services.state_for_kiosk(request.auth)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = "no-store"
        return not_modified
    response["ETag"] = etag
    response["Cache-Control"] = "no-store"
    return state


@kiosk_router.post(
    "/broadcasts/shown",
    response={200: dict, 401: ErrorBody, 422: ErrorBody},
    summary="Report when broadcasts were drawn on this kiosk's screen; idempotent",
)
def broadcasts_shown(request: HttpRequest, payload: BroadcastShownReport):
    return {"recorded": services.record_shown(request.auth, payload)}
