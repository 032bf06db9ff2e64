"""Kiosk-facing help-request API, mounted at /api/v1/kiosk/ (so: POST /api/v1/kiosk/assistance)."""
from __future__ import annotations

from ninja import Router, Status

from server.core.errors import JSON_BODY_ERRORS, ApiError, error_responses
from server.fleet.auth import DeviceKeyAuth
from sync.protocol import AssistanceReceipt, AssistanceRequest

from . import help as assistance

kiosk_router = Router(tags=["desk"], auth=DeviceKeyAuth())


@kiosk_router.post(
    "/assistance",
    response={200: AssistanceReceipt, 201: AssistanceReceipt, **error_responses(*JSON_BODY_ERRORS, 401, 409)},
    summary="Ask the service desk to send someone to this kiosk (the help button)",
    description="201 when the desk is alerted now; 200 with the request already held when the id "
    "is known (a retry) or the kiosk already has an open request (no second alert). 409 when the "
    "id belongs to another kiosk's request.",
)
def ask_for_help(request, asked: AssistanceRequest):
    try:
        held, created = assistance.receive(request.auth, asked)
    except assistance.HelpRequestConflict as exc:
        raise ApiError(409, "id_taken", "That id belongs to another kiosk's request.") from exc
    receipt = AssistanceReceipt(id=held.id, status=assistance.status_of(held), place=held.place, created=created)
    return Status(201 if created else 200, receipt)
