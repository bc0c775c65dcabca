"""The desk's three actions, as the services do them for every interface, on SQLite and
PostgreSQL: check out, check in, renew, with the policy matrix, the site calendar, fines and
the privacy rule."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.errors import Refused
from octavo.circulation.models import CirculationEvent, Loan
from octavo.circulation.services import check_in, check_out, renew, renew_all
from octavo.district.models import ClosedDay, OpeningHours
from octavo.fines.models import LedgerEntry
from octavo.fines.selectors import balance
from octavo.holdings.models import Item, Transit
from octavo.holdings.services import ItemFields, add_items
from octavo.patrons.models import Patron, PatronType
from octavo.patrons.services import PatronFields, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied, Reason

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
# Tuesday 1 September 2026, 08:00 in the morning at the sites (Pacific time).
MORNING = T0.replace(hour=15)


@pytest.fixture
def desk(district, cli_actor):
    """North Elementary open Monday to Friday 08:00-15:30; two books and a reference book;
    Ana (a 3rd grader) and Ben (a teacher); the technician at the desk."""
    for weekday in range(5):
        OpeningHours.objects.create(
            site=district.north, weekday=weekday, opens=time(8), closes=time(15, 30)
        )
    record = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["B1", "B2", "B3"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["R1"],
        fields=ItemFields(site_code="NES", material_type="reference"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["S1"],
        fields=ItemFields(site_code="SES", material_type="book"),
        at=T0,
    )
    ana = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P100",
            first_name="Ana",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
            grade="3",
        ),
        at=T0,
    )
    ben = create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P200",
            first_name="Ben",
            last_name="Okafor",
            patron_type="teacher",
            site_code="NES",
        ),
        at=T0,
    )
    return {
        "ana": ana,
        "ben": ben,
        "tech": district.users[Role.TECHNICIAN].actor(),
        "helper": district.users[Role.STUDENT_HELPER].actor(),
    }


def out(desk, item="B1", patron="P100", at=MORNING, **kw):
    return check_out(actor=desk["tech"], patron_barcode=patron, item_barcode=item, at=at, **kw)


def test_a_check_out_is_due_at_closing_time_on_the_fourteenth_day(desk) -> None:
    result = out(desk)
    # 1 Sept + 14 days = Tuesday 15 September, 15:30 at the site.
    assert result.due_at.astimezone(PACIFIC).replace(tzinfo=None).isoformat() == (
        "2026-09-15T15:30:00"
    )
    assert Item.objects.get(barcode="B1").status == "checked_out"
    assert Loan.objects.get(item__barcode="B1").patron == desk["ana"]


def test_a_due_date_never_falls_on_a_closed_day(desk, district) -> None:
    ClosedDay.objects.create(site=district.north, day=date(2026, 9, 15), reason="In-service")
    PolicyRule.objects.filter(site=None, patron_type=None, material_type=None).update(loan_days=12)
    # 1 Sept + 12 = Sunday 13th (closed every week), Monday 14th open.
    assert out(desk).due_at.astimezone(PACIFIC).date() == date(2026, 9, 14)
    PolicyRule.objects.update(loan_days=14)  # Tuesday 15th: the in-service day
    assert out(desk, item="B2").due_at.astimezone(PACIFIC).date() == date(2026, 9, 16)


def test_the_most_specific_policy_row_decides(desk, district) -> None:
    student = PatronType.objects.get(code="student")
    PolicyRule.objects.create(patron_type=student, loan_days=7)
    PolicyRule.objects.create(site=district.north, patron_type=student, loan_days=3)
    assert out(desk).due_at.astimezone(PACIFIC).date() == date(2026, 9, 4)
    # The teacher falls back to the district row: 14 days.
    teacher = out(desk, item="B2", patron="P200")
    assert teacher.due_at.astimezone(PACIFIC).date() == date(2026, 9, 15)


def test_a_double_scan_within_a_second_makes_one_loan(desk) -> None:
    first = out(desk)
    again = out(desk, at=MORNING + timedelta(milliseconds=400))
    assert again.repeated and again.loan.pk == first.loan.pk
    assert Loan.objects.count() == 1
    assert CirculationEvent.objects.filter(kind="check_out").count() == 1


def test_an_item_out_to_someone_else_is_refused_and_never_overridden(desk) -> None:
    out(desk)
    with pytest.raises(Refused) as refused:
        out(desk, patron="P200", overrides={"item_checked_out"})
    assert refused.value.reason is Reason.ITEM_CHECKED_OUT
    assert "check it in first" in refused.value.message


def test_each_block_explains_itself_and_all_are_listed(desk) -> None:
    Patron.objects.filter(pk=desk["ana"].pk).update(card_expires=date(2026, 8, 31))
    with pytest.raises(Refused) as refused:
        out(desk, item="R1")
    reasons = [b.reason for b in refused.value.blocks]
    assert reasons == [Reason.PATRON_EXPIRED, Reason.ITEM_NOT_FOR_LOAN]
    assert "expired" in refused.value.message and "not for loan" in refused.value.message
    assert not Loan.objects.exists()
    assert Item.objects.get(barcode="R1").status == "available"


def test_the_item_limit_counts_the_patrons_loans(desk) -> None:
    PolicyRule.objects.update(max_items=2)
    out(desk, item="B1")
    out(desk, item="B2")
    with pytest.raises(Refused) as refused:
        out(desk, item="B3")
    assert refused.value.reason is Reason.LIMIT_REACHED


def test_an_override_needs_the_right_role_and_is_audited(desk) -> None:
    from octavo.audit.models import AuditEntry

    PolicyRule.objects.update(max_items=1)
    out(desk, item="B1")
    with pytest.raises(PermissionDenied):
        check_out(
            actor=desk["helper"],
            patron_barcode="P100",
            item_barcode="B2",
            at=MORNING,
            overrides={"limit_reached"},
        )
    result = out(desk, item="B2", overrides={"limit_reached"})
    assert result.overridden == (Reason.LIMIT_REACHED,)
    entry = AuditEntry.objects.get(action="loan.override")
    assert entry.object_id == str(desk["ana"].pk)
    assert entry.changes == {"overridden": [None, ["limit_reached"]]}
    # The audit log pairs the patron with the reason, never with the item (privacy).
    assert "B2" not in str(entry.changes) and "Frog" not in entry.object_repr


def test_a_barcode_scanned_into_the_wrong_box_is_named(desk) -> None:
    with pytest.raises(InvalidInput, match="P100 is a patron's card"):
        out(desk, item="P100")
    with pytest.raises(InvalidInput, match="B1 is an item's barcode"):
        out(desk, patron="B1")
    with pytest.raises(NotFound, match="no item with barcode 'NOPE'"):
        out(desk, item="NOPE")


def test_staff_circulate_only_at_their_own_sites(desk) -> None:
    # The technician works at North: a desk at South is not theirs.
    with pytest.raises(PermissionDenied):
        out(desk, item="B1", site_code="SES")
    # South's book brought to North's desk goes out from North, under North's policy.
    assert out(desk, item="S1").loan.site.code == "NES"


def test_a_late_return_is_fined_for_open_days_only(desk) -> None:
    PolicyRule.objects.update(fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"))
    out(desk)  # due Tuesday 15 September
    # Returned Monday 21 September: late on 16, 17, 18 (Wed-Fri) and 21 (Mon) = 4 open days.
    returned = MORNING + timedelta(days=20)
    result = check_in(actor=desk["tech"], item_barcode="B1", at=returned)
    assert (result.late_days, result.fine) == (4, Decimal("0.40"))
    assert balance(desk["ana"].pk) == Decimal("0.40")
    charge = LedgerEntry.objects.get()
    assert charge.charge_type == "overdue" and charge.item is None


def test_grace_days_forgive_a_slightly_late_return(desk) -> None:
    PolicyRule.objects.update(fine_per_day=Decimal("0.25"), grace_days=2)
    out(desk)
    result = check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=16))
    assert (result.late_days, result.fine) == (2, Decimal("0.00"))
    assert not LedgerEntry.objects.exists()


def test_a_returned_loan_keeps_no_patron_unless_they_keep_a_history(desk) -> None:
    out(desk, item="B1")
    out(desk, item="B2", patron="P200")
    Patron.objects.filter(pk=desk["ben"].pk).update(keeps_reading_history=True)
    check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=1))
    check_in(actor=desk["tech"], item_barcode="B2", at=MORNING + timedelta(days=1))
    ana_loan = Loan.objects.get(item__barcode="B1")
    assert ana_loan.patron is None and ana_loan.status == "returned"
    # What statistics need stays: the patron type and grade, not the person.
    assert (ana_loan.patron_type.code, ana_loan.grade) == ("student", "3")
    assert Loan.objects.get(item__barcode="B2").patron == desk["ben"]
    assert (
        not CirculationEvent.objects.filter(kind="check_in").exclude(grade__in=["3", ""]).exists()
    )


def test_an_item_returned_at_another_site_goes_home_in_transit(desk, district) -> None:
    out(desk, item="B1")
    librarian = district.users[Role.DISTRICT_ADMIN].actor()
    away = check_in(actor=librarian, item_barcode="B1", at=MORNING, site_code="SES")
    assert away.destination == "transit" and away.to_site.code == "NES"
    assert Item.objects.get(barcode="B1").status == "in_transit"
    home = check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=1))
    assert home.destination == "shelf" and not home.was_checked_out
    assert Item.objects.get(barcode="B1").status == "available"
    assert Transit.objects.get().arrived_at is not None


def test_renewal_extends_from_today_until_the_limit(desk) -> None:
    PolicyRule.objects.update(renewals=1)
    out(desk)
    later = MORNING + timedelta(days=10)
    renewed = renew(actor=desk["tech"], item_barcode="B1", at=later)
    assert renewed.due_at.astimezone(PACIFIC).date() == date(2026, 9, 25)
    with pytest.raises(Refused) as refused:
        renew(actor=desk["tech"], item_barcode="B1", at=later)
    assert refused.value.reason is Reason.NO_RENEWALS_LEFT


def test_renew_all_renews_what_it_can_and_says_why_not_for_the_rest(desk) -> None:
    out(desk, item="B1")
    out(desk, item="B2")
    Loan.objects.filter(item__barcode="B2").update(renewals=2)
    lines = renew_all(actor=desk["tech"], patron_barcode="P100", at=MORNING + timedelta(days=3))
    assert {line.item_barcode: line.result is not None for line in lines} == {
        "B1": True,
        "B2": False,
    }
    (refused,) = [line.refused for line in lines if line.refused]
    assert refused.reason is Reason.NO_RENEWALS_LEFT


def test_renewing_an_item_that_is_not_out_is_refused(desk) -> None:
    with pytest.raises(Refused) as refused:
        renew(actor=desk["tech"], item_barcode="B1", at=MORNING)
    assert refused.value.reason is Reason.NOT_CHECKED_OUT


def test_a_lost_book_is_billed_and_credited_back_when_it_turns_up(desk) -> None:
    from octavo.circulation.services import mark_lost
    from octavo.fines.services import pay, refund

    PolicyRule.objects.update(processing_fee=Decimal("3.00"))
    Item.objects.filter(barcode="B1").update(price=Decimal("17.99"))
    out(desk)
    lost = mark_lost(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=40))
    assert lost.charged == Decimal("20.99")
    assert balance(desk["ana"].pk) == Decimal("20.99")
    assert Item.objects.get(barcode="B1").status == "lost"
    assert Loan.objects.get().status == "lost" and Loan.objects.get().patron is None
    pay(
        actor=desk["tech"],
        patron_id=desk["ana"].pk,
        amount="20.99",
        method="cash",
        site_code="NES",
        at=MORNING + timedelta(days=41),
    )
    assert balance(desk["ana"].pk) == Decimal("0.00")
    # Found behind a radiator: the replacement cost comes back as credit; the fee stands.
    found = check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=60))
    assert found.destination == "shelf" and Item.objects.get(barcode="B1").status == "available"
    assert balance(desk["ana"].pk) == Decimal("-17.99")
    refund(
        actor=desk["tech"],
        patron_id=desk["ana"].pk,
        amount="17.99",
        method="cash",
        site_code="NES",
        at=MORNING + timedelta(days=60),
    )
    assert balance(desk["ana"].pk) == Decimal("0.00")


def test_a_claimed_return_ends_the_loan_without_a_fine_and_the_item_is_missing(desk) -> None:
    from octavo.circulation.services import claim_returned

    PolicyRule.objects.update(fine_per_day=Decimal("1.00"))
    out(desk)
    claim_returned(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=30))
    assert Item.objects.get(barcode="B1").status == "missing"
    assert balance(desk["ana"].pk) == Decimal("0.00")
    # It is found on the shelf later: checked in, nothing charged.
    back = check_in(actor=desk["tech"], item_barcode="B1", at=MORNING + timedelta(days=31))
    assert back.fine == Decimal("0.00") and not back.was_checked_out


def test_a_student_helper_cannot_charge_a_patron_for_a_lost_book(desk) -> None:
    from octavo.circulation.services import mark_lost

    Item.objects.filter(barcode="B1").update(price=Decimal("9.99"))
    out(desk)
    with pytest.raises(PermissionDenied):
        mark_lost(actor=desk["helper"], item_barcode="B1", at=MORNING + timedelta(days=40))
    assert balance(desk["ana"].pk) == Decimal("0.00")
    assert Loan.objects.get().status == "open"


def test_the_desk_marks_a_copy_seen_when_it_goes_out_and_comes_back(desk) -> None:
    # An inventory's missing list and a weeding list read "last seen" (issue #8): a copy in a
    # reader's hands this morning was seen, whatever the last inventory said.
    assert Item.objects.get(barcode="B1").last_seen_at is None
    out(desk, item="B1")
    assert Item.objects.get(barcode="B1").last_seen_at == MORNING
    back = MORNING + timedelta(days=3)
    check_in(actor=desk["tech"], item_barcode="B1", at=back)
    assert Item.objects.get(barcode="B1").last_seen_at == back


def test_a_site_named_at_the_desk_is_known_as_soon_as_it_is_added(desk, district) -> None:
    # The site's code is read from memory while the configuration stands (the kiosks name it
    # on every request): a site added afterwards is known at once, an unknown one named.
    from octavo.district.services import create_site

    with pytest.raises(NotFound, match="site: no site with code 'wes'"):
        out(desk, site_code="wes")
    assert not Loan.objects.exists()
    create_site(
        actor=district.users[Role.DISTRICT_ADMIN].actor(),
        code="WES",
        name="West Elementary",
        at=MORNING,
    )
    librarian = district.users[Role.DISTRICT_ADMIN].actor()
    done = check_out(
        actor=librarian, patron_barcode="P100", item_barcode="B1", at=MORNING, site_code="wes"
    )
    assert done.loan.site.code == "WES"
