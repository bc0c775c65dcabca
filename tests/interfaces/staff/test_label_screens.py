"""The label screens: who may open them, the preview (the first page as it will print, with
the labels to check flagged and what was left out listed), the PDF, and a site's printer
offsets; in English and Spanish."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.models import LabelSettings
from octavo.holdings.services import ItemFields, add_items
from octavo.shared.actor import Role
from octavo.shared.barcodes import barcode_range

pytestmark = pytest.mark.django_db

BARCODES = barcode_range("31234000000016", 3)

# anon student parent helper teacher tech lib admin
ACCESS = {
    "GET /staff/labels/": "302 403 403 403 403 200 200 200",
    "GET /staff/labels/printers/": "302 403 403 403 403 200 200 200",
    "GET /staff/labels/printers/NES/": "302 403 403 403 403 200 200 200",
    "GET /staff/labels/printers/SES/": "302 403 403 403 403 403 403 200",
    "POST /staff/labels/printers/SES/": "302 403 403 403 403 403 403 302",
}
WHO = [None, Role.STUDENT, Role.PARENT, Role.STUDENT_HELPER, Role.TEACHER, Role.TECHNICIAN,
       Role.SITE_LIBRARIAN, Role.DISTRICT_ADMIN]  # fmt: skip
PRINTER = {
    "offset_x_mm": "1.5",
    "offset_y_mm": "-2",
    "symbology": "codabar",
    "codabar_start": "B",
    "codabar_stop": "B",
}


@pytest.fixture
def copies(district, cli_actor):
    record = create_record(
        actor=cli_actor, fields=RecordFields(title="Whales of the world : a guide"), at=T0
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=BARCODES[:2],
        fields=ItemFields(site_code="NES", call_class="599.5", call_cutter="WHA"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=BARCODES[2:],
        fields=ItemFields(site_code="NES", call_class="??? window seat"),
        at=T0,
    )
    return record


@pytest.mark.parametrize("who", WHO, ids=lambda w: w.value if w else "anon")
def test_label_pages_answer_each_role_as_the_table_says(client_as, district, who) -> None:
    client = client_as(who)
    index = WHO.index(who)
    for request, statuses in ACCESS.items():
        method, path = request.split()
        expected = int(statuses.split()[index])
        response = client.get(path) if method == "GET" else client.post(path, PRINTER)
        assert response.status_code == expected, (request, who)


def test_the_labels_link_is_shown_to_those_who_print_labels(client_as, district) -> None:
    assert 'href="/staff/labels/"' in client_as(Role.TECHNICIAN).get("/staff/").content.decode()
    client_as(None).logout()
    helper = client_as(Role.STUDENT_HELPER).get("/staff/").content.decode()
    assert 'href="/staff/labels/"' not in helper


def test_a_records_copies_are_one_click_from_their_labels(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    record_page = client.get(f"/staff/catalog/{copies.pk}/").content.decode()
    link = f'href="/staff/labels/?record={copies.pk}"'
    assert link in record_page
    form = client.get(f"/staff/labels/?record={copies.pk}").context["form"]
    assert (form.initial["source"], form.initial["record"]) == ("record", str(copies.pk))


def _form(**changes):
    form = {
        "kind": "spine-barcode",
        "stock": "avery-5160",
        "custom_size": "",
        "start": "2",
        "site": "NES",
        "source": "list",
        "barcodes": "",
        "added_since": "",
        "barcode_range": "",
        "record": "",
        "action": "preview",
    }
    return form | changes


def test_preview_flags_labels_to_check_and_lists_what_was_left_out(client_as, copies) -> None:
    lines = "\n".join([*BARCODES, "", BARCODES[0], "NOPE-1"])
    response = client_as(Role.TECHNICIAN).post("/staff/labels/", _form(barcodes=lines))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 labels (Spine and barcode on one label) on 1 page(s)" in html
    # The third copy's call number cannot be read: printed whole, flagged with its place.
    flagged = html[html.index("Labels to check before printing") :]
    assert BARCODES[2] in flagged and "page 1, label 4" in flagged
    assert "Printed whole: the call number could not be split into lines" in flagged
    assert "line 4: blank line" in html
    assert f"line 5: {BARCODES[0]}: already listed on line 1" in html
    assert "line 6: NOPE-1: no item with this barcode" in html
    # The sheet: 30 places, the first one already used, then the three labels.
    assert html.count('class="slot') == 30
    assert html.count('class="slot used"') == 1
    assert html.count('class="slot flagged"') == 1
    assert ">599.5<" in html and ">WHA<" in html and ">Whales of the world<" in html


def test_print_gives_the_pdf_whose_barcodes_scan(client_as, copies) -> None:
    form = _form(source="record", record=str(copies.pk), action="print", kind="barcode")
    response = client_as(Role.TECHNICIAN).post("/staff/labels/", form)
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    page = pdfium.PdfDocument(response.content)[0]
    found = zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
    assert sorted(r.text[1:-1] for r in found) == BARCODES


def test_choices_that_cannot_print_are_named_on_the_form(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    html = client.post("/staff/labels/", _form(source="range")).content.decode()
    assert "Fill this in for what you chose to print." in html
    html = client.post("/staff/labels/", _form(stock="custom")).content.decode()
    assert "Give the size of one label." in html
    html = client.post("/staff/labels/", _form(barcodes="NOPE-1")).content.decode()
    assert "Nothing to print: every barcode was left out." in html
    html = client.post("/staff/labels/", _form(barcodes=BARCODES[0], start="31")).content.decode()
    assert "start from 1 to 30" in html
    form = _form(stock="custom", custom_size="75x25mm", start="1", barcodes=BARCODES[0])
    html = client.post("/staff/labels/", form).content.decode()
    assert "Custom roll label, 2.953 x 0.984 in" in html


def test_a_site_printer_offsets_are_saved_audited_and_used(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    response = client.post("/staff/labels/printers/NES/", PRINTER)
    assert response.status_code == 302
    saved = LabelSettings.objects.get(site__code="NES")
    assert (str(saved.offset_x_mm), str(saved.offset_y_mm)) == ("1.5", "-2.0")
    entry = AuditEntry.objects.get(action="label_settings.update")
    assert entry.actor_username == "technician" and entry.source == "staff"
    listing = client.get("/staff/labels/printers/").content.decode()
    assert "1.5" in listing and "-2.0" in listing
    response = client.post(
        "/staff/labels/", _form(barcodes=BARCODES[0], kind="barcode", action="print")
    )
    found = zxingcpp.read_barcodes(
        pdfium.PdfDocument(response.content)[0].render(scale=300 / 72).to_pil()
    )
    assert [r.text for r in found] == [f"B{BARCODES[0]}B"]  # the site's start and stop


def test_offsets_out_of_reach_are_refused_on_the_form(client_as, copies) -> None:
    response = client_as(Role.TECHNICIAN).post(
        "/staff/labels/printers/NES/", PRINTER | {"offset_x_mm": "25"}
    )
    assert response.status_code == 200
    assert "rom -20 to 20 mm" in response.content.decode()
    assert not LabelSettings.objects.exists()


def test_the_label_screens_speak_spanish(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get("/staff/labels/").content.decode()
    assert "Etiquetas" in html and "Vista previa" in html
    html = client.post("/staff/labels/", _form(barcodes="\n".join(BARCODES))).content.decode()
    assert "Etiquetas que revisar antes de imprimir" in html
