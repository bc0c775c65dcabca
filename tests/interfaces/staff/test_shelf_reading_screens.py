"""The shelf reading screen through the Django test client: choose the shelves, scan the books in
the order they stand (htmx answers with the panel alone), and read which are out of order and
where they belong, which do not belong here, which scans were not read; take back a scan, paste a
scanner's lines, start over; who may read shelves."""

from __future__ import annotations

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.services import add_location
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SHELF = [  # barcode, call number, site
    ("A1", "500 ABC", "NES"),
    ("A2", "510 MAT", "NES"),
    ("A3", "520 AST", "NES"),
    ("A4", "530.1 PHY", "NES"),
    ("A5", "599.75 SMI", "NES"),
    ("W1", "540 CHE", "NES"),  # withdrawn
    ("S1", "525 SOU", "SES"),
]


@pytest.fixture
def shelf(district, cli_actor):
    add_location(actor=cli_actor, site=district.north, code="SCI", name="Science", at=T0)
    for barcode, call, site in SHELF:
        record = create_record(actor=cli_actor, fields=RecordFields(title=f"Book {call}"), at=T0)
        number, cutter = call.split(" ")
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[barcode],
            fields=ItemFields(
                site_code=site,
                location_code="SCI" if site == "NES" else "",
                call_class=number,
                call_cutter=cutter,
            ),
            at=T0,
        )
    Item.objects.filter(barcode="W1").update(status="withdrawn")


def start(client, **data) -> None:
    response = client.post("/staff/shelf-reading/", {"action": "start", "site": "NES", **data})
    assert response.status_code == 302, response.content.decode()[:1500]


def scan(client, barcode: str) -> str:
    response = client.post("/staff/shelf-reading/", {"barcode": barcode}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_one_book_out_of_order_is_flagged_with_where_it_belongs(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    assert "Which shelves" in client.get("/staff/shelf-reading/").content.decode()
    start(client)
    page = client.get("/staff/shelf-reading/").content.decode()
    assert 'id="desk-panel"' in page and "data-scan" in page and "staff/desk.js" in page
    for barcode in ("A1", "A5", "A2", "A3"):
        panel = scan(client, barcode)
    assert "<html" not in panel
    assert "1 book out of order." in panel
    assert "Belongs after 520 AST (#4), further along." in panel  # 599.75 was put back too early
    assert 'data-sound="/staff/desk/sounds/ok.wav"' in panel
    panel = scan(client, "A4")
    assert "Belongs after 530.1 PHY (#5), further along." in panel
    assert panel.count("Nothing to do.") == 4 + 1  # the rows, and the latest scan's headline
    # The next shelf: a book put back between two others is named with both of them.
    client.post("/staff/shelf-reading/", {"action": "restart"}, **HTMX)
    for barcode in ("A1", "A3", "A4", "A2", "A5"):
        panel = scan(client, barcode)
    assert "1 book out of order." in panel
    assert "Belongs after 500 ABC (#1) and before 520 AST (#2)." in panel


def test_books_that_do_not_belong_and_bad_scans_are_named_and_left_out_of_the_order(
    client_as, shelf
):
    client = client_as(Role.STUDENT_HELPER)  # student helpers shelve and read shelves
    start(client, location="sci")
    scan(client, "A1")
    assert "Belongs to SES: take it off this shelf." in scan(client, "S1")
    assert "Withdrawn: take it off the shelf." in scan(client, "W1")
    assert "No item has this barcode" in scan(client, "ZZ9")
    panel = scan(client, "A#1")
    assert "is not a barcode" in panel and 'role="alert"' in panel
    assert 'data-sound="/staff/desk/sounds/block.wav"' in panel
    assert "Scanned already: counted once." in scan(client, "A1")
    panel = scan(client, "A2")
    assert "0 books out of order." in panel
    assert "4 that do not belong here or were not read." in panel
    # Take back the last scan; paste a portable scanner's lines; start over.
    panel = client.post("/staff/shelf-reading/", {"action": "undo"}, **HTMX).content.decode()
    assert "6 scans so far" in panel
    panel = client.post(
        "/staff/shelf-reading/", {"action": "paste", "scans": "A3\r\n\r\nA2\r\n"}, **HTMX
    ).content.decode()
    assert "8 scans so far" in panel and "1 book out of order." in panel
    panel = client.post("/staff/shelf-reading/", {"action": "restart"}, **HTMX).content.decode()
    assert "0 scans so far" in panel
    # Without htmx: the same POST, and a redirect back.
    response = client.post("/staff/shelf-reading/", {"barcode": "A1"})
    assert response.status_code == 302
    assert "1 scan so far" in client.get("/staff/shelf-reading/").content.decode()
    client.post("/staff/shelf-reading/", {"action": "change"})
    assert "Which shelves" in client.get("/staff/shelf-reading/").content.decode()


def test_a_location_the_site_does_not_have_is_named(client_as, shelf):
    client = client_as(Role.TECHNICIAN)
    response = client.post(
        "/staff/shelf-reading/", {"action": "start", "site": "NES", "location": "zzz"}
    )
    assert response.status_code == 200
    assert "NES has no location &#x27;ZZZ&#x27;" in response.content.decode()


def test_who_may_read_shelves(client_as, shelf):
    assert client_as(Role.TEACHER).get("/staff/shelf-reading/").status_code == 403
    helper = client_as(Role.STUDENT_HELPER)
    form = helper.get("/staff/shelf-reading/").content.decode()
    assert '<option value="NES"' in form and '<option value="SES"' not in form
    response = helper.post("/staff/shelf-reading/", {"action": "start", "site": "SES"})
    assert response.status_code == 200  # not a site of theirs: the form says so
    assert "Select a valid choice" in response.content.decode()
