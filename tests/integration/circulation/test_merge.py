"""Merging duplicate patrons (issue #4, "Patrons": merge duplicates), on SQLite and
PostgreSQL: everything the duplicate had moves to the record that stays, nothing is lost from
the append-only ledger, and the duplicate's card still finds the patron."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0
from tests.integration.circulation.test_check_out_in_renew import MORNING, desk  # noqa: F401

from octavo.audit.models import AuditEntry
from octavo.circulation.merge import merge_patrons, merge_plan
from octavo.circulation.models import Loan
from octavo.circulation.services import check_in, check_out
from octavo.fines.models import LedgerEntry
from octavo.fines.selectors import balance
from octavo.fines.services import charge, pay
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item
from octavo.holds.models import Hold
from octavo.holds.services import place_hold
from octavo.patrons.models import Guardian, Patron
from octavo.patrons.services import GuardianFields, PatronFields, add_guardian, create_patron
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin(desk, district, cli_actor):  # noqa: F811 - the imported fixture
    """Ana again, as the roster brought her in (card S-77, student and roster IDs, her
    father as guardian): she has B2 out, a hold on Frog and Toad, and owes 3.00."""
    ana2 = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="S-77",
            first_name="Ana",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
            grade="3",
            student_id="77001",
            roster_id="sis-ana",
        ),
        at=T0,
    )
    add_guardian(
        actor=cli_actor, patron_id=ana2.pk, fields=GuardianFields(name="Luis Reyes"), at=T0
    )
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    check_out(actor=admin, patron_barcode="S-77", item_barcode="B2", at=MORNING)
    frog = Item.objects.get(barcode="B1").record_id
    place_hold(
        actor=admin, patron_barcode="S-77", record_id=frog, pickup_site_code="NES", at=MORNING
    )
    charge(
        actor=admin,
        patron=ana2,
        charge_type=ChargeType.DAMAGED,
        amount=Decimal("3.00"),
        site=district.north,
        at=MORNING,
    )
    return {**desk, "ana2": ana2, "admin": admin, "frog": frog}


def _merge(twin, barcode="S-77", who=None):
    return merge_patrons(
        actor=who or twin["tech"],
        keep_ref=twin["ana"].pk,
        duplicate_barcode=barcode,
        at=MORNING + timedelta(hours=1),
    )


def test_the_plan_says_what_would_move_and_changes_nothing(twin) -> None:
    plan = merge_plan(actor=twin["tech"], keep_ref=twin["ana"].pk, duplicate_barcode="S-77")
    assert (plan.open_loans, plan.holds, plan.guardians) == (1, 1, 1)
    assert plan.balance == Decimal("3.00")
    assert Loan.objects.get(item__barcode="B2").patron_id == twin["ana2"].pk


def test_loans_holds_guardians_and_identity_move_to_the_record_that_stays(twin) -> None:
    result = _merge(twin)
    ana = Patron.objects.get(pk=twin["ana"].pk)
    assert (result.loans, result.holds, result.guardians) == (1, 1, 1)
    assert Loan.objects.get(item__barcode="B2", status="open").patron_id == ana.pk
    assert Hold.objects.get(record_id=twin["frog"], status="waiting").patron_id == ana.pk
    assert list(Guardian.objects.filter(patron=ana).values_list("name", flat=True)) == [
        "Luis Reyes"
    ]
    # The roster will find this record now: it took the IDs the duplicate had.
    assert (ana.student_id, ana.roster_id) == ("77001", "sis-ana")
    duplicate = Patron.objects.get(barcode="S-77")
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", ana.pk)
    assert (duplicate.student_id, duplicate.roster_id) == ("", "")


def test_the_balance_moves_by_ledger_entries_and_nothing_is_rewritten(twin) -> None:
    before = list(LedgerEntry.objects.order_by("id").values_list("id", "patron_id", "amount"))
    result = _merge(twin)
    assert result.balance == Decimal("3.00")
    assert balance(twin["ana"].pk) == Decimal("3.00")
    assert balance(twin["ana2"].pk) == Decimal("0.00")
    after = list(LedgerEntry.objects.order_by("id").values_list("id", "patron_id", "amount"))
    assert after[: len(before)] == before  # every old entry as it was
    moved = LedgerEntry.objects.get(patron=twin["ana"], kind="charge")
    assert (moved.charge_type, moved.amount) == ("damaged", Decimal("3.00"))
    assert "S-77 into P100" in moved.note


def test_a_credit_moves_too(twin) -> None:
    pay(
        actor=twin["admin"],
        patron_id=twin["ana2"].pk,
        amount="5.00",
        method="cash",
        site_code="NES",
        at=MORNING,
        allow_credit=True,
    )
    assert balance(twin["ana2"].pk) == Decimal("-2.00")
    assert _merge(twin).balance == Decimal("-2.00")
    assert balance(twin["ana"].pk) == Decimal("-2.00")
    assert balance(twin["ana2"].pk) == Decimal("0.00")


def test_the_duplicates_card_checks_out_to_the_record_that_stays(twin) -> None:
    _merge(twin)
    loan = check_out(
        actor=twin["tech"], patron_barcode="S-77", item_barcode="B3", at=MORNING + timedelta(days=1)
    ).loan
    assert loan.patron_id == twin["ana"].pk


def test_a_hold_on_a_title_both_wait_for_is_not_kept_twice(twin) -> None:
    place_hold(
        actor=twin["admin"],
        patron_barcode="P100",
        record_id=twin["frog"],
        pickup_site_code="NES",
        at=MORNING - timedelta(days=1),
    )
    result = _merge(twin)
    assert result.holds_cancelled == 1
    waiting = Hold.objects.filter(record_id=twin["frog"], status="waiting")
    assert [h.patron_id for h in waiting] == [twin["ana"].pk]


def test_history_the_duplicate_kept_goes_only_to_a_record_that_keeps_history(twin) -> None:
    Patron.objects.filter(pk=twin["ana2"].pk).update(keeps_reading_history=True)
    check_in(actor=twin["tech"], item_barcode="B2", at=MORNING + timedelta(days=2))
    assert Loan.objects.get(item__barcode="B2").patron_id == twin["ana2"].pk  # her history
    _merge(twin)
    assert Loan.objects.get(item__barcode="B2").patron_id is None  # Ana keeps none


def test_a_merge_is_written_to_the_audit_log(twin) -> None:
    _merge(twin)
    entry = AuditEntry.objects.get(action="patron.merge")
    assert entry.object_id == str(twin["ana"].pk)
    assert entry.changes["merged"] == [None, "S-77"]


def test_refusals_name_the_card_and_change_nothing(twin) -> None:
    with pytest.raises(InvalidInput, match="own card"):
        _merge(twin, barcode="P100")
    with pytest.raises(NotFound, match="NOPE"):
        _merge(twin, barcode="NOPE")
    with pytest.raises(PermissionDenied):
        _merge(twin, who=twin["helper"])
    assert Patron.objects.get(barcode="S-77").status == "active"
    _merge(twin)
    with pytest.raises(InvalidInput, match="already merged"):
        _merge(twin)
