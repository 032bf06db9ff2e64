"""Content API: immutable blobs by hash. The kiosk's current manifest is served by fleet
(server/fleet/api.py), which authenticates kiosks."""
from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from ninja import Router

from server.content import blob_store, services
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
    found = blob_store.find(sha256)
    if found is None:
        raise ApiError(404, "unknown_blob", "No blob has this hash.")
    wanted = requested_range(request.headers.get("Range"), found.size)
    if wanted == UNSATISFIABLE:
        return json_error(416, "range_not_satisfiable", f"The blob has {found.size} bytes.",
                          Content_Range=f"bytes */{found.size}")
    # A range is the rest of a download that was cut: the kiosk resumes instead of starting again.
    start, end = wanted or (0, found.size - 1)
    body = found.read_range(start, end, asynchronous=isinstance(request, ASGIRequest))
    if body is None:
        raise ApiError(404, "unknown_blob", "No blob has this hash.")
    status = 200 if wanted is None else 206
    if isinstance(body, bytes):
        blob_response: HttpResponseBase = HttpResponse(body, content_type=found.media_type, status=status)
    else:  # from the bucket, chunk by chunk: a large blob is never whole in the server's memory
        blob_response = StreamingHttpResponse(body, content_type=found.media_type, status=status)
    if wanted is not None:
        blob_response["Content-Range"] = f"bytes {start}-{end}/{found.size}"
    blob_response["Content-Length"] = str(end - start + 1)
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
