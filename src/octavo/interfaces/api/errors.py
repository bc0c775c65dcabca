"""The API's one table from Octavo's reason codes to HTTP, and the handlers that give every
failure the same body: `{"error": {"code": "...", "message": "...", "field": ...}}` (issue #2).

Services raise `OctavoError`s; nothing else in the API picks a status for them
(STYLE.md, "Where logic goes" 5).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from octavo.interfaces.api.schemas import Error
from octavo.shared.errors import OctavoError, Reason

log = logging.getLogger(__name__)

STATUS: dict[Reason, int] = {
    Reason.INVALID: 422,
    Reason.WEAK_PASSWORD: 422,
    Reason.UNKNOWN_SITE: 422,
    Reason.NOT_FOUND: 404,
    Reason.DUPLICATE: 409,
    Reason.PERMISSION_DENIED: 403,
    Reason.UNAUTHENTICATED: 401,
    # Circulation refusals: the request was understood; the library's rules say no (issue #4).
    Reason.PATRON_BLOCKED: 409,
    Reason.PATRON_EXPIRED: 409,
    Reason.FINES_OVER_LIMIT: 409,
    Reason.TOO_MANY_OVERDUES: 409,
    Reason.LIMIT_REACHED: 409,
    Reason.ITEM_NOT_FOR_LOAN: 409,
    Reason.ITEM_ON_HOLD: 409,
    Reason.ITEM_UNAVAILABLE: 409,
    Reason.ITEM_CHECKED_OUT: 409,
    Reason.NO_RENEWALS_LEFT: 409,
    Reason.NOT_CHECKED_OUT: 409,
    Reason.OVER_BALANCE: 409,
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
INTERNAL_MESSAGE = "an internal error occurred; it has been logged"


def responses(*statuses: int) -> dict[int, type[Error]]:
    """The error responses an operation documents in the OpenAPI document."""
    return dict.fromkeys(statuses, Error)


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    authenticate: str = 'Bearer realm="octavo"',
) -> JsonResponse:
    response = JsonResponse(error_body(code, message, field), status=status)
    if status == 401:
        # RFC 6750 section 3: a 401 names the scheme the client should use.
        response["WWW-Authenticate"] = authenticate
    return response


def octavo_error(request: HttpRequest, exc: OctavoError) -> JsonResponse:
    return error_response(STATUS.get(exc.reason, 422), exc.reason.value, exc.message, exc.field)


class MalformedJson(ValueError):
    """The request body could not be read as JSON."""


class JsonParser(Parser):
    """Ninja's JSON parser, raising `MalformedJson` so a bad body is told apart from other 400s.

    (Ninja wraps any parser failure in `HttpError(400)`; the cause survives as `__cause__`.)
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            return json.loads(request.body)  # type: ignore[no-any-return]
        except json.JSONDecodeError as exc:
            raise MalformedJson(
                f"the request body is not valid JSON: {exc.msg} "
                f"(line {exc.lineno}, column {exc.colno})"
            ) from exc
        except ValueError as exc:  # bytes that are not UTF-8/16/32
            raise MalformedJson("the request body is not UTF-8 encoded JSON") from exc


def _location(loc: tuple[object, ...]) -> str | None:
    """Pydantic's error location as the client's dotted field name, or None for the whole body.

    Ninja prefixes the parameter kind and, for bodies, the view's argument name:
    ("body", "payload", "opening_hours", 0, "opens") -> "opening_hours.0.opens";
    ("query", "limit") -> "limit"; ("body", "payload") -> None (the body itself).
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


def _validation_error(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    field = _location(tuple(first.get("loc", ())))
    kind = first.get("type")
    if field is None:
        message = (
            "a JSON object is required as the request body"
            if kind == "missing"
            else "the request body must be a JSON object"
        )
        return error_response(422, "invalid", message)
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "missing":
        message = "this field is required"
    else:
        message = str(first.get("msg", "invalid value"))
    return error_response(422, "invalid", f"{field}: {message}", field)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
    scheme = request.headers.get("Authorization", "").partition(" ")[0]
    if scheme.lower() == "bearer":
        return error_response(
            401,
            "unauthenticated",
            "the bearer token is unknown, revoked, or its account is deactivated",
            authenticate='Bearer realm="octavo", error="invalid_token"',
        )
    return error_response(401, "unauthenticated", "send the header Authorization: Bearer TOKEN")


def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if isinstance(exc.__cause__, MalformedJson):
        return error_response(400, "malformed_json", str(exc.__cause__))
    return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "error"), str(exc))


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> JsonResponse:
    return error_response(413, "too_large", "the request body is too large")


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> JsonResponse:
    return error_response(400, "malformed_request", "the request was refused as malformed")


def _not_found(request: HttpRequest, exc: Http404) -> JsonResponse:
    return error_response(404, "not_found", "not found")


def _internal(request: HttpRequest, exc: Exception) -> JsonResponse:
    # Logged with its traceback for the operator; the client sees no detail (even with DEBUG).
    log.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "internal", INTERNAL_MESSAGE)


# Ninja picks the handler of the most specific class in the exception's MRO.
HANDLERS: tuple[tuple[type[Exception], Callable[..., HttpResponse]], ...] = (
    (OctavoError, octavo_error),
    (ValidationError, _validation_error),
    (AuthenticationError, _unauthenticated),
    (HttpError, _http_error),
    (RequestDataTooBig, _too_large),
    (SuspiciousOperation, _suspicious),
    (Http404, _not_found),
    (Exception, _internal),
)


def install(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS:
        api.exception_handler(exc_class)(handler)
