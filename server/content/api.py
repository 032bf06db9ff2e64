"""Content API: immutable blobs by hash. The kiosk's current manifest is served by fleet
(server/fleet/api.py), which authenticates kiosks."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from server.content import services
from server.core.errors import ApiError, error_responses, json_error

blob_router = Router(tags=["content"])

IMMUTABLE = "public, max-age=31536000, immutable"


@blob_router.get(
    "/{sha256}",
    response={200: None, 206: None, 304: None, **error_responses(400, 404, 416)},
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
    wanted = requested_range(request.headers.get("Range"), len(data))
    if wanted is None:
        blob_response = HttpResponse(data, content_type=media_type)
    elif wanted == UNSATISFIABLE:
        return json_error(416, "range_not_satisfiable", f"The blob has {len(data)} bytes.",
                          Content_Range=f"bytes */{len(data)}")
    else:  # the rest of a download that was cut: the kiosk resumes instead of starting again
        start, end = wanted
        blob_response = HttpResponse(data[start:end + 1], content_type=media_type, status=206)
        blob_response["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    blob_response["Content-Length"] = str(len(blob_response.content))
    blob_response["Accept-Ranges"] = "bytes"
    blob_response["ETag"] = etag
    blob_response["Cache-Control"] = IMMUTABLE
    # An uploaded SVG opened directly must not run script in the server's origin.
    blob_response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return blob_response


UNSATISFIABLE = (-1, -1)


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range a `Range: bytes=a-b` header asks for, as (first, last) inclusive; None
    for no header or one this server answers with the whole blob (several ranges, other units,
    nonsense, as RFC 9110 allows), UNSATISFIABLE when it starts past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
    try:
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:  # a suffix: the last N bytes
            start, end = max(0, size - int(last)), size - 1
    except ValueError:
        return None
    if start >= size:
        return UNSATISFIABLE
    if start < 0 or end < start:
        return None
    return start, min(end, size - 1)
