"""Grades from rosters, folded names, e-mail, the PIN lock and the patron status table: pure
rules, no database (formula-looking cells: tests/unit/shared/test_cells.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from octavo.patrons.rules import (
    PIN_FAILURE_LIMIT,
    check_email,
    fold,
    parent_chooses_history,
    pin_locked_until,
    roster_grade,
)
from octavo.patrons.states import TRANSITIONS, PatronEvent, PatronStatus, advance
from octavo.shared.errors import InvalidInput

AT = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "grade"),
    [("KG", "K"), ("03", "3"), ("12", "12"), ("PK", "PK"), ("TK", "TK"), ("PR", "PK"),
     ("IT", "PK"), ("UG", ""), ("Other", ""), ("", ""), ("04,05", "4")],
)  # fmt: skip
def test_oneroster_grade_codes_become_octavo_grades(value: str, grade: str) -> None:
    assert roster_grade(value) == grade


@pytest.mark.parametrize("value", ["13", "PS", "3rd", "14"])
def test_grades_octavo_cannot_move_up_are_refused_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidInput) as err:
        roster_grade(value)
    assert err.value.field == "grade"


@pytest.mark.parametrize(
    ("name", "folded"),
    [("Pérez", "perez"), ("  Núñez  ", "nunez"), ("García López", "garcia lopez"),
     ("ØRSTED", "ørsted"), ("Straße", "strasse"), ("Zoë", "zoe")],
)  # fmt: skip
def test_names_fold_to_lower_case_without_accents(name: str, folded: str) -> None:
    assert fold(name) == folded


def test_email_is_loosely_checked_and_blank_is_allowed() -> None:
    assert check_email(" ana@example.org ") == "ana@example.org"
    assert check_email("") == ""
    for bad in ("ana", "ana@", "ana at example.org", "a@b@c.org", "ana@example"):
        with pytest.raises(InvalidInput):
            check_email(bad)


def test_fewer_than_five_failures_do_not_lock() -> None:
    failures = [AT - timedelta(minutes=n) for n in range(PIN_FAILURE_LIMIT - 1)]
    assert pin_locked_until(failures, AT) is None


def test_five_failures_in_fifteen_minutes_lock_until_the_oldest_leaves_the_window() -> None:
    failures = [AT - timedelta(minutes=n) for n in (0, 1, 2, 3, 10)]
    assert pin_locked_until(failures, AT) == AT + timedelta(minutes=5)


def test_failures_older_than_fifteen_minutes_do_not_count() -> None:
    failures = [AT - timedelta(minutes=n) for n in (0, 1, 2, 3, 15, 20)]
    assert pin_locked_until(failures, AT) is None


def test_only_the_listed_status_moves_are_allowed() -> None:
    assert advance(PatronStatus.ACTIVE, PatronEvent.BLOCK) is PatronStatus.BLOCKED
    assert advance(PatronStatus.EXPIRED, PatronEvent.RETURN) is PatronStatus.ACTIVE
    for status in PatronStatus:
        for event in PatronEvent:
            if (status, event) not in TRANSITIONS:
                with pytest.raises(InvalidInput) as err:
                    advance(status, event)
                assert err.value.field == "status"


@pytest.mark.parametrize("grade", ["PK", "TK", "K", "1", "3", "6"])
def test_a_parent_chooses_the_reading_history_through_grade_6(grade):
    assert parent_chooses_history(grade)


@pytest.mark.parametrize("grade", ["7", "9", "12", ""])
def test_from_grade_7_and_for_adults_the_patron_chooses(grade):
    assert not parent_chooses_history(grade)
