"""Item care on SQLite and PostgreSQL: to repair and back (a hold waiting traps the mended copy),
marked damaged with a charge to the last borrower when staff choose to and policy allows, and
each change in the item's history, which never names a patron."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation import care
from octavo.circulation.services import check_in, check_out
from octavo.fines.models import LedgerEntry
from octavo.fines.selectors import balance
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.services import place_hold
from octavo.patrons.models import Patron
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

NOW = T0.replace(hour=16)


@pytest.fixture
def desk(district, cli_actor):
    """NES: B1 and B2 (price 12.00) of one title, B3 (no price); SES: S1. Ana (P100) keeps no
    reading history; Ben (P200) keeps one."""
    record = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["B1", "B2"],
        fields=ItemFields(site_code="NES", call_class="813", price=Decimal("12.00")),
        at=T0,
    )
    add_items(
        actor=cli_actor, record_id=record.pk, barcodes=["B3"], fields=ItemFields(site_code="NES"),
        at=T0,
    )  # fmt: skip
    add_items(
        actor=cli_actor, record_id=record.pk, barcodes=["S1"], fields=ItemFields(site_code="SES"),
        at=T0,
    )  # fmt: skip
    for barcode, first in (("P100", "Ana"), ("P200", "Ben")):
        create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=barcode, first_name=first, last_name="Reyes", patron_type="student",
                site_code="NES",
            ),
            at=T0,
        )  # fmt: skip
    Patron.objects.filter(barcode="P200").update(keeps_reading_history=True)
    return {
        "record": record,
        "tech": district.users[Role.TECHNICIAN].actor(),
        "helper": district.users[Role.STUDENT_HELPER].actor(),
    }


def status(barcode: str) -> str:
    return Item.objects.get(barcode=barcode).status


def test_an_item_goes_to_repair_and_comes_back_with_its_condition(desk):
    tech = desk["tech"]
    care.send_to_repair(actor=tech, item_barcode=" B1 ", at=NOW, note="Spine  loose")
    assert status("B1") == "in_repair"
    back = care.back_from_repair(
        actor=tech, item_barcode="B1", at=NOW + timedelta(days=3), condition="good"
    )
    assert (back.destination, status("B1")) == ("shelf", "available")
    assert Item.objects.get(barcode="B1").condition == "good"
    entries = AuditEntry.objects.filter(object_type="item", object_id="B1").order_by("at", "id")
    assert [(e.action, e.changes) for e in entries][-2:] == [
        ("item.repair", {"status": ["available", "in_repair"], "note": [None, "Spine loose"]}),
        (
            "item.repair_done",
            {"status": ["in_repair", "available"], "condition": ["", "good"]},
        ),
    ]


def test_a_mended_copy_goes_to_the_hold_waiting_for_its_title(desk, cli_actor):
    tech = desk["tech"]
    for barcode in ("B2", "B3"):
        check_out(actor=tech, patron_barcode="P100", item_barcode=barcode, at=NOW)
    care.send_to_repair(actor=tech, item_barcode="B1", at=NOW)
    place_hold(
        actor=tech, patron_barcode="P200", record_id=desk["record"].pk, pickup_site_code="NES",
        at=NOW,
    )  # fmt: skip
    back = care.back_from_repair(actor=tech, item_barcode="B1", at=NOW + timedelta(days=1))
    assert back.destination == "hold_shelf" and back.hold is not None
    assert status("B1") == "on_hold_shelf"
    done = AuditEntry.objects.get(object_id="B1", action="item.repair_done")
    assert done.changes["status"] == ["in_repair", "on_hold_shelf"]


def test_moves_the_transition_table_has_not_are_refused_and_named(desk):
    tech = desk["tech"]
    check_out(actor=tech, patron_barcode="P100", item_barcode="B1", at=NOW)
    with pytest.raises(InvalidInput, match="checked out cannot send to repair"):
        care.send_to_repair(actor=tech, item_barcode="B1", at=NOW)
    with pytest.raises(InvalidInput, match="available cannot back from repair"):
        care.back_from_repair(actor=tech, item_barcode="B2", at=NOW)
    with pytest.raises(NotFound) as unknown:
        care.send_to_repair(actor=tech, item_barcode="NOPE", at=NOW)
    assert unknown.value.field == "item_barcode"
    with pytest.raises(InvalidInput) as long_note:
        care.send_to_repair(actor=tech, item_barcode="B2", at=NOW, note="x" * 501)
    assert long_note.value.field == "note"
    assert status("B2") == "available"


def test_who_may_look_after_items_and_where(desk, district):
    helper = desk["helper"]  # a student helper who finds a torn page
    care.send_to_repair(actor=helper, item_barcode="B2", at=NOW)
    with pytest.raises(PermissionDenied):
        care.send_to_repair(actor=desk["tech"], item_barcode="S1", at=NOW)  # South's
    with pytest.raises(PermissionDenied):
        care.send_to_repair(actor=district.users[Role.TEACHER].actor(), item_barcode="B1", at=NOW)


def test_marking_damaged_charges_the_patron_who_has_it(desk):
    tech = desk["tech"]
    check_out(actor=tech, patron_barcode="P100", item_barcode="B1", at=NOW)
    result = care.mark_damaged(
        actor=tech, item_barcode="B1", at=NOW, note="Water damage", charge="8.50", repair=False
    )
    ana = Patron.objects.get(barcode="P100")
    assert (result.charged, result.patron) == (Decimal("8.50"), ana)
    assert balance(ana.pk) == Decimal("8.50")
    charged = LedgerEntry.objects.get(patron=ana, charge_type="damaged")
    assert (charged.item.barcode, charged.note) == ("B1", "damaged: Water damage")
    item = Item.objects.get(barcode="B1")
    assert (item.condition, item.status) == ("damaged", "checked_out")
    entry = AuditEntry.objects.get(object_id="B1", action="item.damaged")
    assert entry.changes == {
        "condition": ["", "damaged"],
        "note": [None, "Water damage"],
        "charged": [None, "8.50"],
    }
    # The item's entry names no patron; the ledger's entry names no item.
    assert "P100" not in str(entry.changes) and "Reyes" not in entry.object_repr
    ledger = AuditEntry.objects.get(action="ledger.charge")
    assert ledger.object_type == "patron" and "B1" not in str(ledger.changes)


def test_the_last_borrower_is_charged_only_while_octavo_still_knows_them(desk):
    tech = desk["tech"]
    for barcode, patron in (("B1", "P100"), ("B2", "P200")):
        check_out(actor=tech, patron_barcode=patron, item_barcode=barcode, at=NOW)
        check_in(actor=tech, item_barcode=barcode, at=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    # Ana keeps no reading history: her ended loan no longer names her.
    with pytest.raises(InvalidInput, match="scan the card") as unknown:
        care.mark_damaged(actor=tech, item_barcode="B1", at=later, charge="5.00")
    assert unknown.value.field == "patron_barcode"
    assert Item.objects.get(barcode="B1").condition == ""  # nothing written
    named = care.mark_damaged(
        actor=tech, item_barcode="B1", at=later, charge="5.00", patron_barcode="P100"
    )
    assert named.patron is not None and named.patron.barcode == "P100"
    # Ben keeps one: he is found, and offered to staff who may charge.
    assert care.last_borrower(actor=tech, item_barcode="B2").barcode == "P200"
    assert care.last_borrower(actor=desk["helper"], item_barcode="B2") is None
    kept = care.mark_damaged(actor=tech, item_barcode="B2", at=later, charge="12.00", repair=True)
    assert kept.patron is not None and kept.patron.barcode == "P200"
    assert status("B2") == "in_repair"
    with pytest.raises(InvalidInput, match="never been lent"):
        care.mark_damaged(actor=tech, item_barcode="B3", at=later, charge="1.00")


def test_a_charge_beyond_the_price_or_by_someone_who_may_not_charge_is_refused(desk):
    tech, helper = desk["tech"], desk["helper"]
    check_out(actor=tech, patron_barcode="P100", item_barcode="B1", at=NOW)
    with pytest.raises(InvalidInput, match=r"at most the item's price, 12\.00") as too_much:
        care.mark_damaged(actor=tech, item_barcode="B1", at=NOW, charge="12.01")
    assert too_much.value.field == "charge"
    for wrong in ("abc", "-2", "1.005"):
        with pytest.raises(InvalidInput) as refused:
            care.mark_damaged(actor=tech, item_barcode="B1", at=NOW, charge=wrong)
        assert refused.value.field == "charge"
    with pytest.raises(PermissionDenied):
        care.mark_damaged(actor=helper, item_barcode="B1", at=NOW, charge="2.00")
    assert not LedgerEntry.objects.exists()
    assert not AuditEntry.objects.filter(action="item.damaged").exists()
    care.mark_damaged(actor=helper, item_barcode="B1", at=NOW, note="Torn page")  # no charge
    assert Item.objects.get(barcode="B1").condition == "damaged"


def test_the_items_history_reads_its_changes_and_circulation_newest_first(desk):
    tech = desk["tech"]
    check_out(actor=tech, patron_barcode="P100", item_barcode="B1", at=NOW)
    check_in(actor=tech, item_barcode="B1", at=NOW + timedelta(hours=1))
    care.mark_damaged(actor=tech, item_barcode="B1", at=NOW + timedelta(hours=2), note="Torn")
    care.send_to_repair(actor=tech, item_barcode="B1", at=NOW + timedelta(hours=3))
    lines = care.item_history(actor=tech, item_barcode="B1")
    assert [(line.action, line.circulation) for line in lines] == [
        ("item.repair", False),
        ("item.damaged", False),
        ("check_in", True),
        ("check_out", True),
        ("item.create", False),
    ]
    assert all(line.by == "" for line in lines if line.circulation)
    with pytest.raises(NotFound):
        care.item_history(actor=tech, item_barcode="NOPE")
