"""Adding copies one at a time and by barcode range, and editing them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.services import add_location
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_item_range, add_items, update_item
from octavo.shared.actor import Role
from octavo.shared.errors import Duplicate, InvalidInput, OctavoError, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(district, cli_actor):
    add_location(actor=cli_actor, site=district.north, code="E", name="Easy", at=T0)
    return create_record(actor=cli_actor, fields=RecordFields(title="Owl moon"), at=T0)


NORTH_EASY = ItemFields(
    site_code="NES",
    location_code="E",
    call_prefix="E",
    call_cutter="YOL",
    price=Decimal("16.99"),
    acquired_on=date(2026, 9, 1),
)


def test_a_range_of_codabar_barcodes_makes_that_many_items(record, cli_actor) -> None:
    items = add_item_range(
        actor=cli_actor,
        record_id=record.pk,
        first_barcode="31234000000008",
        count=5,
        fields=NORTH_EASY,
        at=T0,
    )
    assert [i.barcode for i in items][:2] == ["31234000000008", "31234000000016"]
    assert Item.objects.filter(record=record).count() == 5
    item = Item.objects.get(barcode="31234000000008")
    assert (item.site.code, item.location.code, item.call_number, item.price) == (
        "NES",
        "E",
        "E YOL",
        Decimal("16.99"),
    )
    assert AuditEntry.objects.filter(action="item.create").count() == 5


def test_a_range_that_hits_a_used_barcode_adds_nothing(record, cli_actor) -> None:
    add_items(actor=cli_actor, record_id=record.pk, barcodes=["T-0003"], fields=NORTH_EASY, at=T0)
    with pytest.raises(Duplicate, match="T-0003"):
        add_item_range(
            actor=cli_actor,
            record_id=record.pk,
            first_barcode="T-0001",
            count=5,
            fields=NORTH_EASY,
            at=T0,
        )
    assert Item.objects.count() == 1


def test_a_technician_adds_copies_at_own_site_only(record, district) -> None:
    tech = district.users[Role.TECHNICIAN].actor()
    add_items(actor=tech, record_id=record.pk, barcodes=["A1"], fields=NORTH_EASY, at=T0)
    with pytest.raises(PermissionDenied):
        add_items(
            actor=tech,
            record_id=record.pk,
            barcodes=["A2"],
            fields=ItemFields(site_code="SES"),
            at=T0,
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (ItemFields(site_code="NES", location_code="NOPE"), "location"),
        (ItemFields(site_code="NES", price="abc"), "price"),
        (ItemFields(site_code="NES", status="eaten"), "status"),
        (ItemFields(site_code="ZZZ"), "site"),
    ],
)
def test_bad_item_fields_name_the_field_and_add_nothing(record, cli_actor, fields, field):
    with pytest.raises(OctavoError) as err:
        add_items(actor=cli_actor, record_id=record.pk, barcodes=["B1"], fields=fields, at=T0)
    assert err.value.field == field
    assert not Item.objects.exists()


def test_editing_an_item_logs_before_and_after(record, cli_actor) -> None:
    add_items(actor=cli_actor, record_id=record.pk, barcodes=["C1"], fields=NORTH_EASY, at=T0)
    update_item(
        actor=cli_actor,
        barcode="C1",
        at=T0,
        changes={"status": "in_repair", "staff_note": "Spine loose", "copy_number": "2"},
    )
    item = Item.objects.get(barcode="C1")
    assert (item.status, item.staff_note, item.call_number) == (
        "in_repair",
        "Spine loose",
        "E YOL c.2",
    )
    entry = AuditEntry.objects.get(action="item.update")
    assert entry.changes["status"] == ["available", "in_repair"]


def test_a_technician_cannot_move_an_item_to_another_site(record, district, cli_actor) -> None:
    add_items(actor=cli_actor, record_id=record.pk, barcodes=["D1"], fields=NORTH_EASY, at=T0)
    tech = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(PermissionDenied):
        update_item(
            actor=tech, barcode="D1", changes={"site_code": "SES", "location_code": ""}, at=T0
        )
    assert Item.objects.get(barcode="D1").site.code == "NES"


@pytest.mark.parametrize(
    ("start", "asked", "words"),
    [
        ("available", "checked_out", "checked out is set at the desk"),
        ("available", "on_hold_shelf", "on hold shelf is set at the desk"),
        ("checked_out", "available", "the copy is checked out: its status changes at the desk"),
        ("in_transit", "missing", "the copy is in transit: its status changes at the desk"),
    ],
)
def test_an_edit_never_sets_or_leaves_a_status_of_the_desk(
    record, cli_actor, start, asked, words
) -> None:
    # A "checked out" copy with no loan, or an open loan on a copy marked available, would
    # follow: those statuses are the desk's, which keeps the loan, transit or hold with them.
    fields = replace(NORTH_EASY, status=start)
    add_items(actor=cli_actor, record_id=record.pk, barcodes=["E1"], fields=fields, at=T0)
    with pytest.raises(InvalidInput) as refused:
        update_item(
            actor=cli_actor, barcode="E1", changes={"status": asked, "staff_note": "x"}, at=T0
        )
    assert refused.value.field == "status" and words in refused.value.message
    item = Item.objects.get(barcode="E1")
    assert (item.status, item.staff_note) == (start, "")  # nothing of the edit stored
    update_item(actor=cli_actor, barcode="E1", changes={"status": start, "staff_note": "ok"}, at=T0)
    assert Item.objects.get(barcode="E1").staff_note == "ok"  # the rest may still be edited
