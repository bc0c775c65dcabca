"""The JSON API at /api/v1/ (django-ninja). OpenAPI 3 at /api/v1/openapi.json.

Routes parse input, call services and selectors, and translate errors through errors.py;
they decide nothing themselves (STYLE.md, "The one rule").
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from octavo.interfaces.api.auth import BearerToken
from octavo.interfaces.api.errors import HTTP_CODES, error_response, octavo_error
from octavo.shared.errors import OctavoError

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Octavo API",
    version="1",
    description=(
        "Octavo's JSON API. Send `Authorization: Bearer TOKEN` (make one with "
        "`octavo token create USERNAME`). Every error is "
        '`{"error": {"code": ..., "message": ..., "field": ...}}`.'
    ),
    urls_namespace="api",
    auth=BearerToken(),
)


@api.exception_handler(OctavoError)
def _octavo_error(request: HttpRequest, exc: OctavoError) -> JsonResponse:
    return octavo_error(request, exc)


def _location(loc: tuple[object, ...]) -> str | None:
    parts = [str(p) for p in loc]
    # ("body", "payload", "name") -> "name"; ("query", "limit") -> "limit"
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> JsonResponse:
    first = exc.errors[0] if exc.errors else {}
    field = _location(tuple(first.get("loc", ())))
    message = str(first.get("msg", "invalid input"))
    if first.get("type") == "extra_forbidden":
        message = "unknown field"
    elif first.get("type") == "missing":
        message = "this field is required"
    return error_response(422, "invalid", f"{field}: {message}" if field else message, field)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> JsonResponse:
    return error_response(401, "unauthenticated", "a valid bearer token is required")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> JsonResponse:
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    code = HTTP_CODES.get(exc.status_code, "error")
    return error_response(exc.status_code, code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> JsonResponse:
    return error_response(404, "not_found", "not found")


@api.exception_handler(Exception)
def _internal(request: HttpRequest, exc: Exception) -> JsonResponse:
    log.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "internal", "an internal error occurred; it has been logged")


# Routers are imported after `api` exists: they register their routes on it.
from octavo.interfaces.api import (  # noqa: E402
    routes_accounts,
    routes_audit,
    routes_catalog,
    routes_district,
    routes_records,
)

api.add_router("", routes_accounts.router)
api.add_router("", routes_district.router)
api.add_router("", routes_audit.router)
api.add_router("", routes_catalog.router)
api.add_router("", routes_records.router)
