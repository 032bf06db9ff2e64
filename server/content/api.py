"""Content API: immutable blobs by hash. The kiosk's current manifest is served by fleet
(server/fleet/api.py), which authenticates kiosks."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from server.content import services
from server.core.errors import ApiError, error_responses

blob_router = Router(tags=["content"])

IMMUTABLE = "public, max-age=31536000, immutable"


@blob_router.get(
    "/{sha256}",
    response={200: None, 304: None, **error_responses(400, 404)},
    summary="An immutable blob by its SHA-256 (lowercase hex)",
)
def blob(request: HttpRequest, sha256: str):
    if not services.is_sha256(sha256):
        raise ApiError(400, "invalid_hash", "A blob is addressed by a SHA-256 in lowercase hex (64 characters).")
    etag = f'"{sha256}"'
    if services.etag_matches(request.headers.get("If-None-Match"), etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = IMMUTABLE
        return not_modified
    found = services.read_blob(sha256)
    if found is None:
        raise ApiError(404, "unknown_blob", "No blob has this hash.")
    data, media_type = found
    blob_response = HttpResponse(data, content_type=media_type)
    blob_response["Content-Length"] = str(len(data))
    blob_response["ETag"] = etag
    blob_response["Cache-Control"] = IMMUTABLE
    # An uploaded SVG opened directly must not run script in the server's origin.
    blob_response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return blob_response
