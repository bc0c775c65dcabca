"""The reports' pure rules: Dewey hundreds, the order of grades, medians and percentiles from
counts, age bands, the school year and a period that runs backwards. No database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from octavo.reports.rules import (
    age_band,
    average,
    check_period,
    dewey_class,
    grade_key,
    median,
    percentile,
    ratio,
    school_year_start,
    share,
)
from octavo.shared.errors import InvalidInput

DEWEY_EXAMPLES = [
    ("000", 0),
    ("005.133", 0),
    ("099.9", 0),
    ("100", 1),
    ("398.2", 3),
    ("599.75", 5),
    ("599", 5),
    ("811.54", 8),
    ("920", 9),
    ("92", 9),  # abridged individual biography, shelved with 920
    ("973.7", 9),
    ("999", 9),
    ("", None),
    ("5", None),
    ("59.2", None),
    ("1234", None),  # four digits: not a Dewey number
    ("QA76.73", None),
    ("FIC", None),
    ("92.5", None),
    ("٥٩٩", None),  # Arabic-Indic digits are not the call number's digits
]


@pytest.mark.parametrize(("call_class", "hundreds"), DEWEY_EXAMPLES)
def test_dewey_class_is_the_hundreds_of_a_three_digit_number(call_class, hundreds) -> None:
    assert dewey_class(call_class) == hundreds


def test_grades_go_pk_tk_k_then_1_to_12_then_others_then_blank() -> None:
    grades = ["", "12", "K", "2", "Adult", "PK", "10", "TK", "1"]
    assert sorted(grades, key=grade_key) == ["PK", "TK", "K", "1", "2", "10", "12", "Adult", ""]


def test_median_and_percentiles_come_from_counts() -> None:
    years = {1995: 1, 2005: 1, 2010: 2, 2018: 1, 2021: 1}  # six copies
    assert median(years) == Decimal("2010.0")
    assert median({2010: 2, 2021: 1}) == Decimal("2010.0")
    assert median({3: 1, 10: 1}) == Decimal("6.5")  # even count: the mean of the middle two
    assert percentile({3: 1, 10: 1}, Decimal("0.9")) == Decimal("10.0")
    assert percentile({1: 9, 30: 1}, Decimal("0.9")) == Decimal("1.0")
    assert average({2010: 2, 2021: 1}) == Decimal("2013.7")
    assert median({}) is None
    assert average({}) is None


def test_ratios_and_shares_round_half_up_and_do_not_divide_by_zero() -> None:
    assert ratio(7, 6) == Decimal("1.2")
    assert ratio(5, 0) is None
    assert share(1, 8) == Decimal("12.5")
    assert share(3, 7) == Decimal("42.9")
    assert share(1, 0) is None


@pytest.mark.parametrize(
    ("age", "band"), [(0, 0), (5, 0), (6, 1), (10, 1), (11, 2), (16, 3), (20, 3), (21, 4), (80, 4)]
)
def test_age_bands(age, band) -> None:
    assert age_band(age) == band


def test_the_school_year_starts_on_the_first_of_july() -> None:
    assert school_year_start(date(2026, 10, 15)) == date(2026, 7, 1)
    assert school_year_start(date(2026, 7, 1)) == date(2026, 7, 1)
    assert school_year_start(date(2026, 6, 30)) == date(2025, 7, 1)


def test_a_backwards_period_is_refused_naming_the_to_field() -> None:
    check_period(date(2026, 9, 1), date(2026, 9, 1))  # one day is a period
    with pytest.raises(InvalidInput) as refused:
        check_period(date(2026, 9, 30), date(2026, 9, 1))
    assert refused.value.field == "to"
    assert "2026-09-01 is before the start date 2026-09-30" in refused.value.message
