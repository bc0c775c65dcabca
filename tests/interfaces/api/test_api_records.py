"""Records and items through the API, as a cataloging integration would use them."""

from __future__ import annotations

import pytest

from octavo.holdings.models import Item
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db
TECH = Role.TECHNICIAN


def test_record_created_from_fields_reads_back_with_its_marc(api_as, district) -> None:
    api = api_as(TECH)
    created = api.call(
        "POST",
        "/api/v1/records",
        {
            "title": "The snowy day",
            "authors": ["Keats, Ezra Jack"],
            "year": 1962,
            "isbns": ["0-306-40615-2"],
            "subjects": ["Snow"],
            "call_number": "E KEA",
        },
    )
    assert created.status_code == 201, created.content
    body = api.call("GET", f"/api/v1/records/{created.json()['id']}").json()
    assert body["title"] == "The snowy day" and body["isbns"] == ["9780306406157"]
    assert "=245  14$aThe snowy day" in body["marc"]


def test_a_likely_duplicate_is_409_until_confirmed(api_as, district) -> None:
    api = api_as(TECH)
    book = {"title": "Corduroy", "authors": ["Freeman, Don"]}
    assert api.call("POST", "/api/v1/records", book).status_code == 201
    again = api.call("POST", "/api/v1/records", book)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate"
    confirmed = api.call("POST", "/api/v1/records", book | {"confirm_duplicate": True})
    assert confirmed.status_code == 201


def test_marc_editor_errors_name_the_line(api_as, catalog_record) -> None:
    response = api_as(TECH).call(
        "PUT",
        f"/api/v1/records/{catalog_record.pk}/marc",
        {"marc": "=LDR  00000nam a2200000 a 4500\n=245  10"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["field"], error["message"]) == (
        "marc",
        "line 2: field 245 needs two indicators and then $ subfields",
    )


def test_a_barcode_range_adds_items_and_the_public_view_hides_staff_notes(
    api_as, catalog_record
) -> None:
    api = api_as(TECH)
    response = api.call(
        "POST",
        f"/api/v1/records/{catalog_record.pk}/items",
        {
            "first_barcode": "31234000000008",
            "count": 3,
            "site": "NES",
            "location": "FIC",
            "price": "12.50",
            "staff_note": "Donated by the PTA",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 3
    assert Item.objects.filter(record=catalog_record).count() == 5
    public = api_as(None).call("GET", f"/api/v1/records/{catalog_record.pk}").json()
    assert all("staff_note" not in item and "price" not in item for item in public["items"])


def test_a_used_barcode_is_409_naming_it(api_as, catalog_record) -> None:
    response = api_as(TECH).call(
        "POST", f"/api/v1/records/{catalog_record.pk}/items", {"barcodes": ["NES1"], "site": "NES"}
    )
    assert response.status_code == 409
    assert "NES1" in response.json()["error"]["message"]


def test_unknown_record_is_404(api_as, district) -> None:
    assert api_as(TECH).call("GET", "/api/v1/records/999999").status_code == 404


@pytest.mark.parametrize("field", ["site", "location", "call_class", "staff_note"])
def test_an_item_patch_refuses_null_naming_the_field(api_as, catalog_record, field) -> None:
    response = api_as(TECH).call("PATCH", "/api/v1/items/NES1", {field: None})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
