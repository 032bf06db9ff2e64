"""The kiosk's live lending availability (`sync.protocol.AVAILABILITY_PATH`)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from server.core.errors import error_responses
from server.fleet.auth import DeviceKeyAuth
from sync.protocol import LendingAvailability

from .availability import availability_for

kiosk_router = Router(tags=["loans"], auth=DeviceKeyAuth())


@kiosk_router.get(
    "/availability",
    response={200: LendingAvailability, **error_responses(401)},
    summary="What the kiosk's mall can lend now (wheelchairs, prams, umbrellas, power banks), per place",
)
def availability(request: HttpRequest, response: HttpResponse):
    """Live: changes with every loan and return, without a content version. Not cacheable."""
    response["Cache-Control"] = "no-store"
    return availability_for(request.auth.mall)
