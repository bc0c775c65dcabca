"""Keeps every answer under /api/ JSON: what Django answers itself (no such route, wrong method,
a 404 raised outside ninja's handlers, a crash in a view ninja does not wrap, DEBUG's HTML pages)
becomes an error body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from octavo.interfaces.api.errors import HTTP_CODES, INTERNAL_MESSAGE, error_response

log = logging.getLogger(__name__)
PREFIX = "/api/"
# Exceptions Django itself turns into a 4xx answer (django.core.handlers.exception).
_DJANGO_4XX = (
    Http404,
    DjangoPermissionDenied,
    BadRequest,
    SuspiciousOperation,
    MultiPartParserError,
)


class ApiJsonErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            messages = {
                404: "no such API route",
                405: f"{request.method} is not allowed here",
                500: INTERNAL_MESSAGE,
            }
            replaced = error_response(
                status,
                HTTP_CODES.get(status, "error"),
                messages.get(status, response.reason_phrase.lower()),
            )
            if status == 405 and response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(PREFIX) or isinstance(exc, _DJANGO_4XX):
            # Django answers these with their own 4xx status; __call__ makes that JSON.
            return None
        log.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "internal", INTERNAL_MESSAGE)
