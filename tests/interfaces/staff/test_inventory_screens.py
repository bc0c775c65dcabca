"""The inventory screens through the Django test client: start, the scanning page (htmx, two
people at once), a scanner file's bad lines, the report and its actions, finish, who sees what."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.services import check_out, mark_lost
from octavo.fines.selectors import balance
from octavo.holdings.models import Inventory, InventoryScan, Item
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.staff import inventory_views
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

MORNING = T0.replace(hour=15)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shelf(district, cli_actor, monkeypatch):
    """NES: B1-B3 on the shelf, C1 checked out, L1 lost (charged 9.50); SES: S1."""
    monkeypatch.setattr(inventory_views, "now", lambda: MORNING + timedelta(days=1))
    record = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["B1", "B2", "B3", "C1", "L1"],
        fields=ItemFields(site_code="NES", call_prefix="E", call_cutter="LOB"),
        at=T0,
    )
    add_items(
        actor=cli_actor, record_id=record.pk, barcodes=["S1"], fields=ItemFields(site_code="SES"),
        at=T0,
    )  # fmt: skip
    patron = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P100", first_name="Ana", last_name="Reyes", patron_type="student",
            site_code="NES",
        ),
        at=T0,
    )  # fmt: skip
    Item.objects.filter(barcode="L1").update(price=Decimal("9.50"))
    for barcode in ("C1", "L1"):
        check_out(actor=cli_actor, patron_barcode="P100", item_barcode=barcode, at=MORNING)
    mark_lost(actor=cli_actor, item_barcode="L1", at=MORNING)
    return patron


def started(client: Client, **data: str) -> int:
    response = client.post("/staff/inventory/", {"site": "NES", **data})
    assert response.status_code == 302, response.content.decode()[:800]
    match = re.fullmatch(r"/staff/inventory/(\d+)/", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


def scan(client: Client, inventory_id: int, barcode: str) -> str:
    response = client.post(f"/staff/inventory/{inventory_id}/scan/", {"barcode": barcode}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_scanning_page_answers_each_scan_in_place(client_as, shelf) -> None:
    client = client_as(Role.TECHNICIAN)
    number = started(client)
    body = client.get(f"/staff/inventory/{number}/scan/").content.decode()
    assert 'id="desk-panel"' in body and "data-scan" in body and "staff/desk.js" in body
    panel = scan(client, number, "B1")
    assert "<html" not in panel  # the panel alone, swapped in place
    assert "On the shelf." in panel and "Owl at Home" in panel
    assert 'data-sound="/staff/desk/sounds/ok.wav"' in panel
    assert "Belongs to SES: take it off this shelf." in scan(client, number, "S1")
    assert "Checked out, yet on the shelf" in scan(client, number, "C1")
    assert "Marked lost, and found" in scan(client, number, "L1")
    assert "Unknown barcode" in scan(client, number, "39999000000008")
    panel = scan(client, number, "B#1")
    assert "Not a barcode" in panel and 'role="alert"' in panel
    assert "Already scanned in this inventory" in scan(client, number, "B1")
    # Without htmx, the same POST answers with a redirect back to the page.
    response = client.post(f"/staff/inventory/{number}/scan/", {"barcode": "B2"})
    assert response.status_code == 302 and response["Location"].endswith("/scan/")
    assert InventoryScan.objects.filter(inventory_id=number).count() == 6


def test_two_people_scan_at_once_each_seeing_their_own_lines(client_as, shelf, district):
    technician = client_as(Role.TECHNICIAN)
    number = started(technician)
    librarian = Client()
    librarian.force_login(district.users[Role.SITE_LIBRARIAN])
    librarian.post(f"/staff/inventory/{number}/scan/", {"device": "cart 2"})
    scan(technician, number, "B1")
    other = scan(librarian, number, "B2")
    assert "B2" in other and ">B1<" not in other
    assert "2 barcodes scanned so far" in other
    sources = {(s.source, s.scanned_by) for s in InventoryScan.objects.all()}
    assert sources == {("scanning page", "technician"), ("scanning page: cart 2", "site-librarian")}
    progress = technician.get(f"/staff/inventory/{number}/").content.decode()
    assert "2 of 3 items expected on the shelf scanned (66 %)" in progress
    assert "scanning page: cart 2" in progress


def test_a_scanner_files_bad_lines_are_listed_by_number(client_as, shelf) -> None:
    client = client_as(Role.TECHNICIAN)
    number = started(client)
    upload = SimpleUploadedFile("cart-3.txt", b"Barcode\r\nB1\r\n\r\nB1\r\nB#2\r\nZZ9\r\n")
    body = client.post(f"/staff/inventory/{number}/upload/", {"scans": upload}).content.decode()
    assert (
        "6 lines: 2 barcodes recorded (1 of them unknown), 1 already scanned, 2 lines skipped, "
        "1 blank." in body
    )
    rows = re.findall(
        r"<td>(\d+)</td>\s*<td class=\"barcode\">([^<]*)</td>\s*<td>([^<]*)</td>", body
    )
    assert [(line, words) for line, _, words in rows] == [
        ("1", "A column heading, not a barcode"),
        ("5", "Not a barcode: it has characters a barcode never has"),
        ("6", "No item has this barcode: recorded, listed as unknown"),
    ]


def test_the_report_acts_on_its_lines_and_finishing_marks_the_missing(client_as, shelf) -> None:
    client = client_as(Role.TECHNICIAN)
    number = started(client)
    for barcode in ("B1", "C1", "L1", "S1", "ZZ9"):
        scan(client, number, barcode)
    report = client.get(f"/staff/inventory/{number}/report/").content.decode()
    for kind, count in (
        ("missing", 2),
        ("misplaced", 1),
        ("checked_out_on_shelf", 1),
        ("found", 1),
        ("unknown", 1),
    ):
        assert re.search(rf'<h2 id="{kind}">[^<]*<span class="badge">{count}</span>', report)
    assert report.count('name="action" value="checkin"') == 1
    assert report.count('name="action" value="restore"') == 1

    data = {"barcode": "C1", "action": "checkin"}
    response = client.post(f"/staff/inventory/{number}/resolve/", data)
    assert response["Location"].endswith("/report/#checked_out_on_shelf")
    body = client.get(response["Location"]).content.decode()
    assert "C1 checked in. Its loan has ended." in body
    data = {"barcode": "L1", "action": "restore"}
    body = client.get(
        client.post(f"/staff/inventory/{number}/resolve/", data)["Location"]
    ).content.decode()
    assert "The lost charge is credited back: 9.50." in body
    assert balance(shelf.pk) == Decimal("0.00")
    data = {"barcode": "B1", "action": "restore"}
    body = client.get(
        client.post(f"/staff/inventory/{number}/resolve/", data)["Location"]
    ).content.decode()
    assert "B1 is not lost or missing but scanned on the shelf" in body

    csv_text = client.get(f"/staff/inventory/{number}/report.csv").content.decode()
    assert csv_text.splitlines()[0] == (
        "list,barcode,title,call_number,site,location,status,last_seen"
    )
    assert "misplaced,S1,Owl at Home,,SES,,available," in csv_text
    assert "unknown,ZZ9,,,,,," in csv_text

    confirm = client.get(f"/staff/inventory/{number}/finish/").content.decode()
    assert "2 items expected on the shelf were not scanned: they will be marked missing." in (
        confirm
    )
    done = client.post(f"/staff/inventory/{number}/finish/")
    body = client.get(done["Location"]).content.decode()
    assert "Inventory finished: 2 items marked missing." in body
    assert "As recorded when the inventory was finished" in body
    assert set(Item.objects.filter(status="missing").values_list("barcode", flat=True)) == {
        "B2",
        "B3",
    }
    assert Inventory.objects.get(pk=number).status == "finished"
    assert 'value="checkin"' not in body  # a finished report has no actions


def test_an_inventory_started_by_mistake_is_cancelled_marking_nothing(
    client_as, shelf, district
) -> None:
    client = client_as(Role.TECHNICIAN)
    number = started(client)
    confirm = client.get(f"/staff/inventory/{number}/finish/").content.decode()
    assert f'action="/staff/inventory/{number}/cancel/"' in confirm
    helper = Client()
    helper.force_login(district.users[Role.STUDENT_HELPER])
    assert helper.post(f"/staff/inventory/{number}/cancel/").status_code == 403
    done = client.post(f"/staff/inventory/{number}/cancel/", follow=True)
    body = done.content.decode()
    assert f"Inventory {number} cancelled: no item was marked missing." in body
    assert "nothing was marked" in body
    assert not Item.objects.filter(status="missing").exists()
    assert Inventory.objects.get(pk=number).status == "cancelled"
    again = client.post(f"/staff/inventory/{number}/cancel/", follow=True).content.decode()
    assert "was cancelled on" in again  # said, not a server error
    assert "Cancelled" in client.get("/staff/inventory/").content.decode()


def test_a_student_helper_scans_but_neither_starts_nor_reads_the_report(
    client_as, shelf, district
) -> None:
    number = started(client_as(Role.TECHNICIAN))
    helper = Client()
    helper.force_login(district.users[Role.STUDENT_HELPER])
    listing = helper.get("/staff/inventory/").content.decode()
    assert 'href="/staff/inventory/"' in listing  # the navigation link
    assert "Start an inventory" not in listing and f">{number}<" in listing
    assert "On the shelf." in scan(helper, number, "B1")
    assert helper.get(f"/staff/inventory/{number}/report/").status_code == 403
    assert helper.post(f"/staff/inventory/{number}/finish/").status_code == 403
    assert helper.post("/staff/inventory/", {"site": "NES"}).status_code == 403
    teacher = Client()
    teacher.force_login(district.users[Role.TEACHER])
    assert teacher.get("/staff/inventory/").status_code == 403
    assert 'href="/staff/inventory/"' not in teacher.get("/staff/").content.decode()


def test_a_range_that_cannot_be_read_is_shown_on_the_form(client_as, shelf) -> None:
    client = client_as(Role.TECHNICIAN)
    data = {"site": "NES", "range_first": "600", "range_last": "500"}
    body = client.post("/staff/inventory/", data).content.decode()
    assert "600 comes after 500 on the shelf" in body
    assert not Inventory.objects.exists()
    number = started(client, location="", range_first="E A", range_last="E M")
    assert Inventory.objects.get(pk=number).range_last == "E M"


def test_the_inventory_pages_speak_spanish(client_as, shelf) -> None:
    client = client_as(Role.TECHNICIAN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    number = started(client)
    body = client.get(f"/staff/inventory/{number}/").content.decode()
    assert "Se inició el inventario de NES. Escanee los estantes o suba un archivo." in body
    assert "Escanear los estantes" in body and "Scan the shelves" not in body
    panel = scan(client, number, "S1")
    assert "Pertenece a SES: retírelo de este estante." in panel
