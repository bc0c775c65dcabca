"""Saved label batches (issue #8): who keeps them, adding by scanned or pasted barcodes with every
line left out named, taking out, emptying, deleting, the audit log, and the labels a batch
prints: its items in the order they were added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import PASSWORD, T0

from octavo.accounts.services import create_user
from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.labels import batches, select
from octavo.holdings.labels.batch_rules import Refusal
from octavo.holdings.labels.content import Label, Skipped
from octavo.holdings.models import LabelBatch, LabelBatchItem
from octavo.holdings.services import ItemFields, add_items, update_item
from octavo.shared.actor import Actor, Role
from octavo.shared.barcodes import barcode_range
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db

NES = barcode_range("31234000000016", 5)
T1 = T0 + timedelta(days=1)


@pytest.fixture
def shelf(district, cli_actor):
    """Five items at North Elementary (NES), one at South (S-0001); the last NES one withdrawn."""
    record = create_record(
        actor=cli_actor, fields=RecordFields(title="Owls of the night / by Ana Ruiz"), at=T0
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=NES,
        fields=ItemFields(site_code="NES", call_class="598.9", call_cutter="RUI"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["S-0001"],
        fields=ItemFields(site_code="SES", call_class="598.9", call_cutter="RUI"),
        at=T0,
    )
    update_item(actor=cli_actor, barcode=NES[4], changes={"status": "withdrawn"}, at=T0)
    return record


def _actor(district, role: Role) -> Actor:
    return district.users[role].actor()


@pytest.fixture
def tech(district) -> Actor:
    """The technician of North Elementary."""
    return _actor(district, Role.TECHNICIAN)


@pytest.fixture
def south_tech(district, cli_actor) -> Actor:
    user = create_user(
        actor=cli_actor,
        username="south-tech",
        role=Role.TECHNICIAN,
        site_codes=["SES"],
        password=PASSWORD,
        at=T0,
    )
    return user.actor()


def _new(actor: Actor, site: str = "NES", name: str = "New books, December") -> int:
    return batches.create_batch(actor=actor, name=name, site_code=site, at=T0).pk


def test_a_batch_is_named_for_a_site_and_its_start_is_audited(shelf, tech) -> None:
    batch = batches.create_batch(actor=tech, name="  New books,\tDecember ", site_code="nes", at=T0)
    assert (batch.name, batch.site.code, batch.created_by) == (
        "New books, December",
        "NES",
        "technician",
    )
    entry = AuditEntry.objects.get(action="label_batch.create")
    assert entry.object_id == str(batch.pk) and entry.site_id == batch.site_id
    assert entry.changes == {"name": [None, "New books, December"], "site": [None, "NES"]}


def test_a_batch_needs_a_name_and_a_known_site(shelf, tech) -> None:
    with pytest.raises(InvalidInput, match="give the batch a name") as raised:
        batches.create_batch(actor=tech, name="   ", site_code="NES", at=T0)
    assert raised.value.field == "name"
    with pytest.raises(NotFound, match="no site with code 'ZZZ'"):
        batches.create_batch(actor=tech, name="X", site_code="ZZZ", at=T0)
    assert not LabelBatch.objects.exists()


def test_staff_keep_batches_of_their_own_sites_and_admins_the_districts(
    district, shelf, tech, south_tech
) -> None:
    with pytest.raises(PermissionDenied):
        batches.create_batch(actor=tech, name="Theirs", site_code="SES", at=T0)
    with pytest.raises(PermissionDenied, match="kept by a district admin"):
        batches.create_batch(actor=tech, name="Everyone's", at=T0)
    with pytest.raises(PermissionDenied):
        batches.create_batch(
            actor=_actor(district, Role.STUDENT_HELPER), name="Mine", site_code="NES", at=T0
        )
    ours = _new(tech)
    admin = _actor(district, Role.DISTRICT_ADMIN)
    districts = batches.create_batch(actor=admin, name="Summer reading", at=T0).pk
    # Another site's technician neither sees nor changes North's batch.
    assert [b.id for b in select.label_batches(actor=south_tech)] == []
    with pytest.raises(PermissionDenied):
        select.items_in_batch(actor=south_tech, batch_id=ours)
    with pytest.raises(PermissionDenied):
        batches.add_to_batch(actor=south_tech, batch_id=ours, lines=["S-0001"], at=T1)
    with pytest.raises(PermissionDenied):
        batches.delete_batch(actor=south_tech, batch_id=ours, at=T1)
    with pytest.raises(PermissionDenied):
        batches.add_to_batch(actor=tech, batch_id=districts, lines=[NES[0]], at=T1)
    assert [b.id for b in select.label_batches(actor=tech)] == [ours]
    assert {b.id for b in select.label_batches(actor=admin)} == {ours, districts}
    assert LabelBatch.objects.filter(pk=ours).exists()
    assert not LabelBatchItem.objects.exists()


def test_adding_names_every_line_left_out_and_adds_the_rest_in_order(shelf, tech) -> None:
    batch_id = _new(tech)
    pasted = (
        f" {NES[2]} \r\n\r\n{NES[0]}\r\nNOPE-1\r\n{NES[2]}\r\nS-0001\r\n{NES[4]}\r\n"
        "31234000000019\r\nnot a barcode\r\n"
    )
    added = batches.add_to_batch(actor=tech, batch_id=batch_id, lines=pasted.splitlines(), at=T1)
    assert added.added == (NES[2], NES[0])
    assert added.count == 2
    assert [(n.line, n.value, n.reason) for n in added.not_added] == [
        (2, "", Refusal.BLANK),
        (4, "NOPE-1", Refusal.NO_ITEM),
        (5, NES[2], Refusal.REPEATED),
        (6, "S-0001", Refusal.OTHER_SITE),
        (7, NES[4], Refusal.WITHDRAWN),
        (8, "31234000000019", Refusal.CHECK_DIGIT),
        (9, "not a barcode", Refusal.NOT_A_BARCODE),
    ]
    assert [str(n) for n in added.not_added[2:4]] == [
        f"line 5: {NES[2]}: already listed on line 1",
        "line 6: S-0001: belongs to SES, not to the batch's site",
    ]
    entry = AuditEntry.objects.get(action="label_batch.add")
    assert entry.changes == {"barcodes": [None, [NES[2], NES[0]]]}
    assert LabelBatch.objects.get(pk=batch_id).updated_at == T1


def test_adding_the_same_barcodes_again_changes_nothing(shelf, tech) -> None:
    batch_id = _new(tech)
    batches.add_to_batch(actor=tech, batch_id=batch_id, lines=[NES[1], NES[0]], at=T0)
    again = batches.add_to_batch(
        actor=tech, batch_id=batch_id, lines=[NES[0], NES[3], NES[1]], at=T1
    )
    assert again.added == (NES[3],)
    assert [(n.line, n.reason) for n in again.not_added] == [
        (1, Refusal.ALREADY_IN),
        (3, Refusal.ALREADY_IN),
    ]
    _summary, rows = select.label_batch(actor=tech, batch_id=batch_id)
    assert [r.barcode for r in rows] == [NES[1], NES[0], NES[3]]  # first added, first listed
    nothing = batches.add_to_batch(actor=tech, batch_id=batch_id, lines=[NES[0]], at=T1)
    assert nothing.added == () and nothing.count == 3
    assert AuditEntry.objects.filter(action="label_batch.add").count() == 2


def test_a_district_batch_takes_any_sites_items(district, shelf) -> None:
    admin = _actor(district, Role.DISTRICT_ADMIN)
    batch_id = batches.create_batch(actor=admin, name="Summer reading", at=T0).pk
    added = batches.add_to_batch(actor=admin, batch_id=batch_id, lines=["S-0001", NES[0]], at=T1)
    assert added.added == ("S-0001", NES[0]) and added.not_added == ()


def test_a_batch_past_its_limit_adds_nothing_and_says_so(shelf, tech, monkeypatch) -> None:
    monkeypatch.setattr(batches, "MAX_BATCH", 3)
    batch_id = _new(tech)
    batches.add_to_batch(actor=tech, batch_id=batch_id, lines=NES[:2], at=T0)
    with pytest.raises(InvalidInput, match="holds 2 items; 2 more would pass the limit of 3"):
        batches.add_to_batch(actor=tech, batch_id=batch_id, lines=NES[2:4], at=T1)
    assert LabelBatchItem.objects.filter(batch_id=batch_id).count() == 2
    assert batches.add_to_batch(actor=tech, batch_id=batch_id, lines=NES[2:3], at=T1).count == 3


def test_taking_out_emptying_and_deleting(shelf, tech) -> None:
    batch_id = _new(tech)
    batches.add_to_batch(actor=tech, batch_id=batch_id, lines=NES[:4], at=T0)
    batches.remove_from_batch(actor=tech, batch_id=batch_id, barcode=f" {NES[1]} ", at=T1)
    _summary, rows = select.label_batch(actor=tech, batch_id=batch_id)
    assert [r.barcode for r in rows] == [NES[0], NES[2], NES[3]]
    with pytest.raises(NotFound, match=f"{NES[1]} is not in the batch New books, December"):
        batches.remove_from_batch(actor=tech, batch_id=batch_id, barcode=NES[1], at=T1)
    assert batches.empty_batch(actor=tech, batch_id=batch_id, at=T1) == 3
    summary, rows = select.label_batch(actor=tech, batch_id=batch_id)
    assert rows == [] and summary.count == 0 and summary.name == "New books, December"
    emptied = AuditEntry.objects.get(action="label_batch.empty")
    assert emptied.changes == {"barcodes": [[NES[0], NES[2], NES[3]], None]}
    batches.delete_batch(actor=tech, batch_id=batch_id, at=T1)
    assert not LabelBatch.objects.filter(pk=batch_id).exists()
    assert AuditEntry.objects.get(action="label_batch.delete").changes == {
        "name": ["New books, December", None],
        "site": ["NES", None],
        "barcodes": [[], None],
    }
    assert AuditEntry.objects.get(action="label_batch.remove").changes == {
        "barcode": [NES[1], None]
    }
    with pytest.raises(NotFound, match=f"no label batch {batch_id}"):
        select.items_in_batch(actor=tech, batch_id=batch_id)


def test_a_batch_prints_its_items_in_the_order_they_were_added(shelf, tech, cli_actor) -> None:
    batch_id = _new(tech)
    batches.add_to_batch(actor=tech, batch_id=batch_id, lines=[NES[3], NES[0]], at=T0)
    batches.add_to_batch(actor=tech, batch_id=batch_id, lines=[NES[1]], at=T1)
    # Withdrawn after it was added: left out of the labels, named with its reason.
    update_item(actor=cli_actor, barcode=NES[0], changes={"status": "withdrawn"}, at=T1)
    printed = select.items_in_batch(actor=tech, batch_id=batch_id)
    assert [label.barcode for label in printed.labels] == [NES[3], NES[1]]
    assert printed.labels[0] == Label(
        key=NES[3],
        barcode=NES[3],
        call_number="598.9 RUI",
        title="Owls of the night",
        library="North Elementary",
    )
    assert printed.skipped == (Skipped("", NES[0], "withdrawn"),)
    summaries = select.label_batches(actor=tech)
    assert [(s.name, s.site_code, s.count) for s in summaries] == [
        ("New books, December", "NES", 3)
    ]
