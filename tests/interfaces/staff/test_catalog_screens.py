"""The staff catalog screens as staff use them: search and facets, the cataloging form with its
duplicate warning, the MARC editor, and adding and editing items."""

from __future__ import annotations

import re

import pymarc
import pytest
from tests.conftest import T0, student

from octavo.catalog.marc_text import to_text
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record, update_record_marc
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.services import place_hold
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

CAT = RecordFields(
    title="The cat in the hat",
    responsibility="by Dr. Seuss",
    authors=("Seuss, Dr.",),
    publisher="Random House",
    year=1957,
    isbns=("039480001X",),
    subjects=("Cats -- Fiction", "Stories in rhyme"),
    series=("Beginner books",),
    summary="Two children home alone on a rainy day meet a cat.",
    reading_level="Grades K-2",
    call_number="E SEU",
)
GATO = RecordFields(
    title="El gato ensombrerado",
    authors=("Seuss, Dr.",),
    year=1967,
    language="spa",
    call_number="E SEU",
)

NEW_RECORD = {
    "title": "Frog and Toad are friends",
    "responsibility": "by Arnold Lobel",
    "authors": "Lobel, Arnold",
    "publisher": "Harper & Row",
    "year": "1970",
    "isbns": "0-306-40615-2",
    "subjects": "Frogs -- Fiction\nToads -- Fiction",
    "series": "I can read",
    "summary": "Five stories about two friends.",
    "reading_level": "Grades 1-2",
    "call_number": "E LOB",
    "language": "eng",
}


def marc(record: Record) -> pymarc.Record:
    return pymarc.Record(bytes(record.marc), force_utf8=True)


def item_data(**changes: str) -> dict[str, str]:
    """The item form as a person fills it in: a site and a status, the rest optional."""
    return {"site": "NES", "status": "available", **changes}


