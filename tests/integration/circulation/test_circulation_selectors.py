"""The desk's reads, on SQLite and PostgreSQL: the blocks any check-out by a patron would meet
(and that they are the ones check_out meets), the patron whose card is scanned from any site,
and what marking a loan lost charges."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.errors import Refused
from octavo.circulation.selectors import (
    lost_cost,
    open_loan_of,
    patron_for_desk,
    standing_blocks,
)
from octavo.circulation.services import check_in, check_out, mark_lost
from octavo.district.models import OpeningHours
from octavo.fines.selectors import balance
from octavo.fines.services import charge
from octavo.fines.states import ChargeType
from octavo.holdings.models import Item, MaterialType
from octavo.holdings.services import ItemFields, add_items
from octavo.patrons.services import PatronFields, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role
from octavo.shared.errors import PermissionDenied, Reason

pytestmark = pytest.mark.django_db

# Tuesday 1 September 2026, 08:00 at the sites (Pacific time).
MORNING = T0.replace(hour=15)


@pytest.fixture
def desk(district, cli_actor):
    """North and South Elementary open on weekdays; four books at NES priced 17.99; Ana at
    NES, Sam at SES; the NES technician at the desk."""
    for weekday in range(5):
        for site in (district.north, district.south):
            OpeningHours.objects.create(
                site=site, weekday=weekday, opens=time(8), closes=time(15, 30)
            )
    record = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["B1", "B2", "B3", "B4"],
        fields=ItemFields(site_code="NES", material_type="book", price=Decimal("17.99")),
        at=T0,
    )
    people = {}
    for barcode, first, site in (("P100", "Ana", "NES"), ("P300", "Sam", "SES")):
        people[first.lower()] = create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=barcode,
                first_name=first,
                last_name="Reyes",
                patron_type="student",
                site_code=site,
                student_id=f"S-{barcode}",
            ),
            at=T0,
        )
    return {**people, "tech": district.users[Role.TECHNICIAN].actor(), "site": district.north}


def _reasons(desk, patron="ana", at=MORNING):
    blocks = standing_blocks(patron_id=desk[patron].pk, site_id=desk["site"].id, at=at)
    return [b.reason for b in blocks]


def _refused_for(desk, item, patron="P100", at=MORNING):
    with pytest.raises(Refused) as refused:
        check_out(actor=desk["tech"], patron_barcode=patron, item_barcode=item, at=at)
    return [b.reason for b in refused.value.blocks]


# --- standing blocks -------------------------------------------------------------------------


def test_a_patron_in_good_standing_meets_no_block(desk) -> None:
    assert _reasons(desk) == []


def test_an_expired_card_and_owing_over_the_limit_are_standing_blocks_as_check_out_says(
    desk, cli_actor
) -> None:
    ana = desk["ana"]
    ana.card_expires = date(2026, 6, 30)
    ana.save(update_fields=["card_expires"])
    charge(
        actor=cli_actor,
        patron=ana,
        charge_type=ChargeType.MANUAL,
        amount=Decimal("10.01"),
        site=desk["site"],
        at=T0,
    )
    assert _reasons(desk) == [Reason.PATRON_EXPIRED, Reason.FINES_OVER_LIMIT]
    assert _refused_for(desk, "B1") == _reasons(desk)


def test_a_blocked_card_is_a_standing_block(desk) -> None:
    desk["ana"].status = "blocked"
    desk["ana"].save(update_fields=["status"])
    assert _reasons(desk) == [Reason.PATRON_BLOCKED]


def test_too_many_overdues_is_a_standing_block_once_they_are_overdue(desk) -> None:
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        max_overdues=1, max_items=10
    )
    for item in ("B1", "B2"):
        check_out(actor=desk["tech"], patron_barcode="P100", item_barcode=item, at=MORNING)
    assert _reasons(desk) == []
    later = MORNING + timedelta(days=20)
    assert _reasons(desk, at=later) == [Reason.TOO_MANY_OVERDUES]
    assert _refused_for(desk, "B3", at=later) == [Reason.TOO_MANY_OVERDUES]


def test_the_item_limit_of_the_wildcard_row_is_a_standing_block(desk) -> None:
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(max_items=2)
    for item in ("B1", "B2"):
        check_out(actor=desk["tech"], patron_barcode="P100", item_barcode=item, at=MORNING)
    assert _reasons(desk) == [Reason.LIMIT_REACHED]
    assert _refused_for(desk, "B3") == [Reason.LIMIT_REACHED]


def test_a_limit_for_one_material_type_is_not_a_standing_block(desk) -> None:
    # A row for books only: it blocks the next book, not every check-out.
    PolicyRule.objects.create(material_type=MaterialType.objects.get(code="book"), max_items=1)
    check_out(actor=desk["tech"], patron_barcode="P100", item_barcode="B1", at=MORNING)
    assert _reasons(desk) == []
    assert _refused_for(desk, "B2") == [Reason.LIMIT_REACHED]


def test_a_visiting_patron_meets_the_blocks_of_the_desks_site(desk, district) -> None:
    PolicyRule.objects.create(site=district.north, max_items=0)
    assert _reasons(desk, patron="sam") == [Reason.LIMIT_REACHED]
    south = standing_blocks(patron_id=desk["sam"].pk, site_id=district.south.id, at=MORNING)
    assert south == []


# --- the patron at the desk ------------------------------------------------------------------


def test_a_card_from_another_site_is_found_at_the_desk(desk) -> None:
    found = patron_for_desk(actor=desk["tech"], barcode=" P300 ")
    assert found == desk["sam"]
    result = check_out(actor=desk["tech"], patron_barcode="P300", item_barcode="B1", at=MORNING)
    assert result.loan.patron == desk["sam"]


def test_only_the_exact_card_barcode_finds_a_patron(desk) -> None:
    assert patron_for_desk(actor=desk["tech"], barcode="P30") is None
    assert patron_for_desk(actor=desk["tech"], barcode="S-P300") is None  # a student ID
    assert patron_for_desk(actor=desk["tech"], barcode="") is None


def test_a_role_that_does_not_circulate_finds_no_patron_at_the_desk(desk, district) -> None:
    with pytest.raises(PermissionDenied):
        patron_for_desk(actor=district.users[Role.TEACHER].actor(), barcode="P100")


# --- lost items ------------------------------------------------------------------------------


def test_the_lost_cost_shown_is_what_mark_lost_charges(desk) -> None:
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(
        processing_fee=Decimal("5.00")
    )
    check_out(actor=desk["tech"], patron_barcode="P100", item_barcode="B1", at=MORNING)
    loan = open_loan_of(actor=desk["tech"], item_barcode="B1")
    assert loan is not None
    cost = lost_cost(loan)
    assert (cost.price, cost.processing_fee, cost.total) == (
        Decimal("17.99"),
        Decimal("5.00"),
        Decimal("22.99"),
    )
    result = mark_lost(actor=desk["tech"], item_barcode="B1", at=MORNING)
    assert result.charged == cost.total
    assert open_loan_of(actor=desk["tech"], item_barcode="B1") is None


def test_a_lost_item_found_at_check_in_says_what_was_credited(desk) -> None:
    check_out(actor=desk["tech"], patron_barcode="P100", item_barcode="B1", at=MORNING)
    mark_lost(actor=desk["tech"], item_barcode="B1", at=MORNING)
    assert Item.objects.get(barcode="B1").status == "lost"
    result = check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=3))
    assert result.credited == Decimal("17.99")
    assert balance(desk["ana"].pk) == Decimal("0.00")
