"""The weeding and item care screens through the Django test client: build a list (a preset, or
one's own criteria; a range that cannot be read named on its field), review it (buttons and the
scan box answered with htmx, in place), print it in shelf order, apply it with a reason; an
item's care page and its history; who sees what; the Spanish pages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.services import check_out
from octavo.fines.selectors import balance
from octavo.holdings.models import Item, WeedingList
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.staff import care_views, weeding_views
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

NOW = T0
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shelf(district, cli_actor, monkeypatch):
    """NES: OLD1 599.75 OLD (2010, never out), WRN1 550 EAR (2024, condition poor), NEW1 599.8
    NEW (2025); all added in 2021. SES: S1 599.75 OLD. Ana (P100) at NES."""
    monkeypatch.setattr(weeding_views, "now", lambda: NOW)
    monkeypatch.setattr(care_views, "now", lambda: NOW)
    added = NOW - timedelta(days=365 * 5)
    for title, year, barcodes, call_class, cutter, condition, site in (
        ("Old Science", 2010, ["OLD1"], "599.75", "OLD", "", "NES"),
        ("Earth", 2024, ["WRN1"], "550", "EAR", "poor", "NES"),
        ("New Science", 2025, ["NEW1"], "599.8", "NEW", "", "NES"),
        ("Old Science, South's copy", 2010, ["S1"], "599.75", "OLD", "", "SES"),
    ):
        record = create_record(
            actor=cli_actor, fields=RecordFields(title=title, year=year), at=added
        )
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=barcodes,
            fields=ItemFields(
                site_code=site,
                call_class=call_class,
                call_cutter=cutter,
                condition=condition,
                price=Decimal("15.00"),
            ),
            at=added,
        )
    create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P100", first_name="Ana", last_name="Reyes", patron_type="student",
            site_code="NES",
        ),
        at=added,
    )  # fmt: skip


def built(client, **data) -> int:
    response = client.post(
        "/staff/weeding/", {"site": "NES", "call_range": "500-599", "preset": "crew", **data}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/staff/weeding/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def entry_ids(number: int) -> dict[str, int]:
    found = WeedingList.objects.get(pk=number).entries.select_related("item")
    return {e.item.barcode: e.pk for e in found}


def test_a_list_is_built_with_a_preset_and_shown_in_shelf_order(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    page = client.get("/staff/weeding/").content.decode()
    assert "Build a weeding list" in page and "5/3/MUSTIE" in page  # CREW's table, for reference
    number = built(client)
    body = client.get(f"/staff/weeding/{number}/").content.decode()
    assert "Weeding list built: 2 items to review." in body
    assert body.index("550 EAR") < body.index("599.75 OLD")
    assert "0 to withdraw, 0 to keep, 2 undecided." in body
    assert "Worn" in body and "Old, Not used" in body
    assert 'href="/staff/items/OLD1/care/"' in body


def test_ones_own_criteria_build_a_list_and_bad_input_is_named_on_its_field(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    number = built(client, preset="", age_years="10")
    assert list(entry_ids(number)) == ["OLD1"]
    for data, words in (
        ({"call_range": "5OO-599"}, "first end is not a call number, &#x27;5OO&#x27;"),
        ({"call_range": "600-500"}, "600 comes after 500 on the shelf"),
        ({"preset": "", "age_years": ""}, "Choose at least one criterion"),
        ({"preset": "crew", "age_years": "5"}, "Choose a preset or your own criteria, not both."),
        ({"location": "zzz"}, "NES has no location &#x27;ZZZ&#x27;"),
    ):
        response = client.post(
            "/staff/weeding/", {"site": "NES", "call_range": "500-599", "preset": "crew", **data}
        )
        assert response.status_code == 200, data
        assert words in response.content.decode(), data
    assert WeedingList.objects.count() == 1


def test_the_review_answers_each_button_and_scan_in_place(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    number = built(client)
    ids = entry_ids(number)
    row = client.post(
        f"/staff/weeding/{number}/decide/",
        {"entry": ids["WRN1"], "decision": "keep"},
        **HTMX,
    ).content.decode()
    assert "<html" not in row and row.lstrip().startswith(f'<tr id="entry-{ids["WRN1"]}"')
    assert 'class="decision-keep"' in row and 'hx-swap-oob="true"' in row
    assert "0 to withdraw, 1 to keep, 1 undecided." in row
    panel = client.post(
        f"/staff/weeding/{number}/scan/", {"barcode": "OLD1", "decision": "withdraw"}, **HTMX
    ).content.decode()
    assert 'id="weeding-scan"' in panel and "OLD1</span>: Marked: Withdraw." in panel
    assert f'<template><tr id="entry-{ids["OLD1"]}" class="decision-withdraw"' in panel
    assert "1 to withdraw, 1 to keep, 0 undecided." in panel
    for barcode, words in (
        ("NEW1", "NEW1 is not on weeding list"),
        ("S1", "S1 is not on weeding list"),
        ("NOPE", "No item has the barcode NOPE"),
        ("", "Scan an item&#x27;s barcode"),
    ):
        panel = client.post(
            f"/staff/weeding/{number}/scan/", {"barcode": barcode}, **HTMX
        ).content.decode()
        assert words in panel and 'role="alert"' in panel, barcode
    # Without htmx: a redirect, and the answer as a message.
    response = client.post(f"/staff/weeding/{number}/scan/", {"barcode": "OLD1"})
    assert response.status_code == 302
    assert "Already marked: Withdraw." in client.get(response["Location"]).content.decode()
    response = client.post(
        f"/staff/weeding/{number}/decide/", {"entry": ids["OLD1"], "decision": "burn"}
    )
    assert "not a decision" in client.get(response["Location"]).content.decode()


def test_the_printed_list_is_in_shelf_order_with_boxes_to_tick(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    number = built(client)
    body = client.get(f"/staff/weeding/{number}/print/").content.decode()
    assert 'class="printable weeding-sheet"' in body and "data-print" in body
    assert body.index("550 EAR") < body.index("599.75 OLD")
    assert body.count('<span class="tick"') == 4  # keep or withdraw, for each of the two
    only = client.get(f"/staff/weeding/{number}/print/?only=withdraw").content.decode()
    assert "No entries here." in only


def test_applying_asks_for_a_reason_then_withdraws_and_the_list_says_what_happened(
    client_as, shelf, cli_actor
):
    client = client_as(Role.TECHNICIAN)
    number = built(client)
    client.post(f"/staff/weeding/{number}/decide-all/", {"decision": "withdraw"})
    check_out(actor=cli_actor, patron_barcode="P100", item_barcode="WRN1", at=NOW)
    confirm = client.get(f"/staff/weeding/{number}/apply/").content.decode()
    assert "2 items will be withdrawn" in confirm
    refused = client.post(f"/staff/weeding/{number}/apply/", {"reason": ""}).content.decode()
    assert "This field is required." in refused
    response = client.post(f"/staff/weeding/{number}/apply/", {"reason": "Outdated"})
    body = client.get(response["Location"]).content.decode()
    assert "1 item withdrawn. 1 could not be withdrawn now: see the list." in body
    assert "checked out since the list was built" in body
    assert Item.objects.get(barcode="OLD1").status == "withdrawn"
    assert "Outdated" in body and 'name="decision"' not in body  # read-only now
    again = client.get(f"/staff/weeding/{number}/apply/")
    assert again.status_code == 302
    lists = client.get("/staff/weeding/").content.decode()
    assert "Applied: 1 withdrawn" in lists


def test_an_items_care_page_sends_to_repair_marks_damaged_and_shows_the_history(
    client_as, shelf, cli_actor
):
    client = client_as(Role.TECHNICIAN)
    edit = client.get("/staff/items/OLD1/edit/").content.decode()
    assert 'href="/staff/items/OLD1/care/"' in edit
    response = client.post("/staff/items/OLD1/care/", {"action": "repair", "note": "Loose spine"})
    body = client.get(response["Location"]).content.decode()
    assert "Sent to repair: it is off the shelf until it is back." in body
    assert "Item sent to repair" in body and "Loose spine" in body
    assert "Back from repair" in body  # the one move left
    response = client.post("/staff/items/OLD1/care/", {"action": "back", "condition": "fair"})
    assert "on the shelf again" in client.get(response["Location"]).content.decode()
    check_out(actor=cli_actor, patron_barcode="P100", item_barcode="OLD1", at=NOW)
    page = client.get("/staff/items/OLD1/care/").content.decode()
    assert "Last borrower: Ana Reyes (P100)." in page
    too_much = client.post(
        "/staff/items/OLD1/care/", {"action": "damaged", "note": "Wet", "charge": "20.00"}
    ).content.decode()
    assert "at most the item&#x27;s price, 15.00" in too_much
    response = client.post(
        "/staff/items/OLD1/care/", {"action": "damaged", "note": "Wet", "charge": "7.50"}
    )
    body = client.get(response["Location"]).content.decode()
    assert "Marked damaged. 7.50 charged to Ana Reyes." in body
    assert balance(Item.objects.get(barcode="OLD1").loans.get().patron_id) == Decimal("7.50")
    assert "Checked out" in body and "Item marked damaged" in body
    bad = client.post("/staff/items/OLD1/care/", {"action": "repair"})
    assert "cannot send to repair" in client.get(bad["Location"]).content.decode()


def test_who_sees_weeding_and_item_care(client_as, shelf, district):
    helper = client_as(Role.STUDENT_HELPER)
    home = helper.get("/staff/").content.decode()
    assert 'href="/staff/weeding/"' not in home and 'href="/staff/shelf-reading/"' in home
    assert helper.get("/staff/weeding/").status_code == 403
    care = helper.get("/staff/items/OLD1/care/").content.decode()
    assert "Send to repair" in care and "Charge (optional)" not in care  # no money for helpers
    teacher = client_as(Role.TEACHER)
    assert teacher.get("/staff/items/OLD1/care/").status_code == 403
    technician = client_as(Role.TECHNICIAN)
    number = built(technician)
    assert technician.get(f"/staff/weeding/{number + 1}/").status_code == 404


def test_the_weeding_pages_are_in_spanish(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    number = built(client)
    client.cookies["django_language"] = "es"
    lists = client.get("/staff/weeding/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Crear una lista de expurgo" in lists
    body = client.get(f"/staff/weeding/{number}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Imprimir en el orden de los estantes" in body
    assert "0 para dar de baja, 0 para conservar, 2 sin decidir." in body


def test_every_crew_row_has_words_on_the_staff_side():
    from octavo.holdings.weeding_rules import CREW_CLASSES, CREW_SECTIONS

    labels = {row.label for row in CREW_CLASSES} | {label for label, _ in CREW_SECTIONS.values()}
    assert labels == set(weeding_views.CREW_WORDS)
