"""The OpenAPI 3 document at /api/v1/openapi.json describes the routes, bearer auth and errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

AUTHENTICATED = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/sites"),
    ("post", "/api/v1/sites"),
    ("get", "/api/v1/sites/{code}"),
    ("patch", "/api/v1/sites/{code}"),
    ("get", "/api/v1/sites/{code}/locations"),
    ("post", "/api/v1/sites/{code}/locations"),
    ("patch", "/api/v1/locations/{location_id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{username}"),
    ("patch", "/api/v1/users/{username}"),
    ("get", "/api/v1/audit"),
]


@pytest.fixture
def doc(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_document_is_openapi_3_listing_every_route(doc) -> None:
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    for method, path in AUTHENTICATED:
        assert method in doc["paths"][path], (method, path)
    assert "/api/v1/search" in doc["paths"]


def test_every_authenticated_route_requires_the_bearer_scheme_and_documents_401(doc) -> None:
    schemes = doc["components"]["securitySchemes"]
    bearer = [name for name, s in schemes.items() if (s["type"], s["scheme"]) == ("http", "bearer")]
    assert len(bearer) == 1
    for method, path in AUTHENTICATED:
        operation = doc["paths"][path][method]
        assert {bearer[0]: []} in operation["security"], (method, path)
        assert "401" in operation["responses"], (method, path)


def test_error_responses_are_documented_with_the_error_body(doc) -> None:
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = doc["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "field"}
    post_site = doc["paths"]["/api/v1/sites"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(post_site)
    assert post_site["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "404" in doc["paths"]["/api/v1/users/{username}"]["get"]["responses"]
    assert "403" in doc["paths"]["/api/v1/audit"]["get"]["responses"]


def test_input_schemas_refuse_unknown_fields_and_patches_do_not_offer_null(doc) -> None:
    schemas = doc["components"]["schemas"]
    for name in ("SiteCreate", "SiteUpdate", "LocationCreate", "LocationUpdate"):
        assert schemas[name]["additionalProperties"] is False, name
    for name in ("UserCreate", "UserUpdate", "Period"):
        assert schemas[name]["additionalProperties"] is False, name
    for name in ("SiteUpdate", "LocationUpdate", "UserUpdate"):
        assert "required" not in schemas[name]
        for field, schema in schemas[name]["properties"].items():
            assert "anyOf" not in schema and "default" not in schema, (name, field)
    assert schemas["Period"]["properties"]["opens"]["pattern"]
    assert set(schemas["Role"]["enum"]) >= {"district_admin", "site_librarian", "technician"}


def test_list_routes_document_their_items(doc) -> None:
    sites = doc["paths"]["/api/v1/sites"]["get"]["responses"]["200"]["content"]
    ref = sites["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    listing = doc["components"]["schemas"][ref]
    assert set(listing["properties"]) == {"items", "count"}


def test_the_docs_page_is_served(client) -> None:
    assert client.get("/api/v1/docs").status_code == 200
