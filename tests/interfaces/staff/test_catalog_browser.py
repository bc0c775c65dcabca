"""A technician in a real Chromium: search the catalog, narrow by a facet, open a record, add
two copies by barcode range. Screenshots of the search and record pages go to test-artifacts/."""

from __future__ import annotations

import pytest
from tests.conftest import PASSWORD, T0

# The browser, and the audit log's triggers around a live server's flush, as the staff browser
# test sets them up (importing that module also skips this one when there is no Chromium).
from tests.interfaces.staff.test_staff_browser import (  # noqa: F401
    ARTIFACTS,
    _audit_triggers_back,
    _flushable_audit_log,
    browser_page,
)

from octavo.catalog import search_index
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.shared.actor import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def shelf(district, locations, cli_actor):
    cat = create_record(
        actor=cli_actor,
        fields=RecordFields(
            title="The cat in the hat",
            responsibility="by Dr. Seuss",
            authors=("Seuss, Dr.",),
            publisher="Random House",
            year=1957,
            isbns=("039480001X",),
            subjects=("Cats -- Fiction", "Stories in rhyme"),
            series=("Beginner books",),
            summary="Two children home alone on a rainy day meet a cat who makes a mess.",
            reading_level="Grades K-2",
            call_number="E SEU",
        ),
        at=T0,
    )
    create_record(
        actor=cli_actor,
        fields=RecordFields(
            title="El gato ensombrerado", authors=("Seuss, Dr.",), year=1967, language="spa"
        ),
        at=T0,
    )
    north = ItemFields(site_code="NES", location_code="FIC", call_prefix="E", call_cutter="SEU")
    add_items(actor=cli_actor, record_id=cat.pk, barcodes=["NES-1"], fields=north, at=T0)
    add_items(
        actor=cli_actor,
        record_id=cat.pk,
        barcodes=["SES-1"],
        fields=ItemFields(site_code="SES", location_code="REF", call_prefix="E", status="lost"),
        at=T0,
    )
    yield cat
    # The live server's flush empties the tables but not SQLite's full-text index.
    search_index.remove(Record.objects.values_list("id", flat=True))


def test_technician_finds_a_record_and_adds_two_copies(
    live_server,
    district,
    shelf,
    browser_page,  # noqa: F811 - the imported fixture
):
    page = browser_page
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(district.users[Role.TECHNICIAN].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.get_by_label("Search the catalog").fill("seuss")
    page.get_by_label("Search the catalog").press("Enter")
    expect(page.get_by_role("status")).to_have_text("2 records found")
    facets = page.get_by_role("navigation", name="Narrow the results")
    expect(facets.get_by_role("link", name="Spanish (1)")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-catalog-search.png"), full_page=True)

    facets.get_by_role("link", name="English (1)").click()
    expect(page.get_by_role("status")).to_have_text("1 record found")
    page.get_by_role("link", name="The cat in the hat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The cat in the hat")

    page.get_by_role("link", name="Add items").first.click()
    page.get_by_label("Barcode").fill("NES-2")
    page.get_by_label("How many items").fill("2")
    page.get_by_label("Location").select_option(label="FIC Fiction")
    page.get_by_role("button", name="Add items").click()
    expect(page.get_by_role("status")).to_contain_text("2 items added: NES-2 to NES-3.")
    expect(page.get_by_role("heading", name="4 items")).to_be_visible()
    assert Item.objects.filter(record=shelf, site__code="NES").count() == 3
    page.screenshot(path=str(ARTIFACTS / "staff-catalog-record.png"), full_page=True)
