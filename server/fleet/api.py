"""Kiosk fleet API: enrollment (with a one-time code); with the device key, the current content
manifest (once the kiosk is approved), heartbeats (carrying the fleet console's commands), command
results and usage events."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status

from server.content import services as content
from server.core.database_threads import on_database_thread
from server.core.errors import JSON_BODY_ERRORS, ApiError, error_responses
from server.core.throttle import SharedRateThrottle
from server.fleet import remote, services
from server.fleet.auth import DeviceKeyAuth, PooledDeviceKeyAuth
from sync.protocol import (
    CommandResult,
    ContentManifest,
    EnrollRequest,
    EnrollResponse,
    EventBatch,
    EventBatchReceipt,
    Heartbeat,
    HeartbeatReply,
)

enroll_router = Router(tags=["fleet"])
kiosk_router = Router(tags=["fleet"], auth=DeviceKeyAuth())


@enroll_router.post(
    "/enroll",
    response={201: EnrollResponse, **error_responses(*JSON_BODY_ERRORS, 404, 409, 429)},
    throttle=[SharedRateThrottle("enroll", settings.CONCIERGE_ENROLL_RATE)],
    summary="Enroll a kiosk with a one-time code",
)
def enroll(request: HttpRequest, payload: EnrollRequest):
    """Spends the code; returns the kiosk's id, its fleet-unique code and its device key (once)."""
    try:
        enrollment = services.enroll_kiosk(payload.code, app_version=payload.app_version, hostname=payload.hostname)
    except services.EnrollmentRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from refused
    except services.FleetFull as full:
        raise ApiError(409, "fleet_full", str(full)) from full
    kiosk = enrollment.kiosk
    return Status(201, EnrollResponse(
        kiosk_id=kiosk.id,
        kiosk_code=kiosk.code,
        device_key=enrollment.device_key,
        mall_id=kiosk.mall_id,
        location_id=kiosk.location_id or None,
        public_base_url=settings.PUBLIC_BASE_URL,
        server_time=timezone.now(),
    ))


@kiosk_router.get(
    "/content",
    response={200: ContentManifest, 304: None, **error_responses(401, 403, 404)},
    tags=["content"],
    summary="The current published content manifest of the kiosk's mall",
)
def kiosk_content(request: HttpRequest, response: HttpResponse):
    """`ETag` is the manifest's etag; send it back in `If-None-Match` to get 304 when unchanged.
    A kiosk waiting for approval gets 403 `pending_approval` (its mall has staff approve new kiosks)."""
    if not remote.gets_content(request.auth):
        raise ApiError(403, "pending_approval", "This kiosk waits for staff to approve it in the fleet console.")
    version = content.current_version(request.auth.mall_id)
    if version is None:
        raise ApiError(404, "no_content", "Nothing has been published for this mall yet.")
    if content.etag_matches(request.headers.get("If-None-Match"), version.etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = version.etag
        not_modified["Cache-Control"] = "no-cache"
        return not_modified
    response["ETag"] = version.etag
    response["Cache-Control"] = "no-cache"
    return content.manifest_of(version)


@kiosk_router.post(
    "/heartbeat",
    response={200: HeartbeatReply, **error_responses(*JSON_BODY_ERRORS, 401, 503)},
    auth=PooledDeviceKeyAuth(),
    summary="Report a kiosk's status; receive commands",
)
async def heartbeat(request: HttpRequest, payload: Heartbeat):
    """On the database threads, like the broadcast poll: the fleet's most frequent request keeps
    no thread of its own. 503 with `Retry-After` when the server is at its limit
    (server/core/overload.py): send the heartbeat again after that many seconds."""
    return await on_database_thread(remote.answer_heartbeat, request.auth, payload)


@kiosk_router.post(
    "/commands/{command_id}/result",
    response={200: None, **error_responses(*JSON_BODY_ERRORS, 401, 404)},
    summary="Report what came of a fleet console command (a screenshot with it); idempotent",
)
def command_result(request: HttpRequest, command_id: str, payload: CommandResult):
    try:
        remote.record_result(request.auth, command_id, payload)
    except remote.ResultRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from refused
    return Status(200, None)


@kiosk_router.post(
    "/events",
    response={200: EventBatchReceipt, 201: EventBatchReceipt, **error_responses(*JSON_BODY_ERRORS, 401)},
    summary="Upload a batch of usage events (proof of play, satisfaction); idempotent by batch id",
)
def upload_events(request: HttpRequest, payload: EventBatch):
    """201 when the batch is new, 200 when it was already stored (nothing counted twice)."""
    stored = services.record_event_batch(request.auth, payload)
    receipt = EventBatchReceipt(batch_id=payload.batch_id, accepted=stored.accepted, duplicate=stored.duplicate)
    return Status(200 if stored.duplicate else 201, receipt)
