"""The API's one table from Octavo's reason codes to HTTP, and the error body every error uses:
`{"error": {"code": "...", "message": "...", "field": ...}}` (issue #2 contract)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from octavo.shared.errors import OctavoError, Reason

STATUS: dict[str, int] = {
    Reason.INVALID: 422,
    Reason.WEAK_PASSWORD: 422,
    Reason.UNKNOWN_SITE: 422,
    Reason.NOT_FOUND: 404,
    Reason.DUPLICATE: 409,
    Reason.PERMISSION_DENIED: 403,
    Reason.UNAUTHENTICATED: 401,
}
# Codes for failures that happen before any service runs.
HTTP_CODES: dict[int, str] = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "duplicate",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    response = JsonResponse(error_body(code, message, field), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="octavo"'
    return response


def octavo_error(request: HttpRequest, exc: OctavoError) -> JsonResponse:
    return error_response(STATUS.get(exc.reason, 422), exc.reason.value, exc.message, exc.field)
