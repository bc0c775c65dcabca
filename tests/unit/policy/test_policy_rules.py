"""The circulation rules as a newcomer should read them: which policy row applies, when a loan
falls due, what blocks a check-out, what a late return costs. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from octavo.policy.rules import (
    ItemView,
    LoanRules,
    PatronView,
    RuleRow,
    checkout_blocks,
    overdue_fine,
    renewal_blocks,
    resolve,
)
from octavo.shared.calendar import Calendar, due_at
from octavo.shared.errors import Reason

SITE, OTHER_SITE, STUDENT, TEACHER, BOOK, AV = 1, 2, 10, 11, 20, 21
WEEKDAYS_8_TO_3 = [(d, time(8), time(15)) for d in range(5)]


def row(site=None, ptype=None, mtype=None, **rules) -> RuleRow:
    return RuleRow(site, ptype, mtype, LoanRules(**rules))


MATRIX = [
    row(loan_days=14),
    row(ptype=STUDENT, loan_days=7),
    row(ptype=STUDENT, mtype=AV, loan_days=2),
    row(site=SITE, loan_days=21),
    row(site=SITE, ptype=TEACHER, loan_days=28),
]


@pytest.mark.parametrize(
    ("site", "ptype", "mtype", "days"),
    [
        (OTHER_SITE, TEACHER, BOOK, 14),  # only the district row matches
        (OTHER_SITE, STUDENT, BOOK, 7),
        (OTHER_SITE, STUDENT, AV, 2),
        (SITE, STUDENT, AV, 21),  # the site's own row outranks any district row
        (SITE, TEACHER, None, 28),
    ],
)
def test_the_most_specific_row_wins_site_first(site, ptype, mtype, days) -> None:
    got = resolve(MATRIX, site_id=site, patron_type_id=ptype, material_type_id=mtype)
    assert got.rules.loan_days == days


def test_no_matching_row_is_a_broken_library_not_a_refusal() -> None:
    with pytest.raises(LookupError):
        resolve([row(site=SITE)], site_id=OTHER_SITE, patron_type_id=STUDENT, material_type_id=None)


CAL = Calendar.build(
    zone="America/Chicago", periods=WEEKDAYS_8_TO_3, closed=[date(2026, 11, 26), date(2026, 11, 27)]
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CAL.zone)


def test_a_day_loan_ending_on_thanksgiving_moves_to_the_next_open_day_at_closing() -> None:
    due = due_at(start=at("2026-11-12T10:00"), days=14, hours=0, calendar=CAL)
    assert due == at("2026-11-30T15:00")  # Thu 26 and Fri 27 closed, then the weekend


def test_an_hour_loan_is_due_by_closing_time() -> None:
    assert due_at(start=at("2026-11-30T10:00"), days=0, hours=2, calendar=CAL) == at(
        "2026-11-30T12:00"
    )
    assert due_at(start=at("2026-11-30T14:00"), days=0, hours=2, calendar=CAL) == at(
        "2026-11-30T15:00"
    )


def test_a_site_without_hours_is_open_every_day_until_midnight() -> None:
    calendar = Calendar.build(zone="UTC", periods=[])
    due = due_at(start=datetime(2026, 1, 3, 9, tzinfo=UTC), days=1, hours=0, calendar=calendar)
    assert due == datetime(2026, 1, 4, 23, 59, 59, tzinfo=UTC)


def test_a_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(start=datetime(2026, 1, 1), days=1, hours=0, calendar=CAL)  # noqa: DTZ001


def test_fines_count_open_days_only_and_stop_at_the_cap() -> None:
    rules = LoanRules(fine_per_day=Decimal("0.25"), fine_cap=Decimal("1.00"))
    due = at("2026-11-24T15:00")  # Tuesday
    # Wednesday 25, then closed Thu/Fri and the weekend, then Monday 30: 2 open days late.
    assert overdue_fine(due=due, returned=at("2026-11-30T09:00"), rules=rules, calendar=CAL) == (
        2,
        Decimal("0.50"),
    )
    assert overdue_fine(due=due, returned=at("2026-12-31T09:00"), rules=rules, calendar=CAL)[
        1
    ] == Decimal("1.00")
    assert overdue_fine(due=due, returned=at("2026-11-24T14:00"), rules=rules, calendar=CAL) == (
        0,
        Decimal("0.00"),
    )


def patron(**kw) -> PatronView:
    base = {
        "status": "active",
        "card_expires": None,
        "balance": Decimal("0"),
        "overdue_count": 0,
        "loans_counted": 0,
    }
    return PatronView(**{**base, **kw})


SHELF = ItemView(status="available", circulates=True, on_hold_for_someone_else=False)


@pytest.mark.parametrize(
    ("view", "item", "reason"),
    [
        (patron(status="blocked"), SHELF, Reason.PATRON_BLOCKED),
        (patron(card_expires=date(2026, 8, 31)), SHELF, Reason.PATRON_EXPIRED),
        (patron(balance=Decimal("10.01")), SHELF, Reason.FINES_OVER_LIMIT),
        (patron(overdue_count=4), SHELF, Reason.TOO_MANY_OVERDUES),
        (patron(loans_counted=5), SHELF, Reason.LIMIT_REACHED),
        (patron(), ItemView("available", False, False), Reason.ITEM_NOT_FOR_LOAN),
        (patron(), ItemView("on_hold_shelf", True, True), Reason.ITEM_ON_HOLD),
        (patron(), ItemView("in_repair", True, False), Reason.ITEM_UNAVAILABLE),
    ],
)
def test_each_block_on_its_own(view, item, reason) -> None:
    blocks = checkout_blocks(view, item, LoanRules(), today=date(2026, 9, 1))
    assert [b.reason for b in blocks] == [reason]


def test_a_clean_patron_and_a_shelf_item_meet_no_block_at_the_limits() -> None:
    view = patron(balance=Decimal("10.00"), overdue_count=3, loans_counted=4)
    assert checkout_blocks(view, SHELF, LoanRules(), today=date(2026, 9, 1)) == []
    found = ItemView(status="lost", circulates=True, on_hold_for_someone_else=False)
    assert checkout_blocks(patron(), found, LoanRules(), today=date(2026, 9, 1)) == []


def test_renewals_stop_at_the_limit_and_for_a_waiting_patron() -> None:
    rules = LoanRules(renewals=2)
    today = date(2026, 9, 1)
    assert (
        renewal_blocks(
            patron(), rules, renewals_done=1, on_hold_for_someone_else=False, today=today
        )
        == []
    )
    reasons = [
        b.reason
        for b in renewal_blocks(
            patron(), rules, renewals_done=2, on_hold_for_someone_else=True, today=today
        )
    ]
    assert reasons == [Reason.NO_RENEWALS_LEFT, Reason.ITEM_ON_HOLD]
