"""The saved label batches' pages: who may open them, starting a batch, adding pasted or scanned
barcodes with every line left out named, taking out, emptying, deleting, and printing a batch
from the labels page; another site's technician sees none of it; in English and Spanish."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from tests.conftest import PASSWORD, T0

from octavo.accounts.services import create_user
from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.labels import batches
from octavo.holdings.models import LabelBatch, LabelBatchItem
from octavo.holdings.services import ItemFields, add_items
from octavo.shared.actor import Role
from octavo.shared.barcodes import barcode_range

pytestmark = pytest.mark.django_db

BARCODES = barcode_range("31234000000016", 3)

# anon student parent helper teacher tech lib admin
ACCESS = {
    "GET /staff/labels/batches/": "302 403 403 403 403 200 200 200",
    "GET /staff/labels/batches/{north}/": "302 403 403 403 403 200 200 200",
    "GET /staff/labels/batches/{south}/": "302 403 403 403 403 403 403 200",
    "POST /staff/labels/batches/{south}/empty/": "302 403 403 403 403 403 403 302",
}
WHO = [None, Role.STUDENT, Role.PARENT, Role.STUDENT_HELPER, Role.TEACHER, Role.TECHNICIAN,
       Role.SITE_LIBRARIAN, Role.DISTRICT_ADMIN]  # fmt: skip


@pytest.fixture
def copies(district, cli_actor):
    """Three copies of a record at North Elementary (the last with no call number) and one
    at South."""
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
    for barcodes, site in ((BARCODES[2:], "NES"), (["S-0001"], "SES")):
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=barcodes,
            fields=ItemFields(site_code=site),
            at=T0,
        )
    return record


@pytest.fixture
def south_batch(copies, cli_actor) -> int:
    batch = batches.create_batch(actor=cli_actor, name="South shelf", site_code="SES", at=T0)
    batches.add_to_batch(actor=cli_actor, batch_id=batch.pk, lines=["S-0001"], at=T0)
    return batch.pk


def _north_batch(cli_actor, lines=()) -> int:
    batch = batches.create_batch(
        actor=cli_actor, name="New books, December", site_code="NES", at=T0
    )
    if lines:
        batches.add_to_batch(actor=cli_actor, batch_id=batch.pk, lines=list(lines), at=T0)
    return batch.pk


@pytest.mark.parametrize("who", WHO, ids=lambda w: w.value if w else "anon")
def test_batch_pages_answer_each_role_as_the_table_says(
    client_as, cli_actor, south_batch, who
) -> None:
    ids = {"north": _north_batch(cli_actor, [BARCODES[0]]), "south": south_batch}
    client = client_as(who)
    index = WHO.index(who)
    for request, statuses in ACCESS.items():
        method, path = request.split()
        path = path.format(**ids)
        expected = int(statuses.split()[index])
        response = client.get(path) if method == "GET" else client.post(path)
        assert response.status_code == expected, (request, who)


def test_a_technician_starts_a_batch_for_their_site(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    html = client.get("/staff/labels/batches/").content.decode()
    assert "No saved batches yet." in html
    assert '<option value="NES"' in html and '<option value="SES"' not in html
    assert "Whole district" not in html  # a district-wide batch is a district admin's
    response = client.post("/staff/labels/batches/", {"name": "New books, December", "site": "NES"})
    batch = LabelBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/labels/batches/{batch.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "<h1>New books, December</h1>" in html
    assert "Batch New books, December started." in html
    assert "No items in this batch yet" in html
    assert "autofocus" in html  # the scanner types into the box at once
    html = client.post("/staff/labels/batches/", {"name": " ", "site": "NES"}).content.decode()
    assert "This field is required." in html and LabelBatch.objects.count() == 1


def test_pasted_barcodes_are_added_and_every_line_left_out_is_shown(client_as, copies) -> None:
    client = client_as(Role.TECHNICIAN)
    client.post("/staff/labels/batches/", {"name": "New books, December", "site": "NES"})
    url = f"/staff/labels/batches/{LabelBatch.objects.get().pk}/"
    pasted = f"{BARCODES[1]}\r\n\r\n{BARCODES[0]}  \r\n{BARCODES[1]}\r\nNOPE-1\r\nS-0001\r\n"
    response = client.post(url, {"barcodes": pasted})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 items added" in html and "4 lines not added" in html
    left_out = html[html.index("lines not added") : html.index('id="items"')]
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", left_out)
    assert rows == [
        ("2", "—", "Blank line"),
        ("4", BARCODES[1], "Already listed on line 1"),
        ("5", "NOPE-1", "No item has this barcode"),
        ("6", "S-0001", "Belongs to SES, not to this batch&#x27;s site"),
    ]
    items = html[html.index('id="items"') :]
    assert "2 items in the batch" in items
    # In the order scanned, with call number and short title.
    assert items.index(BARCODES[1]) < items.index(BARCODES[0])
    assert "599.5 WHA" in items and "Whales of the world" in items
    assert "a guide" not in items
    assert f'href="/staff/labels/?batch={LabelBatch.objects.get().pk}"' in html
    # The box is empty again for the next scans; scanning the same again adds nothing.
    assert pasted.split("\r\n")[0] not in html[html.index("<textarea") : html.index("</textarea>")]
    html = client.post(url, {"barcodes": BARCODES[0]}).content.decode()
    assert "0 items added" in html and "Already in the batch" in html
    assert LabelBatchItem.objects.count() == 2


def test_taking_out_emptying_and_deleting_from_the_batch_page(client_as, copies, cli_actor) -> None:
    batch_id = _north_batch(cli_actor, BARCODES)
    url = f"/staff/labels/batches/{batch_id}/"
    client = client_as(Role.TECHNICIAN)
    response = client.post(f"{url}remove/", {"barcode": BARCODES[1]})
    assert response.status_code == 302 and response["Location"] == f"{url}#items"
    html = client.get(url).content.decode()
    assert f"{BARCODES[1]} taken out of the batch." in html
    assert "2 items in the batch" in html and f'id="item-{BARCODES[1]}"' not in html
    # Taken out already (a second click, another device): said on the page, not an error page.
    response = client.post(f"{url}remove/", {"barcode": BARCODES[1]}, follow=True)
    assert f"{BARCODES[1]} is not in the batch New books, December" in response.content.decode()
    client.post(f"{url}empty/")
    html = client.get(url).content.decode()
    assert "2 items taken out: the batch is empty." in html and "0 items in the batch" in html
    response = client.post(f"{url}delete/", follow=True)
    assert "Batch New books, December deleted." in response.content.decode()
    assert not LabelBatch.objects.exists()
    assert client.get(url).status_code == 404
    actions = list(
        AuditEntry.objects.filter(object_type="label_batch", actor_username="technician")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["label_batch.remove", "label_batch.empty", "label_batch.delete"]


def _print_form(batch_id: int, **changes: str) -> dict[str, str]:
    form = {
        "kind": "barcode",
        "stock": "avery-5160",
        "custom_size": "",
        "start": "1",
        "site": "NES",
        "source": "batch",
        "batch": str(batch_id),
        "barcodes": "",
        "added_since": "",
        "barcode_range": "",
        "record": "",
        "action": "print",
    }
    return form | changes


def test_a_batch_prints_from_the_labels_page(client_as, copies, cli_actor) -> None:
    batch_id = _north_batch(cli_actor, [BARCODES[2], BARCODES[0]])
    client = client_as(Role.TECHNICIAN)
    html = client.get(f"/staff/labels/?batch={batch_id}").content.decode()
    assert re.search(r'value="batch"[^>]*checked', html)
    assert (
        f'<option value="{batch_id}" selected>New books, December (NES, 2 items)</option>' in html
    )
    assert 'href="/staff/labels/batches/"' in html
    response = client.post("/staff/labels/", _print_form(batch_id))
    assert response["Content-Type"] == "application/pdf"
    page = pdfium.PdfDocument(response.content)[0]
    found = zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
    assert sorted(r.text[1:-1] for r in found) == sorted([BARCODES[2], BARCODES[0]])
    # The preview lays them out in the order they were added.
    html = client.post("/staff/labels/", _print_form(batch_id, action="preview")).content.decode()
    assert "2 labels (Barcode labels) on 1 page(s)" in html
    html = client.post(
        "/staff/labels/", _print_form(batch_id, kind="patron-card", action="preview")
    ).content.decode()
    assert "Patron cards are not printed from a saved batch." in html
    batches.empty_batch(actor=cli_actor, batch_id=batch_id, at=T0)
    html = client.post("/staff/labels/", _print_form(batch_id, action="preview")).content.decode()
    assert "Nothing to print: the batch is empty." in html


def test_another_sites_technician_sees_nothing_of_a_batch(client_as, district, south_batch) -> None:
    client = client_as(Role.TECHNICIAN)  # North Elementary's
    assert "South shelf" not in client.get("/staff/labels/batches/").content.decode()
    html = client.get(f"/staff/labels/?batch={south_batch}").content.decode()
    assert "South shelf" not in html and not re.search(r'value="batch"[^>]*checked', html)
    response = client.post("/staff/labels/", _print_form(south_batch))
    assert response["Content-Type"].startswith("text/html")
    assert "Select a valid choice" in response.content.decode()
    assert (
        client.post(f"/staff/labels/batches/{south_batch}/", {"barcodes": "S-0001"}).status_code
        == 403
    )
    assert client.post(f"/staff/labels/batches/{south_batch}/delete/").status_code == 403
    assert LabelBatchItem.objects.filter(batch_id=south_batch).count() == 1
    # South's own technician keeps it.
    south = create_user(
        actor=district.users[Role.DISTRICT_ADMIN].actor(),
        username="south-tech",
        role=Role.TECHNICIAN,
        site_codes=["SES"],
        password=PASSWORD,
        at=T0,
    )
    client.force_login(south)
    assert "South shelf" in client.get("/staff/labels/batches/").content.decode()


def test_the_batch_pages_speak_spanish(client_as, copies, cli_actor) -> None:
    batch_id = _north_batch(cli_actor, [BARCODES[0]])
    client = client_as(Role.TECHNICIAN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    html = client.get("/staff/labels/batches/").content.decode()
    assert "Lotes de etiquetas guardados" in html
    html = client.post(
        f"/staff/labels/batches/{batch_id}/", {"barcodes": f"{BARCODES[0]}\nNOPE-1"}
    ).content.decode()
    assert "Ya está en el lote" in html and "Ningún ejemplar tiene este código de barras" in html
    html = client.get("/staff/labels/").content.decode()
    assert "Un lote guardado" in html
