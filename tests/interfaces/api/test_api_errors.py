"""Every failure under /api/v1/ is `{"error": {"code", "message", "field"}}` with its HTTP status,
never an HTML page or a traceback, with DEBUG on or off."""

from __future__ import annotations

import json

import pytest
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from tests.conftest import T0

from octavo.accounts.services import revoke_token
from octavo.interfaces.api.errors import STATUS
from octavo.interfaces.api.middleware import ApiJsonErrors
from octavo.shared.actor import Role
from octavo.shared.errors import OctavoError, Reason

pytestmark = pytest.mark.django_db
ADMIN = Role.DISTRICT_ADMIN


def error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    return body["error"]


# Written out from the API contract, not read from errors.STATUS.
EXPECTED_STATUS = {
    Reason.INVALID: 422,
    Reason.NOT_FOUND: 404,
    Reason.DUPLICATE: 409,
    Reason.PERMISSION_DENIED: 403,
    Reason.WEAK_PASSWORD: 422,
    Reason.UNKNOWN_SITE: 422,
    Reason.UNAUTHENTICATED: 401,
    # Circulation refusals are 409 with their own code (issue #4, "Contracts").
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


def test_every_reason_has_an_http_status() -> None:
    assert set(STATUS) == set(Reason)
    assert set(EXPECTED_STATUS) == set(Reason)


@pytest.mark.parametrize("reason", list(Reason))
def test_a_service_error_becomes_its_status_and_body(api_as, monkeypatch, reason) -> None:
    def refuse(**kwargs):
        raise OctavoError("the message", field="the_field", reason=reason)

    monkeypatch.setattr("octavo.district.selectors.visible_sites", refuse)
    response = api_as(ADMIN).call("GET", "/api/v1/sites")
    assert response.status_code == EXPECTED_STATUS[reason]
    assert error(response) == {"code": reason.value, "message": "the message", "field": "the_field"}


def test_malformed_json_is_400(api_as) -> None:
    response = api_as(ADMIN).call("POST", "/api/v1/sites", raw='{"code": "MES",')
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"
    assert "line 1" in error(response)["message"]


def test_a_body_that_is_not_utf8_is_400(client, tokens) -> None:
    response = client.post(
        "/api/v1/sites",
        data=b'{"code": "\xff"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens[ADMIN]}",
    )
    assert (response.status_code, error(response)["code"]) == (400, "malformed_json")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[1, 2]", "the request body must be a JSON object"),
        ('"MES"', "the request body must be a JSON object"),
        ("null", "the request body must be a JSON object"),
        ("", "a JSON object is required as the request body"),
    ],
)
def test_a_body_that_is_not_an_object_is_422_without_a_field(api_as, raw, message) -> None:
    response = api_as(ADMIN).call("POST", "/api/v1/sites", raw=raw)
    assert response.status_code == 422
    assert error(response) == {"code": "invalid", "message": message, "field": None}


