"""Kiosk-facing case API, mounted by the platform at /api/v1/kiosk/ (so: POST /api/v1/kiosk/cases)."""
from ninja import Router, Status

from server.core.errors import JSON_BODY_ERRORS, error_responses
from server.fleet.auth import DeviceKeyAuth
from sync.protocol import CaseReceipt, CaseStatus, CaseUpload

from . import intake
from .errors import CaseError, UploadConflict, UploadRejected

router = Router(tags=["cases"])


def _error(exc: CaseError) -> dict:
    return {"error": {"code": exc.code, "message": exc.message}}


@router.post(
    "/cases",
    auth=DeviceKeyAuth(),
    response={200: CaseReceipt, 201: CaseReceipt, **error_responses(*JSON_BODY_ERRORS, 401, 409)},
    summary="Upload one case from the kiosk outbox",
    description="Idempotent on the case id: 201 when stored now, 200 when the server already "
    "had it (a retry). 409 when the id, reference or tracking token belongs to another case. "
    "422 `reference_not_yours` when the reference does not start with the uploading kiosk's code "
    "(decided before any look-up: the same answer whether or not that reference exists).",
)
def upload_case(request, upload: CaseUpload):
    try:
        case, created = intake.receive_upload(request.auth, upload)
    except UploadConflict as exc:
        return Status(409, _error(exc))
    except UploadRejected as exc:
        return Status(422, _error(exc))
    receipt = CaseReceipt(
        id=case.id, reference=case.reference, status=CaseStatus(case.status), created=created
    )
    return Status(201 if created else 200, receipt)
