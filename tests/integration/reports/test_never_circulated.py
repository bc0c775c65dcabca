"""Never-circulated titles (issue #7) for the whole district, on the screen (cut at its rows)
and in a file (every row), and for one school: the same titles in the same order, each at its
first copy in call-number order, its call number that copy's whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.integration.reports.world import AT, BEFORE

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.services import ItemFields, add_items
from octavo.reports.selectors import run_report
from octavo.shared.actor import Actor

pytestmark = pytest.mark.django_db


def _copy(actor, record_id: int, barcode: str, site: str, prefix: str, klass: str, cutter: str):
    fields = ItemFields(
        site_code=site,
        call_prefix=prefix,
        call_class=klass,
        call_cutter=cutter,
        material_type="book",
        price=Decimal("9.99"),
    )
    add_items(actor=actor, record_id=record_id, barcodes=[barcode], fields=fields, at=BEFORE)


@pytest.fixture
def shelves(report_world, cli_actor):
    """Two more titles nobody borrowed: one with a copy in each school under different call
    numbers (North's in fiction, South's in 813.54), one atlas at South."""
    zebra = create_record(actor=cli_actor, fields=RecordFields(title="Zebra days"), at=BEFORE)
    atlas = create_record(actor=cli_actor, fields=RecordFields(title="Atlas of maps"), at=BEFORE)
    _copy(cli_actor, zebra.pk, "Z1", "NES", "FIC", "", "ZAN")
    _copy(cli_actor, zebra.pk, "Z2", "SES", "", "813.54", "ABE")
    _copy(cli_actor, atlas.pk, "A1", "SES", "", "912", "ATL")
    return report_world


def never(site: str = "", limit: int | None = None):
    return run_report(
        actor=Actor.command_line("test"),
        name="never-circulated",
        at=AT,
        site_code=site,
        limit=limit,
    )


def test_the_district_on_the_screen_and_in_the_file_agree(shelves) -> None:
    # The world's own never-lent title is "The hidden key" (FIC HID at North; South's copy
    # is lost); in call-number order a blank prefix comes first.
    whole = never()
    assert [(r[1], r[2], r[4]) for r in whole.rows] == [
        ("813.54 ABE", "Zebra days", 2),  # its first copy, not FIC's prefix with ABE
        ("912 ATL", "Atlas of maps", 1),
        ("FIC HID", "The hidden key", 1),
    ]
    assert not whole.truncated
    screen = never(limit=2)
    assert screen.rows == whole.rows[:2]
    assert screen.truncated


def test_a_school_counts_its_own_copies_and_check_outs(shelves) -> None:
    north = never("NES")
    assert [(r[1], r[2], r[4]) for r in north.rows] == [
        ("FIC HID", "The hidden key", 1),
        ("FIC ZAN", "Zebra days", 1),
    ]
    assert never("NES", limit=1).rows == north.rows[:1]
    # South lent "Frogs and toads" and "The night sky"; its other two titles never went out.
    assert [r[2] for r in never("SES").rows] == ["Zebra days", "Atlas of maps"]
