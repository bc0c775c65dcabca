"""Every role (and an anonymous visitor) against every staff catalog URL, GET and POST.

The expected statuses are written out by hand from issue #3 and the role table in MISSION.md,
not computed from octavo.accounts.rules: a wrong rule must fail here. Everyone on the staff side
may search and read the catalog; technicians, site librarians and district admins catalog, and
add or change items only at their own sites (a district admin: anywhere).
"""

from __future__ import annotations

import pymarc
import pytest
from tests.conftest import T0

from octavo.catalog.marc_text import to_text
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db

ANON = None
# Column order of the table below.
WHO = [
    ANON,
    Role.STUDENT,
    Role.PARENT,
    Role.STUDENT_HELPER,
    Role.TEACHER,
    Role.TECHNICIAN,
    Role.SITE_LIBRARIAN,
    Role.DISTRICT_ADMIN,
]

# Expected status for each visitor. {R} is a record with one item at NES (NES-1) and one at SES
# (SES-1); "@SES" names the variant of the posted form (the site the new item is put at).
TABLE = """
                                            anon student parent helper teacher tech lib admin
GET  /staff/catalog/                         302  403     403    200    200    200  200  200
GET  /staff/catalog/?q=cat&format=book       302  403     403    200    200    200  200  200
GET  /staff/catalog/new/                     302  403     403    403    403    200  200  200
POST /staff/catalog/new/                     302  403     403    403    403    302  302  302
GET  /staff/catalog/{R}/                     302  403     403    200    200    200  200  200
GET  /staff/catalog/999999/                  302  403     403    404    404    404  404  404
GET  /staff/catalog/{R}/edit/                302  403     403    403    403    200  200  200
POST /staff/catalog/{R}/edit/                302  403     403    403    403    302  302  302
GET  /staff/catalog/999999/edit/             302  403     403    403    403    404  404  404
GET  /staff/catalog/{R}/marc/                302  403     403    403    403    200  200  200
POST /staff/catalog/{R}/marc/                302  403     403    403    403    302  302  302
GET  /staff/catalog/{R}/items/new/           302  403     403    403    403    200  200  200
POST /staff/catalog/{R}/items/new/ @NES      302  403     403    403    403    302  302  302
POST /staff/catalog/{R}/items/new/ @SES      302  403     403    403    403    200  200  302
GET  /staff/items/NES-1/edit/                302  403     403    403    403    200  200  200
POST /staff/items/NES-1/edit/                302  403     403    403    403    302  302  302
GET  /staff/items/SES-1/edit/                302  403     403    403    403    403  403  200
POST /staff/items/SES-1/edit/                302  403     403    403    403    403  403  302
GET  /staff/items/NOPE/edit/                 302  403     403    403    403    404  404  404
"""

CAT = RecordFields(title="The cat in the hat", authors=("Seuss, Dr.",), year=1957)


def _record_form(record: Record) -> dict[str, str]:
    return {"title": record.title, "authors": "Seuss, Dr.", "year": "1957", "edition": "2nd ed."}


def _marc_text(record: Record) -> dict[str, str]:
    text = to_text(pymarc.Record(bytes(record.marc), force_utf8=True))
    return {"marc": text.replace("$aThe cat in the hat", "$aThe cat in the hat comes back")}


def _item_form(site: str):
    def data(record: Record) -> dict[str, str]:
        return {"barcode": "NEW-1", "count": "1", "site": site, "status": "available"}

    return data


def _item_edit(site: str):
    def data(record: Record) -> dict[str, str]:
        return {"site": site, "status": "in_repair", "public_note": "Being mended"}

    return data


# What each form is sent: valid input, so only permission decides the answer.
POSTED = {
    "/staff/catalog/new/": lambda record: {"title": "Frog and Toad are friends"},
    "/staff/catalog/{R}/edit/": _record_form,
    "/staff/catalog/{R}/marc/": _marc_text,
    "/staff/catalog/{R}/items/new/ @NES": _item_form("NES"),
    "/staff/catalog/{R}/items/new/ @SES": _item_form("SES"),
    "/staff/items/NES-1/edit/": _item_edit("NES"),
    "/staff/items/SES-1/edit/": _item_edit("SES"),
}


@pytest.fixture
def record(district, cli_actor) -> Record:
    cat = create_record(actor=cli_actor, fields=CAT, at=T0)
    for site in ("NES", "SES"):
        add_items(
            actor=cli_actor,
            record_id=cat.pk,
            barcodes=[f"{site}-1"],
            fields=ItemFields(site_code=site),
            at=T0,
        )
    return cat


def _cases():
    for line in TABLE.strip().splitlines()[1:]:
        method, url, *rest = line.split()
        variant = rest.pop(0) if rest[0].startswith("@") else ""
        assert len(rest) == len(WHO), line
        for who, status in zip(WHO, rest, strict=True):
            name = who.value if who else "anonymous"
            key = f"{url} {variant}".strip()
            yield pytest.param(method, url, key, who, int(status), id=f"{method} {key} {name}")


@pytest.mark.parametrize(("method", "url", "key", "who", "expected"), list(_cases()))
def test_catalog_url_answers_each_role_as_the_table_says(
    method, url, key, who, expected, client_as, record
):
    client = client_as(who)
    target = url.format(R=record.pk)
    posted = POSTED[key](record) if method == "POST" else None
    response = client.post(target, posted) if posted is not None else client.get(target)
    assert response.status_code == expected, f"{method} {target} as {who}"
    if who is ANON:
        assert response["Location"].startswith("/staff/login/")
    if expected == 403:
        assert "Not available" in response.content.decode()
    saved = method == "POST" and expected == 302 and who is not ANON
    if "items/new" in key and method == "POST":  # a refused or corrected form adds nothing
        assert Item.objects.filter(barcode="NEW-1").exists() == saved
    if key == "/staff/items/SES-1/edit/" and method == "POST":
        assert Item.objects.get(barcode="SES-1").status == ("in_repair" if saved else "available")


def test_a_teacher_reads_the_record_without_any_way_to_change_it(client_as, record):
    body = client_as(Role.TEACHER).get(f"/staff/catalog/{record.pk}/").content.decode()
    assert "The cat in the hat" in body
    for link in ("/edit/", "/marc/", "/items/new/", "Add a record"):
        assert link not in body


def test_a_student_helper_searches_without_an_add_record_button(client_as, record):
    body = client_as(Role.STUDENT_HELPER).get("/staff/catalog/?q=cat").content.decode()
    assert f'href="/staff/catalog/{record.pk}/"' in body
    assert "/staff/catalog/new/" not in body


def test_a_refused_marc_edit_changes_nothing(client_as, record):
    before = bytes(record.marc)
    client_as(Role.TEACHER).post(f"/staff/catalog/{record.pk}/marc/", _marc_text(record))
    record.refresh_from_db()
    assert bytes(record.marc) == before