def text_of(response) -> str:
    """The page's text without tags and with runs of white space made one space."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(body.split())


@pytest.fixture
def cat(district, cli_actor):
    return create_record(actor=cli_actor, fields=CAT, at=T0)


@pytest.fixture
def shelved_cat(cat, locations, cli_actor):
    """The cat at North Elementary (two copies, one checked out) and at South Elementary."""
    north = ItemFields(site_code="NES", location_code="FIC", call_prefix="E", call_cutter="SEU")
    add_items(actor=cli_actor, record_id=cat.pk, barcodes=["NES-2"], at=T0, fields=north)
    add_items(
        actor=cli_actor,
        record_id=cat.pk,
        barcodes=["NES-1"],
        at=T0,
        fields=ItemFields(
            site_code="NES",
            call_prefix="E",
            call_cutter="SEU",
            copy_number="2",
            status="checked_out",
            staff_note="Spine mended 2025",
        ),
    )
    add_items(
        actor=cli_actor,
        record_id=cat.pk,
        barcodes=["SES-1"],
        at=T0,
        fields=ItemFields(site_code="SES", location_code="REF", call_prefix="E"),
    )
    return cat


# --- search -----------------------------------------------------------------------------------


def test_search_shows_matching_records_and_facet_counts(shelved_cat, cli_actor, client_as):
    create_record(actor=cli_actor, fields=GATO, at=T0)
    response = client_as(Role.TEACHER).get("/staff/catalog/", {"q": "seuss"})
    assert response.status_code == 200
    assert response.context["total"] == 2
    titles = [row["title"] for row in response.context["rows"]]
    assert sorted(titles) == ["El gato ensombrerado", "The cat in the hat"]
    facets = {
        g["key"]: {v["value"]: v["count"] for v in g["values"]} for g in response.context["facets"]
    }
    assert facets["language"] == {"eng": 1, "spa": 1}
    assert facets["format"] == {"book": 2}
    # The cat has copies at North and South, one on the shelf; the gato has none.
    assert facets["site"] == {"NES": 1, "SES": 1}
    assert facets["available"] == {"on": 1}
    page = text_of(response)
    assert "2 records found" in page
    assert "English (1)" in page and "Spanish (1)" in page
    assert "NES : 1 of 2 on the shelf" in page
    assert "NES North Elementary (1)" in page and "On the shelf now (1)" in page


def test_a_facet_link_narrows_the_results_and_can_be_removed(shelved_cat, cli_actor, client_as):
    create_record(actor=cli_actor, fields=GATO, at=T0)
    client = client_as(Role.STUDENT_HELPER)
    first = client.get("/staff/catalog/", {"q": "seuss"})
    spanish = next(
        v
        for g in first.context["facets"]
        if g["key"] == "language"
        for v in g["values"]
        if v["value"] == "spa"
    )
    assert f'href="{spanish["url"].replace("&", "&amp;")}"' in first.content.decode()
    narrowed = client.get(f"/staff/catalog/{spanish['url']}")
    assert [row["title"] for row in narrowed.context["rows"]] == ["El gato ensombrerado"]
    group = next(g for g in narrowed.context["facets"] if g["key"] == "language")
    assert group["selected"] == "spa"
    widened = client.get(f"/staff/catalog/{group['remove_url']}")
    assert widened.context["total"] == 2


def test_site_and_availability_filters_keep_records_on_the_shelf_there(shelved_cat, client_as):
    client = client_as(Role.TECHNICIAN)
    at_south = client.get("/staff/catalog/", {"q": "cat", "site": "SES", "available": "on"})
    assert [row["title"] for row in at_south.context["rows"]] == ["The cat in the hat"]
    at_high = client.get("/staff/catalog/", {"q": "cat", "site": "CHS"})
    assert at_high.context["total"] == 0
    assert "No records match" in at_high.content.decode()


def test_a_filter_that_cannot_be_read_filters_nothing(shelved_cat, client_as):
    response = client_as(Role.TEACHER).get("/staff/catalog/", {"q": "cat", "year": "19x7"})
    assert response.context["total"] == 1


def test_search_results_come_in_pages_of_twenty(district, cli_actor, client_as):
    for n in range(23):
        create_record(actor=cli_actor, fields=RecordFields(title=f"Volcanoes {n}"), at=T0)
    client = client_as(Role.TEACHER)
    first = client.get("/staff/catalog/", {"q": "volcanoes"})
    assert (first.context["total"], len(first.context["rows"])) == (23, 20)
    assert 'rel="next"' in first.content.decode()
    second = client.get("/staff/catalog/", {"q": "volcanoes", "page": "2"})
    assert len(second.context["rows"]) == 3
    assert "Page 2 of 2" in second.content.decode()
    past_the_end = client.get("/staff/catalog/", {"q": "volcanoes", "page": "9"})
    assert (past_the_end.context["page_obj"].number, len(past_the_end.context["rows"])) == (2, 3)
    not_a_number = client.get("/staff/catalog/", {"q": "volcanoes", "page": "x"})
    assert not_a_number.context["page_obj"].number == 1


def test_the_search_page_without_words_only_asks_for_them(district, client_as):
    response = client_as(Role.TEACHER).get("/staff/catalog/")
    assert response.status_code == 200
    assert response.context["searched"] is False
    assert 'role="search"' in response.content.decode()


def test_catalog_link_is_in_the_navigation_and_marked_current_on_catalog_pages(cat, client_as):
    client = client_as(Role.STUDENT_HELPER)
    home = client.get("/staff/").content.decode()
    assert '<a href="/staff/catalog/">Catalog</a>' in home
    record_page = client.get(f"/staff/catalog/{cat.pk}/").content.decode()
    assert '<a href="/staff/catalog/" aria-current="page">Catalog</a>' in record_page


# --- the record page --------------------------------------------------------------------------


def test_record_page_labels_every_part_of_the_description(shelved_cat, client_as):
    response = client_as(Role.TEACHER).get(f"/staff/catalog/{shelved_cat.pk}/")
    page = text_of(response)
    for label, value in (
        ("Title", "The cat in the hat"),
        ("Statement of responsibility", "by Dr. Seuss"),
        ("Authors", "Seuss, Dr"),  # describe() drops ISBD full stops
        ("Publisher", "Random House"),
        ("Year", "1957"),
        ("ISBNs", "9780394800011"),
        ("Subjects", "Cats -- Fiction Stories in rhyme"),
        ("Series", "Beginner books"),
        ("Reading level", "Grades K-2"),
        ("Call number", "E SEU"),
        ("Format", "Book"),
        ("Language", "English"),
    ):
        assert f"{label} {value}" in page, label


def test_record_page_lists_items_in_shelf_order_at_each_site(shelved_cat, client_as):
    response = client_as(Role.TECHNICIAN).get(f"/staff/catalog/{shelved_cat.pk}/")
    rows = [(r["item"].barcode, r["status"]) for r in response.context["items"]]
    # E SEU before E SEU c.2 at NES, whatever the barcodes; then South Elementary.
    assert rows == [("NES-2", "Available"), ("NES-1", "Checked out"), ("SES-1", "Available")]


def test_staff_notes_and_edit_links_are_for_catalogers_only(shelved_cat, client_as):
    teacher_page = client_as(Role.TEACHER).get(f"/staff/catalog/{shelved_cat.pk}/")
    body = teacher_page.content.decode()
    assert "Spine mended 2025" not in body
    assert "Edit record" not in body and "Add items" not in body
    assert "/staff/items/" not in body


def test_a_technician_may_edit_only_the_items_at_their_site(shelved_cat, client_as):
    response = client_as(Role.TECHNICIAN).get(f"/staff/catalog/{shelved_cat.pk}/")
    body = response.content.decode()
    assert "Spine mended 2025" in body
    assert "/staff/items/NES-1/edit/" in body
    assert "/staff/items/SES-1/edit/" not in body


def test_invalid_isbns_are_flagged_on_the_record_page(cat, cli_actor, client_as):
    text = to_text(marc(cat)).replace("=020  \\\\$a9780394800011", "=020  \\\\$a1234567890")
    update_record_marc(actor=cli_actor, record_id=cat.pk, marc_text=text, at=T0)
    page = text_of(client_as(Role.TEACHER).get(f"/staff/catalog/{cat.pk}/"))
    assert "1234567890 invalid ISBN" in page


def test_an_unknown_record_is_a_friendly_404(district, client_as):
    response = client_as(Role.TEACHER).get("/staff/catalog/999999/")
    assert response.status_code == 404


# --- the cataloging form ----------------------------------------------------------------------


def test_a_record_from_the_form_has_its_title_in_245a(district, client_as):
    response = client_as(Role.TECHNICIAN).post("/staff/catalog/new/", NEW_RECORD)
    assert response.status_code == 302
    record = Record.objects.get(title="Frog and Toad are friends")
    assert response["Location"] == f"/staff/catalog/{record.pk}/"
    rec = marc(record)
    assert rec["245"]["a"] == "Frog and Toad are friends"
    assert rec["245"]["c"] == "by Arnold Lobel"
    assert rec["100"]["a"] == "Lobel, Arnold"
    assert rec["020"]["a"] == "9780306406157"
    assert [f["a"] for f in rec.get_fields("650")] == ["Frogs -- Fiction", "Toads -- Fiction"]
    assert record.subjects == ["Frogs -- Fiction", "Toads -- Fiction"]


def test_a_bad_isbn_is_shown_on_the_isbn_field_and_nothing_is_saved(district, client_as):
    response = client_as(Role.TECHNICIAN).post(
        "/staff/catalog/new/", NEW_RECORD | {"isbns": "0-306-40615-3"}
    )
    assert response.status_code == 200
    assert "not a valid ISBN" in " ".join(response.context["form"].errors["isbns"])
    assert not Record.objects.filter(title="Frog and Toad are friends").exists()


def test_a_possible_duplicate_is_shown_and_save_anyway_saves(cat, client_as):
    client = client_as(Role.SITE_LIBRARIAN)
    again = NEW_RECORD | {"title": "The cat in the hat", "authors": "Seuss, Dr.", "isbns": ""}
    warned = client.post("/staff/catalog/new/", again)
    assert warned.status_code == 200
    body = warned.content.decode()
    assert "This may already be in the catalog" in body
    assert f'href="/staff/catalog/{cat.pk}/"' in body
    assert 'name="confirm_duplicate"' in body
    assert Record.objects.filter(title="The cat in the hat").count() == 1

    saved = client.post("/staff/catalog/new/", again | {"confirm_duplicate": "on"})
    assert saved.status_code == 302
    assert Record.objects.filter(title="The cat in the hat").count() == 2


def test_the_edit_form_starts_from_the_record_and_saves_changes(cat, client_as):
    client = client_as(Role.TECHNICIAN)
    form = client.get(f"/staff/catalog/{cat.pk}/edit/").context["form"]
    assert form["title"].value() == "The cat in the hat"
    assert form["subjects"].value() == "Cats -- Fiction\nStories in rhyme"
    assert form["isbns"].value() == "9780394800011"
    data = {name: form[name].value() or "" for name in form.fields if name != "confirm_duplicate"}
    response = client.post(
        f"/staff/catalog/{cat.pk}/edit/", data | {"edition": "50th anniversary ed."}
    )
    assert response.status_code == 302
    cat.refresh_from_db()
    assert marc(cat)["250"]["a"] == "50th anniversary ed."
    assert cat.edition == "50th anniversary ed"  # the column drops ISBD's full stop
    assert cat.subjects == ["Cats -- Fiction", "Stories in rhyme"]


# --- the MARC editor --------------------------------------------------------------------------


def test_a_marc_error_names_the_line_and_nothing_changes(cat, client_as):
    before = bytes(cat.marc)
    lines = to_text(marc(cat)).splitlines()
    lines[3] = "=245  10$aThe cat in the hat$"  # an empty subfield on line 4
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/catalog/{cat.pk}/marc/", {"marc": "\r\n".join(lines)}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["marc"])
    assert "Line 4" in errors and "empty subfield" in errors
    cat.refresh_from_db()
    assert bytes(cat.marc) == before


def test_the_marc_editor_saves_a_changed_title(cat, client_as):
    client = client_as(Role.TECHNICIAN)
    text = client.get(f"/staff/catalog/{cat.pk}/marc/").context["form"]["marc"].value()
    assert "=245  14$aThe cat in the hat$cby Dr. Seuss" in text
    edited = text.replace("$aThe cat in the hat", "$aThe cat in the hat comes back")
    response = client.post(f"/staff/catalog/{cat.pk}/marc/", {"marc": edited})
    assert response.status_code == 302
    cat.refresh_from_db()
    assert cat.title == "The cat in the hat comes back"


# --- items ------------------------------------------------------------------------------------


def test_a_barcode_range_of_three_adds_three_items(cat, locations, client_as):
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/catalog/{cat.pk}/items/new/",
        item_data(
            barcode="31000000000011",  # a Codabar label: the check digit is counted too
            count="3",
            location=str(locations["NES"].id),
            call_prefix="E",
            call_cutter="SEU",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalog/{cat.pk}/#items"
    items = Item.objects.filter(record=cat).order_by("barcode")
    assert [i.barcode for i in items] == ["31000000000011", "31000000000029", "31000000000037"]
    assert {(i.site.code, i.location.code, i.call_number) for i in items} == {
        ("NES", "FIC", "E SEU")
    }


def test_add_and_scan_another_keeps_the_shelf_fields_for_the_next_item(cat, locations, client_as):
    client = client_as(Role.TECHNICIAN)
    location = str(locations["NES"].id)
    response = client.post(
        f"/staff/catalog/{cat.pk}/items/new/",
        item_data(barcode="B-100", count="1", location=location, call_prefix="E", another="1"),
    )
    assert response.status_code == 302
    follow = client.get(response["Location"])
    form = follow.context["form"]
    assert (form["location"].value(), form["call_prefix"].value()) == (location, "E")
    assert not form["barcode"].value()
    assert "Item B-100 added." in follow.content.decode()


def test_the_add_form_starts_with_the_records_call_number(cat, client_as):
    form = client_as(Role.TECHNICIAN).get(f"/staff/catalog/{cat.pk}/items/new/").context["form"]
    assert (form["call_prefix"].value(), form["call_cutter"].value()) == ("E", "SEU")


def test_a_barcode_in_use_is_shown_on_the_barcode_field(shelved_cat, client_as):
    response = client_as(Role.TECHNICIAN).post(
        f"/staff/catalog/{shelved_cat.pk}/items/new/", item_data(barcode="NES-1", count="1")
    )
    assert response.status_code == 200
    assert "already in use" in " ".join(response.context["form"].errors["barcode"])


def test_a_technician_cannot_add_items_at_south_elementary(cat, locations, client_as):
    client = client_as(Role.TECHNICIAN)
    form = client.get(f"/staff/catalog/{cat.pk}/items/new/").context["form"]
    assert [code for code, _ in form.fields["site"].choices] == ["NES"]
    response = client.post(
        f"/staff/catalog/{cat.pk}/items/new/",
        item_data(site="SES", barcode="SES-9", count="1", location=str(locations["SES"].id)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["site"]
    assert not Item.objects.filter(barcode="SES-9").exists()


def test_a_location_at_another_site_is_refused(cat, locations, client_as):
    response = client_as(Role.DISTRICT_ADMIN).post(
        f"/staff/catalog/{cat.pk}/items/new/",
        item_data(barcode="N-1", count="1", location=str(locations["SES"].id)),
    )
    assert response.status_code == 200
    assert "REF is at SES" in " ".join(response.context["form"].errors["location"])
    assert not Item.objects.filter(barcode="N-1").exists()


def test_an_items_new_status_shows_on_the_record_page(shelved_cat, client_as):
    client = client_as(Role.TECHNICIAN)
    form = client.get("/staff/items/NES-2/edit/").context["form"]
    assert form["status"].value() == "available"
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(
        "/staff/items/NES-2/edit/", data | {"status": "in_repair", "public_note": "Being mended"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalog/{shelved_cat.pk}/#items"
    record_page = client.get(f"/staff/catalog/{shelved_cat.pk}/")
    assert ("NES-2", "In repair") in [
        (r["item"].barcode, r["status"]) for r in record_page.context["items"]
    ]
    page = text_of(record_page)
    assert "Item NES-2 saved." in page
    assert "In repair Being mended" in page


def test_the_edit_form_offers_no_status_the_desk_keeps(shelved_cat, client_as):
    client = client_as(Role.TECHNICIAN)
    on_shelf = client.get("/staff/items/NES-2/edit/").context["form"]
    offered = [value for value, _label in on_shelf.fields["status"].choices]
    assert "available" in offered and "missing" in offered
    assert not {"checked_out", "in_transit", "on_hold_shelf"} & set(offered)
    out = client.get("/staff/items/NES-1/edit/").context["form"]
    assert [value for value, _label in out.fields["status"].choices] == ["checked_out"]
    data = {name: out[name].value() or "" for name in out.fields}
    refused = client.post("/staff/items/NES-1/edit/", data | {"status": "available"})
    assert refused.status_code == 200  # the choice is not offered: the form says so
    assert "status" in refused.context["form"].errors


def test_an_item_edit_changes_the_call_number_parts_price_and_date(shelved_cat, client_as):
    client = client_as(Role.SITE_LIBRARIAN)
    form = client.get("/staff/items/NES-2/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    client.post(
        "/staff/items/NES-2/edit/",
        data
        | {
            "call_volume": "v.2",
            "copy_number": "3",
            "price": "12.95",
            "acquired_on": "2026-08-15",
            "condition": "good",
            "location": "",
        },
    )
    item = Item.objects.get(barcode="NES-2")
    assert item.call_number == "E SEU v.2 c.3"
    assert (str(item.price), item.acquired_on.isoformat(), item.condition) == (
        "12.95",
        "2026-08-15",
        "good",
    )
    assert item.location is None


def test_an_item_marked_missing_warns_of_holds_no_copy_can_fill(shelved_cat, client_as, cli_actor):
    """A hold on this very copy cannot be filled once the copy is missing: the librarian is
    told which title, to cancel the hold or order a copy (the title's other copies cannot
    fill a hold on this one)."""
    student(cli_actor, "P300", "Carla", "Nunez")
    place_hold(
        actor=cli_actor, patron_barcode="P300", record_id=shelved_cat.pk,
        pickup_site_code="NES", item_barcode="NES-2", at=T0,
    )  # fmt: skip
    client = client_as(Role.SITE_LIBRARIAN)
    form = client.get("/staff/items/NES-2/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    saved = text_of(
        client.post("/staff/items/NES-2/edit/", data | {"status": "missing"}, follow=True)
    )
    assert "Item NES-2 saved." in saved
    assert "1 title now has holds that no copy can fill: The cat in the hat (1)." in saved


def test_a_technician_may_not_open_an_item_at_another_site(shelved_cat, client_as):
    response = client_as(Role.TECHNICIAN).get("/staff/items/SES-1/edit/")
    assert response.status_code == 403


def test_the_record_page_reads_in_spanish(shelved_cat, client_as):
    client = client_as(Role.TEACHER)
    client.cookies["octavo_language"] = "es"
    page = text_of(client.get(f"/staff/catalog/{shelved_cat.pk}/"))
    assert "Signatura topográfica E SEU" in page
    assert "Idioma Inglés" in page
    assert "3 ejemplares" in page and "Prestado" in page
