"""Inventory on SQLite and PostgreSQL: one inventory with every kind of discrepancy reconciled,
acted on and finished; scan files that are idempotent and whose bad lines are named by number;
call-number ranges; who may do what."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation import inventory as circulation_inventory
from octavo.circulation.models import Loan
from octavo.circulation.services import check_out, claim_returned, mark_lost
from octavo.district.services import add_location
from octavo.fines.selectors import balance
from octavo.holdings import inventory, inventory_selectors
from octavo.holdings.inventory_rules import LineReason
from octavo.holdings.models import Inventory, InventoryScan, Item
from octavo.holdings.services import ItemFields, add_items
from octavo.patrons.services import PatronFields, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

MORNING = T0.replace(hour=15)
UNKNOWN = "39999000000008"  # a well-formed Codabar barcode no item has (another district's)


@pytest.fixture
def shelves(district, cli_actor):
    """North Elementary's fiction (FIC) and reference (REF) shelves and one South book:
    A1-A3 on the FIC shelf, C1 and C2 checked out, L1 lost (charged 14.00 + 3.00), M1 claimed
    returned (missing), R1 in repair, W1 on the REF shelf; S1 at South."""
    add_location(actor=cli_actor, site=district.north, code="FIC", name="Fiction", at=T0)
    add_location(actor=cli_actor, site=district.north, code="REF", name="Reference", at=T0)
    record = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    fiction = ItemFields(site_code="NES", location_code="FIC", call_prefix="FIC", call_cutter="LOB")
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["A1", "A2", "A3", "C1", "C2", "L1", "M1", "R1"],
        fields=fiction,
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["W1"],
        fields=ItemFields(site_code="NES", location_code="REF", call_class="031"),
        at=T0,
    )
    add_items(actor=cli_actor, record_id=record.pk, barcodes=["S1"], fields=fiction.__class__(
        site_code="SES"), at=T0)  # fmt: skip
    patron = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P100", first_name="Ana", last_name="Reyes", patron_type="student",
            site_code="NES",
        ),
        at=T0,
    )  # fmt: skip
    PolicyRule.objects.update(processing_fee=Decimal("3.00"))
    Item.objects.filter(barcode="L1").update(price=Decimal("14.00"))
    for barcode in ("C1", "C2", "L1", "M1"):
        check_out(actor=cli_actor, patron_barcode="P100", item_barcode=barcode, at=MORNING)
    mark_lost(actor=cli_actor, item_barcode="L1", at=MORNING + timedelta(days=1))
    claim_returned(actor=cli_actor, item_barcode="M1", at=MORNING + timedelta(days=1))
    Item.objects.filter(barcode="R1").update(status="in_repair")
    return {"patron": patron, "tech": district.users[Role.TECHNICIAN].actor()}


LATER = MORNING + timedelta(days=2)


def start(actor, **kw):
    kw.setdefault("site_code", "NES")
    return inventory.start(actor=actor, at=LATER, **kw)


def scan(actor, inv, text: str, source="cart-1.txt"):
    problems = []
    report = inventory.scan_file(
        actor=actor,
        inventory_id=inv.pk,
        stream=io.BytesIO(text.encode()),
        source=source,
        at=LATER,
        on_problem=problems.append,
    )
    return report, problems


def test_an_inventory_with_every_kind_of_discrepancy_reconciles_acts_and_finishes(shelves):
    tech = shelves["tech"]
    inv = start(tech, location_code="fic")
    assert inventory_selectors.progress(
        actor=tech, inventory_id=inv.pk
    ) == inventory_selectors.Progress(3, 0, 0)
    report, _ = scan(tech, inv, "A1\r\nA2\r\n\r\nC1\r\nL1\r\nM1\r\nW1\r\nS1\r\nA1\r\n")
    _, more = scan(tech, inv, f"{UNKNOWN}\n", source="cart-2.txt")
    assert (report.recorded, report.repeated, report.blank, report.skipped) == (7, 1, 1, 0)
    assert [(p.line, p.reason) for p in more] == [(1, LineReason.UNKNOWN)]
    assert inventory_selectors.progress(
        actor=tech, inventory_id=inv.pk
    ) == inventory_selectors.Progress(3, 2, 8)

    found = inventory_selectors.reconcile(actor=tech, inventory_id=inv.pk)
    assert found.as_dict() == {
        "missing": ["A3"],  # C2 is out, R1 in repair: not expected on the shelf
        "misplaced": ["S1", "W1"],  # another site; another location of this site
        "checked_out_on_shelf": ["C1"],
        "found": ["L1", "M1"],  # lost, missing
        "unknown": [UNKNOWN],
    }

    # Checked in on the spot, and the lost one restored: the desk's check-in, credit and all.
    assert balance(shelves["patron"].pk) == Decimal("17.00")
    back = circulation_inventory.check_in_on_shelf(
        actor=tech, inventory_id=inv.pk, barcode="C1", at=LATER
    )
    assert back.was_checked_out and Loan.objects.get(item__barcode="C1").status == "returned"
    restored = circulation_inventory.restore_found(
        actor=tech, inventory_id=inv.pk, barcode="L1", at=LATER
    )
    assert restored.credited == Decimal("14.00")
    assert balance(shelves["patron"].pk) == Decimal("3.00")  # the processing fee stands
    circulation_inventory.restore_found(actor=tech, inventory_id=inv.pk, barcode="M1", at=LATER)
    assert {i.barcode: i.status for i in Item.objects.filter(barcode__in=["C1", "L1", "M1"])} == {
        "C1": "available",
        "L1": "available",
        "M1": "available",
    }
    with pytest.raises(InvalidInput, match="A1 is not lost or missing"):
        circulation_inventory.restore_found(actor=tech, inventory_id=inv.pk, barcode="A1", at=LATER)
    after = inventory_selectors.reconcile(actor=tech, inventory_id=inv.pk)
    assert (after.checked_out_on_shelf, after.found, after.missing) == ((), (), ("A3",))

    done = circulation_inventory.finish(actor=tech, inventory_id=inv.pk, at=LATER)
    assert Item.objects.get(barcode="A3").status == "missing"
    assert Item.objects.get(barcode="C2").status == "checked_out"
    assert Item.objects.get(barcode="R1").status == "in_repair"
    seen = dict(Item.objects.values_list("barcode", "last_seen_at"))
    assert {b for b, at in seen.items() if at == LATER} == {
        "A1",
        "A2",
        "C1",
        "L1",
        "M1",
        "W1",
        "S1",
    }
    assert (done.status, done.finished_by, done.expected_count, done.scanned_count) == (
        "finished",
        tech.username,
        6,  # A1, A2, A3 and the three just checked in
        8,
    )
    assert (done.missing_count, done.misplaced_count, done.unknown_count) == (1, 2, 1)
    recorded = inventory_selectors.reconcile(actor=tech, inventory_id=inv.pk)
    assert recorded.finished and recorded.as_dict() == {
        "missing": ["A3"],
        "misplaced": ["S1", "W1"],
        "checked_out_on_shelf": [],
        "found": [],
        "unknown": [UNKNOWN],
    }
    entry = AuditEntry.objects.get(action="inventory.finish")
    assert entry.changes["missing"] == [None, 1] and entry.object_id == str(inv.pk)
    with pytest.raises(InvalidInput, match="finished"):
        scan(tech, inv, "A3\n")
    with pytest.raises(InvalidInput, match="finished"):
        circulation_inventory.finish(actor=tech, inventory_id=inv.pk, at=LATER)


def test_a_whole_site_inventory_expects_every_location_and_misplaces_other_sites(shelves):
    inv = start(shelves["tech"])
    scan(shelves["tech"], inv, "A1\nA2\nA3\nS1\n")
    found = inventory_selectors.reconcile(actor=shelves["tech"], inventory_id=inv.pk)
    assert (found.missing, found.misplaced) == (("W1",), ("S1",))


def test_scanning_the_same_file_again_changes_nothing(shelves):
    tech = shelves["tech"]
    inv = start(tech)
    text = "A1\nA2\nA2\nW1\n" + UNKNOWN + "\n"
    first, _ = scan(tech, inv, text)
    rows_then = list(InventoryScan.objects.order_by("barcode").values_list("barcode", "line"))
    again, problems = scan(tech, inv, text.replace("\n", "\r\n"))
    assert (first.recorded, first.repeated, first.unknown) == (4, 1, 1)
    assert (again.recorded, again.repeated, again.unknown, problems) == (0, 5, 0, [])
    assert list(InventoryScan.objects.order_by("barcode").values_list("barcode", "line")) == (
        rows_then
    )
    assert rows_then == [(UNKNOWN, 5), ("A1", 1), ("A2", 2), ("W1", 4)]


def test_a_bad_files_lines_are_each_reported_by_number_and_nothing_is_lost(shelves):
    tech = shelves["tech"]
    inv = start(tech)
    text = "\r\n".join(
        [
            "Barcode,Scanned at",  # 1: a heading
            "A1,2026-09-03 10:00",  # 2
            "",  # 3: blank, counted but not listed
            "A#2",  # 4: a stray character
            "31234000000009",  # 5: a wrong check digit
            "\x02A2\x03",  # 6: STX/ETX framing, read
            "A1",  # 7: a repeat
            UNKNOWN,  # 8: another district's
            "x" * 40,  # 9: too long
        ]
    )
    report, problems = scan(tech, inv, text)
    assert [(p.line, p.reason, p.recorded) for p in problems] == [
        (1, LineReason.HEADING, False),
        (4, LineReason.STRAY_CHARACTERS, False),
        (5, LineReason.CHECK_DIGIT, False),
        (8, LineReason.UNKNOWN, True),
        (9, LineReason.TOO_LONG, False),
    ]
    assert report.counts() == {
        "lines": 9,
        "blank": 1,
        "recorded": 3,
        "repeated": 1,
        "unknown": 1,
        "skipped": 4,
    }
    assert report.problems == problems
    assert str(problems[1]) == (
        "line 4: 'A#2' is not a barcode: stray characters '#' (a barcode is letters, digits, "
        "'.', '-' or '_')"
    )
    # Every line is accounted for: read (recorded or repeated), blank or skipped.
    assert report.lines == report.recorded + report.repeated + report.blank + report.skipped


def test_a_long_file_is_taken_in_batches(shelves, monkeypatch):
    monkeypatch.setattr(inventory, "BATCH", 3)
    monkeypatch.setattr(inventory, "ROWS_PER_INSERT", 2)
    tech = shelves["tech"]
    inv = start(tech)
    lines = [f"X{n}" for n in range(1, 11)] + ["A1", "X3", ""]
    report, problems = scan(tech, inv, "\n".join(lines))
    assert (report.recorded, report.repeated, report.unknown) == (11, 1, 10)
    assert [p.line for p in problems] == list(range(1, 11))  # in line order across batches
    assert InventoryScan.objects.filter(inventory=inv).count() == 11


def test_a_call_number_range_inventory_expects_only_the_range(shelves, cli_actor):
    record = create_record(actor=cli_actor, fields=RecordFields(title="Owls"), at=T0)
    for barcode, call_class in (("D1", "598.97"), ("D2", "599.75"), ("D3", "600")):
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[barcode],
            fields=ItemFields(site_code="NES", location_code="REF", call_class=call_class),
            at=T0,
        )
    tech = shelves["tech"]
    inv = start(tech, location_code="REF", call_range="590-599")
    assert (inv.range_first, inv.range_last) == ("590", "599")
    assert inventory_selectors.scope_text(inv) == "NES REF 590-599"
    scan(tech, inv, "D1\nD3\nW1\n")
    found = inventory_selectors.reconcile(actor=tech, inventory_id=inv.pk)
    assert (found.missing, found.misplaced) == (("D2",), ("D3", "W1"))
    assert inventory_selectors.progress(
        actor=tech, inventory_id=inv.pk
    ) == inventory_selectors.Progress(2, 1, 3)


def test_the_scanning_page_says_at_once_what_each_barcode_is(shelves):
    tech = shelves["tech"]
    inv = start(tech, location_code="FIC")

    def one(text):
        return inventory.scan_one(
            actor=tech, inventory_id=inv.pk, text=text, source="scan page", at=LATER
        )

    assert one("A1").seen == inventory_selectors.Seen("A1", True, "available", True)
    assert one("A1").repeated
    assert one("W1").seen.kinds == ("misplaced",)
    assert one("C1").seen.kinds == ("checked_out_on_shelf",)
    assert one("L1").seen.kinds == ("found",)
    assert one(UNKNOWN).seen.kinds == ("unknown",)
    assert one("A#1").problem.reason is LineReason.STRAY_CHARACTERS
    assert InventoryScan.objects.get(barcode="A1").line is None


def test_a_student_helper_scans_but_only_librarians_and_technicians_start_and_finish(
    shelves, district
):
    helper = district.users[Role.STUDENT_HELPER].actor()
    with pytest.raises(PermissionDenied):
        start(helper)
    inv = start(shelves["tech"])
    report, _ = scan(helper, inv, "A1\n")
    assert report.recorded == 1
    assert inventory_selectors.progress(actor=helper, inventory_id=inv.pk).scanned == 1
    with pytest.raises(PermissionDenied):
        inventory_selectors.reconcile(actor=helper, inventory_id=inv.pk)
    with pytest.raises(PermissionDenied):
        circulation_inventory.finish(actor=helper, inventory_id=inv.pk, at=LATER)
    teacher = district.users[Role.TEACHER].actor()
    with pytest.raises(PermissionDenied):
        scan(teacher, inv, "A2\n")


def test_a_technician_inventories_only_the_sites_they_work_at(shelves):
    with pytest.raises(PermissionDenied):
        start(shelves["tech"], site_code="SES")
    with pytest.raises(InvalidInput, match="NES has no location 'NOPE'"):
        start(shelves["tech"], location_code="nope")
    assert not Inventory.objects.exists()


def test_a_cancelled_inventory_marks_nothing_and_takes_no_more_scans(shelves, district):
    tech = shelves["tech"]
    inv = start(tech)
    scan(tech, inv, "A1\n")
    before = dict(Item.objects.values_list("barcode", "status"))
    with pytest.raises(PermissionDenied):
        inventory.cancel(
            actor=district.users[Role.STUDENT_HELPER].actor(), inventory_id=inv.pk, at=LATER
        )
    ended = inventory.cancel(actor=tech, inventory_id=inv.pk, at=LATER)
    assert (ended.status, ended.scanned_count, ended.missing_count) == ("cancelled", 1, 0)
    assert dict(Item.objects.values_list("barcode", "status")) == before  # nobody missing
    assert not Item.objects.filter(last_seen_at=LATER).exists()  # and nobody seen
    with pytest.raises(InvalidInput, match="was cancelled on"):
        scan(tech, inv, "A2\n")
    with pytest.raises(InvalidInput, match="was cancelled on"):
        circulation_inventory.finish(actor=tech, inventory_id=inv.pk, at=LATER)
    entry = AuditEntry.objects.get(action="inventory.cancel")
    assert entry.changes["status"] == ["open", "cancelled"]
    assert InventoryScan.objects.filter(inventory_id=inv.pk).count() == 1  # kept, for the record


def test_a_second_inventory_over_the_same_shelves_waits_for_the_first(shelves, cli_actor):
    tech = shelves["tech"]
    whole = start(tech)
    with pytest.raises(InvalidInput, match=rf"inventory {whole.pk} \(NES\) is still open"):
        start(tech, location_code="REF", call_range="500-599")
    assert Inventory.objects.count() == 1  # nothing half-made
    scan(tech, whole, "A1\n")
    circulation_inventory.finish(actor=tech, inventory_id=whole.pk, at=LATER)
    fives = start(tech, location_code="REF", call_range="500-599")
    sixes = start(tech, location_code="REF", call_range="600-")  # other shelves: at once
    with pytest.raises(InvalidInput, match=rf"inventory {fives.pk} \(NES REF 500-599\)"):
        start(tech, call_range="590-610")
    inventory.cancel(actor=tech, inventory_id=fives.pk, at=LATER)
    with pytest.raises(InvalidInput, match=rf"inventory {sixes.pk} "):
        start(tech, call_range="590-610")
    assert start(cli_actor, site_code="SES").site.code == "SES"  # another site: at once
