"""GET /api/v1/search: public, the contract's fields, facets and filters."""

from __future__ import annotations

import io

import pytest
from tests.conftest import T0
from tests.integration.catalog.test_search import rec

from octavo.catalog.importer import import_marc

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(district, cli_actor, locations):
    data = rec(
        "b1",
        "Frogs and toads",
        author="Lobel, Arnold",
        isbn="0-306-40615-2",
        year=1970,
        barcode="N1",
    ) + rec("b2", "Frog songs", year=2004, lang="spa")
    import_marc(actor=cli_actor, stream=io.BytesIO(data), filename="b.mrc", site_code="NES", at=T0)


def test_search_needs_no_token_and_returns_the_contract_fields(client, books) -> None:
    body = client.get("/api/v1/search?q=frog&limit=10").json()
    assert body["total"] == 2
    first = body["results"][0]
    for key in (
        "id",
        "control_number",
        "title",
        "authors",
        "isbns",
        "year",
        "format",
        "availability",
    ):
        assert key in first
    by_title = {r["title"]: r for r in body["results"]}
    assert by_title["Frogs and toads"]["isbns"] == ["9780306406157"]
    assert by_title["Frogs and toads"]["availability"] == [
        {"site": "NES", "site_name": "North Elementary", "items": 1, "available": 1}
    ]
    assert {f["value"]: f["count"] for f in body["facets"]["language"]} == {"eng": 1, "spa": 1}


def test_search_filters_and_isbn_forms(client, books) -> None:
    assert client.get("/api/v1/search?q=frog&language=spa").json()["total"] == 1
    assert client.get("/api/v1/search?q=frog&available=true").json()["total"] == 1
    assert client.get("/api/v1/search?q=0306406152").json()["results"][0]["control_number"] == "b1"


def test_search_refuses_a_silly_limit_with_a_json_error(client, books) -> None:
    response = client.get("/api/v1/search?q=frog&limit=100000")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"
