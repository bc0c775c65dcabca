"""Keeps every answer under /api/ JSON: Django's own 404/405/500 pages become error bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from octavo.interfaces.api.errors import HTTP_CODES, error_response

log = logging.getLogger(__name__)
PREFIX = "/api/"


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
            messages = {404: "no such API route", 405: f"{request.method} is not allowed here"}
            replaced = error_response(
                status,
                HTTP_CODES.get(status, "error"),
                messages.get(status, response.reason_phrase),
            )
            if status == 405 and response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(PREFIX):
            return None
        log.exception("API error on %s %s", request.method, request.path)
        return error_response(500, "internal", "an internal error occurred; it has been logged")
