"""Every API error is JSON `{"error": {"code": ..., "message": ...}}` (sync.protocol.ErrorBody).

Three layers make sure of it: exception handlers on the NinjaAPI (bad JSON, validation, auth,
404, too-large bodies), Django's handler404/handler500 for paths no API operation matched,
and `ApiJsonErrorsMiddleware`, which rewrites any other non-JSON error under /api/ (405, CSRF
403, ...). Bad input gets a 4xx; only a real bug gives a 500, and even that is JSON.
"""
from __future__ import annotations

import json
import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from sync.protocol import ErrorBody

logger = logging.getLogger("server.api")

API_PATH_PREFIX = "/api/"
MAX_VALIDATION_ERRORS_IN_MESSAGE = 5

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(HttpError):
    """An HttpError with a machine-readable code: raise it from any API handler."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


JSON_BODY_ERRORS = (400, 413, 422)
"""What every operation taking a JSON body may answer: not JSON, too large, against the contract."""


def error_responses(*statuses: int) -> dict[int, type[ErrorBody]]:
    """`response=` entries for the errors an operation gives, each documented as ErrorBody, so
    the OpenAPI schema lists every answer the operation really gives."""
    return dict.fromkeys(statuses, ErrorBody)


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def json_error(status: int, code: str | None = None, message: str = "", **headers: str) -> JsonResponse:
    code = code or STATUS_CODES.get(status, "error")
    response = JsonResponse(error_body(code, message or code.replace("_", " ")), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def describe_validation_errors(errors: list[dict]) -> str:
    """A short human-readable summary of ninja/pydantic validation errors."""
    parts = []
    for item in errors[:MAX_VALIDATION_ERRORS_IN_MESSAGE]:
        location = list(item.get("loc", ()))
        if location[:1] == ["body"]:
            location = location[2:]  # ("body", <parameter name>, field, ...): the field path is what helps
        location = ".".join(str(part) for part in location) or "body"
        parts.append(f"{location}: {item.get('msg', 'invalid')}")
    if len(errors) > MAX_VALIDATION_ERRORS_IN_MESSAGE:
        parts.append(f"and {len(errors) - MAX_VALIDATION_ERRORS_IN_MESSAGE} more")
    return "; ".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default {"detail": ...} bodies with the protocol's error body."""

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return json_error(exc.status_code, exc.code, exc.message)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return json_error(422, "invalid_request", describe_validation_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return json_error(401, "unauthorized",
                          "Missing or invalid credentials (kiosks: Authorization: Bearer <device key>).",
                          WWW_Authenticate="Bearer")

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return json_error(403, "forbidden", str(exc))

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        headers = {"Retry_After": str(int(exc.wait) + 1)} if exc.wait else {}
        return json_error(429, "too_many_requests", "Too many requests; try again later.", **headers)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and "parse request body" in str(exc):
            return json_error(400, "malformed_json", "The request body is not valid JSON.")
        return json_error(exc.status_code, None, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return json_error(404, "not_found", "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return json_error(413, "payload_too_large",
                          f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return json_error(400, "bad_request", "The request was refused.")

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return json_error(403, "forbidden", "Not allowed.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return json_error(500, "internal_error", "The server failed; the error has been logged.")


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "payload_too_large", "The request body is too large.")
        return json_error(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error(403, "forbidden", "Not allowed.")
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_request(request):
        return json_error(404, "not_found", "No such API endpoint.")
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return json_error(500, "internal_error", "The server failed; the error has been logged.")
    return defaults.server_error(request)


class ApiJsonErrorsMiddleware:
    """Turn any error response under /api/ that is not already JSON into the JSON error body.

    Sync and async capable, so that under the ASGI server a request is not pushed through a
    thread just for this check (async views, such as the broadcast long-poll, stay async).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        return json_error_response(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return json_error_response(request, await self.get_response(request))


def json_error_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """`response`, or under /api/ its error rewritten as the JSON error body."""
    if response.status_code < 400 or not is_api_request(request):
        return response
    if response.get("Content-Type", "").startswith("application/json") and _is_error_body(response):
        return response
    replacement = json_error(response.status_code, None, _plain_message(response))
    for header in ("Allow", "WWW-Authenticate", "Retry-After"):
        if response.has_header(header):
            replacement[header] = response[header]
    return replacement


def _is_error_body(response: HttpResponse) -> bool:
    if getattr(response, "streaming", False):
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict) and "code" in body["error"]


def _plain_message(response: HttpResponse) -> str:
    if response.status_code == 405:
        return f"Method not allowed; use {response.get('Allow', 'another method')}."
    if response.status_code == 403:
        return "Not allowed."
    return STATUS_CODES.get(response.status_code, "error").replace("_", " ").capitalize() + "."