def test_a_body_over_the_size_limit_is_413(api_as, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = api_as(ADMIN).call("POST", "/api/v1/sites", {"code": "MES", "name": "M" * 200})
    assert (response.status_code, error(response)["code"]) == (413, "too_large")


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/", "/api/v1/sites/", "/api/x"])
def test_unknown_route_is_a_json_404(api_as, path) -> None:
    response = api_as(ADMIN).call("GET", path)
    assert (response.status_code, error(response)["code"]) == (404, "not_found")


def test_wrong_method_is_a_json_405_with_allow(api_as) -> None:
    response = api_as(ADMIN).call("DELETE", "/api/v1/sites")
    assert (response.status_code, error(response)["code"]) == (405, "method_not_allowed")
    assert "GET" in response["Allow"] and "POST" in response["Allow"]


def test_unexpected_failure_is_a_json_500_without_a_traceback(api_as, monkeypatch, caplog):
    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("octavo.district.selectors.visible_sites", boom)
    response = api_as(ADMIN).call("GET", "/api/v1/sites")
    assert response.status_code == 500
    assert error(response)["code"] == "internal"
    assert b"disk on fire" not in response.content
    assert b"Traceback" not in response.content
    # The operator gets the detail in the log.
    assert any("disk on fire" in (r.exc_text or "") for r in caplog.records if r.exc_info)


@pytest.mark.parametrize(
    ("method", "path", "body", "raw", "status"),
    [
        ("GET", "/api/v1/nope", None, None, 404),
        ("GET", "/api/v1/", None, None, 404),
        ("DELETE", "/api/v1/sites", None, None, 405),
        ("POST", "/api/v1/sites", None, "{bad", 400),
        ("POST", "/api/v1/sites", {"code": "MES", "name": 5}, None, 422),
        ("GET", "/api/v1/sites/ZZZ", None, None, 404),
        ("GET", "/api/v1/boom", None, None, 500),
    ],
)
def test_with_debug_on_errors_are_still_json(
    api_as, settings, monkeypatch, method, path, body, raw, status
) -> None:
    settings.DEBUG = True

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("octavo.district.selectors.visible_sites", boom)
    path = path.replace("/boom", "/sites")
    response = api_as(ADMIN).call(method, path, body, raw=raw)
    assert response.status_code == status
    error(response)
    assert b"Traceback" not in response.content
    assert b"disk on fire" not in response.content


def test_with_debug_on_an_unauthenticated_request_is_still_json(client, settings) -> None:
    settings.DEBUG = True
    response = client.get("/api/v1/sites", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert (response.status_code, error(response)["code"]) == (401, "unauthenticated")


# Authentication -------------------------------------------------------------------------------


def test_missing_token_is_401_saying_how_to_authenticate(client, district) -> None:
    response = client.get("/api/v1/sites")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error(response)["code"] == "unauthenticated"
    assert "Bearer" in error(response)["message"]


@pytest.mark.parametrize(
    "header",
    ["Bearer oct_not-a-real-token", "Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "Token abc", "x"],
)
def test_an_unusable_authorization_header_is_401(client, district, header) -> None:
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error(response)["code"] == "unauthenticated"


@pytest.mark.parametrize("template", ["Bearer {}", "bearer {}", "BEARER  {} "])
def test_the_bearer_scheme_is_read_as_rfc_6750_allows(client, tokens, template) -> None:
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=template.format(tokens[ADMIN]))
    assert response.status_code == 200


def test_a_revoked_token_stops_working(api_as, cli_actor, tokens) -> None:
    api = api_as(Role.TECHNICIAN)
    assert api.call("GET", "/api/v1/me").status_code == 200
    revoke_token(actor=cli_actor, prefix=tokens[Role.TECHNICIAN][4:12], at=T0)
    response = api.call("GET", "/api/v1/me")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert error(response)["code"] == "unauthenticated"


def test_a_deactivated_accounts_token_stops_working(api_as) -> None:
    api = api_as(Role.TECHNICIAN)
    assert api.call("GET", "/api/v1/me").status_code == 200
    deactivate = api_as(ADMIN).call("PATCH", "/api/v1/users/technician", {"is_active": False})
    assert deactivate.status_code == 200
    assert api.call("GET", "/api/v1/me").status_code == 401


# The middleware, for what reaches Django outside ninja's handlers ------------------------------


def test_middleware_turns_an_html_error_under_api_into_json() -> None:
    request = RequestFactory().get("/api/v1/whatever")
    response = ApiJsonErrors(lambda r: HttpResponseNotFound("<h1>Not Found</h1>"))(request)
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "not_found"


def test_middleware_leaves_other_paths_alone() -> None:
    request = RequestFactory().get("/staff/whatever")
    page = HttpResponseNotFound("<h1>Not Found</h1>")
    assert ApiJsonErrors(lambda r: page)(request) is page


def test_middleware_answers_a_crash_with_json_500_and_leaves_404s_to_django() -> None:
    middleware = ApiJsonErrors(lambda r: HttpResponse())
    request = RequestFactory().get("/api/v1/whatever")
    response = middleware.process_exception(request, RuntimeError("secret detail"))
    assert response is not None and response.status_code == 500
    assert b"secret detail" not in response.content
    assert middleware.process_exception(request, Http404("x")) is None
