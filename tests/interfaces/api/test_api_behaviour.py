"""The API as a district's integration would use it: errors name fields, nothing half-written."""

from __future__ import annotations

import pytest
from tests.conftest import T0

from octavo.accounts.models import User
from octavo.accounts.services import revoke_token
from octavo.audit.models import AuditEntry
from octavo.district.models import Site
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db
ADMIN = Role.DISTRICT_ADMIN


def error(response) -> dict:
    return response.json()["error"]


def test_admin_creates_a_site_with_hours_and_reads_it_back(api_as) -> None:
    api = api_as(ADMIN)
    created = api.call(
        "POST",
        "/api/v1/sites",
        {
            "code": "mes",
            "name": "Maple Elementary",
            "time_zone": "America/Chicago",
            "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "15:30"}],
        },
    )
    assert created.status_code == 201
    body = api.call("GET", "/api/v1/sites/MES").json()
    assert body["opening_hours"] == [{"weekday": 0, "opens": "08:00", "closes": "15:30"}]
    assert body["time_zone"] == "America/Chicago"


def test_duplicate_site_code_is_409_naming_code_and_writes_nothing(api_as) -> None:
    before = Site.objects.count(), AuditEntry.objects.count()
    response = api_as(ADMIN).call("POST", "/api/v1/sites", {"code": "NES", "name": "Again"})
    assert response.status_code == 409
    assert error(response)["code"] == "duplicate"
    assert error(response)["field"] == "code"
    assert (Site.objects.count(), AuditEntry.objects.count()) == before


def test_unknown_site_code_for_an_account_is_422_naming_sites(api_as) -> None:
    response = api_as(ADMIN).call(
        "POST",
        "/api/v1/users",
        {
            "username": "x",
            "role": "teacher",
            "sites": ["NES", "ZZZ"],
            "password": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 422
    assert error(response)["code"] == "unknown_site"
    assert error(response)["field"] == "sites"
    assert "ZZZ" in error(response)["message"]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize("password", ["short", "password1234"])
def test_weak_password_is_422_naming_password(api_as, password) -> None:
    response = api_as(ADMIN).call(
        "POST",
        "/api/v1/users",
        {"username": "weak", "role": "teacher", "sites": ["NES"], "password": password},
    )
    assert response.status_code == 422
    assert (error(response)["code"], error(response)["field"]) == ("weak_password", "password")
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "MES", "name": 5}, "name"),
        ({"code": "MES"}, "name"),
        (
            {
                "code": "MES",
                "name": "M",
                "opening_hours": [{"weekday": 9, "opens": "08:00", "closes": "09:00"}],
            },
            "opening_hours.0.weekday",
        ),
        ({"code": "MES", "name": "M", "colour": "blue"}, "colour"),
    ],
)
def test_wrong_types_missing_and_unknown_fields_are_422_naming_the_field(api_as, body, field):
    response = api_as(ADMIN).call("POST", "/api/v1/sites", body)
    assert response.status_code == 422
    assert error(response)["code"] == "invalid"
    assert error(response)["field"] == field
    assert not Site.objects.filter(code="MES").exists()


def test_sites_given_as_a_string_instead_of_a_list_is_refused(api_as) -> None:
    response = api_as(ADMIN).call(
        "POST", "/api/v1/users", {"username": "x", "role": "teacher", "sites": "NES"}
    )
    assert response.status_code == 422
    assert error(response)["field"] == "sites"


def test_malformed_json_is_400(api_as) -> None:
    response = api_as(ADMIN).call("POST", "/api/v1/sites", raw='{"code": "MES",')
    assert response.status_code == 400
    assert error(response)["code"] == "malformed_json"


def test_unknown_route_and_wrong_method_answer_in_json(api_as) -> None:
    api = api_as(ADMIN)
    missing = api.call("GET", "/api/v1/nothing-here")
    assert (missing.status_code, error(missing)["code"]) == (404, "not_found")
    wrong = api.call("DELETE", "/api/v1/sites")
    assert (wrong.status_code, error(wrong)["code"]) == (405, "method_not_allowed")


def test_unexpected_failure_is_a_json_500_without_a_traceback(api_as, monkeypatch, settings):
    settings.DEBUG = True

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("octavo.district.selectors.visible_sites", boom)
    response = api_as(ADMIN).call("GET", "/api/v1/sites")
    assert response.status_code == 500
    assert error(response)["code"] == "internal"
    assert b"disk on fire" not in response.content
    assert b"Traceback" not in response.content


def test_missing_token_says_how_to_authenticate(api_as) -> None:
    response = api_as(None).call("GET", "/api/v1/sites")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(api_as, district, cli_actor, tokens) -> None:
    api = api_as(Role.TECHNICIAN)
    assert api.call("GET", "/api/v1/me").status_code == 200
    prefix = tokens[Role.TECHNICIAN][4:12]
    revoke_token(actor=cli_actor, prefix=prefix, at=T0)
    assert api.call("GET", "/api/v1/me").status_code == 401


def test_changes_through_the_api_are_audited_as_api(api_as) -> None:
    api = api_as(Role.SITE_LIBRARIAN)
    api.call("PATCH", "/api/v1/sites/NES", {"address": "1 Elm Street"})
    entry = AuditEntry.objects.get(action="site.update")
    assert (entry.actor_username, entry.source) == ("site-librarian", "api")
    assert entry.changes == {"address": ["", "1 Elm Street"]}
    audit = api_as(ADMIN).call("GET", "/api/v1/audit?actor=site-librarian").json()
    assert audit["count"] == 1 and audit["items"][0]["source"] == "api"


def test_audit_filters_and_pages(api_as) -> None:
    api = api_as(ADMIN)
    body = api.call("GET", "/api/v1/audit?object_type=site&limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert api.call("GET", "/api/v1/audit?site=ZZZ").status_code == 404
    assert api.call("GET", "/api/v1/audit?limit=0").status_code == 422


def test_me_describes_the_caller(api_as) -> None:
    body = api_as(Role.TECHNICIAN).call("GET", "/api/v1/me").json()
    assert (body["username"], body["role"], body["sites"]) == ("technician", "technician", ["NES"])


def test_openapi_document_describes_routes_and_bearer_auth(client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/v1/sites",
        "/api/v1/sites/{code}",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/me",
        "/api/v1/search",
    ):
        assert path in doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    assert "422" in doc["paths"]["/api/v1/sites"]["post"]["responses"]
