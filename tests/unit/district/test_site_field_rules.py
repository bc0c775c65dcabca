"""Site codes, time zones and opening hours are checked before anything is written."""

from __future__ import annotations

from datetime import time

import pytest

from octavo.district.rules import Period, check_periods, check_time_zone, normalize_code
from octavo.shared.errors import InvalidInput


def test_codes_are_upper_cased_and_trimmed() -> None:
    assert normalize_code("  les ") == "LES"


@pytest.mark.parametrize("bad", ["", "   ", "LES SCHOOL", "é", "A" * 17, "-LES"])
def test_bad_codes_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_code(bad)
    assert err.value.field == "code"


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        check_time_zone("America/Springfield")
    assert err.value.field == "time_zone"
    assert "America/Springfield" in err.value.message


def test_known_time_zone_is_kept() -> None:
    assert check_time_zone("America/Chicago") == "America/Chicago"


def test_periods_must_open_before_they_close() -> None:
    with pytest.raises(InvalidInput, match="Monday"):
        check_periods([Period(0, time(15, 0), time(8, 0))])


def test_overlapping_periods_on_one_day_are_refused() -> None:
    with pytest.raises(InvalidInput, match="overlap"):
        check_periods([Period(2, time(8, 0), time(12, 0)), Period(2, time(11, 0), time(15, 0))])


def test_split_day_and_several_days_are_accepted_in_order() -> None:
    periods = [
        Period(1, time(13, 0), time(16, 0)),
        Period(0, time(8, 0), time(12, 0)),
        Period(1, time(8, 0), time(12, 0)),
    ]
    assert [(p.weekday, p.opens.hour) for p in check_periods(periods)] == [(0, 8), (1, 8), (1, 13)]


def test_weekday_out_of_range_is_refused() -> None:
    with pytest.raises(InvalidInput, match="weekday 7"):
        check_periods([Period(7, time(8, 0), time(9, 0))])


def test_opening_hours_with_a_time_zone_are_refused_not_compared() -> None:
    from datetime import UTC

    with pytest.raises(InvalidInput, match="local times"):
        check_periods(
            [Period(0, time(8, 0, tzinfo=UTC), time(9, 0)), Period(0, time(10, 0), time(11, 0))]
        )
