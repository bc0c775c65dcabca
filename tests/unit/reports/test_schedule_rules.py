"""When a scheduled report is due and the days it covers; the addresses it goes to. No
database."""

from __future__ import annotations

from datetime import date

import pytest

from octavo.reports.rules import Every, due_on, period_before, recipients
from octavo.shared.errors import InvalidInput


@pytest.mark.parametrize(
    ("every", "day", "due"),
    [
        (Every.WEEK, date(2026, 9, 21), date(2026, 9, 21)),  # a Monday: due that day
        (Every.WEEK, date(2026, 9, 27), date(2026, 9, 21)),  # the Sunday after: still that one
        (Every.WEEK, date(2026, 9, 28), date(2026, 9, 28)),
        (Every.MONTH, date(2026, 10, 1), date(2026, 10, 1)),
        (Every.MONTH, date(2026, 10, 31), date(2026, 10, 1)),
        (Every.MONTH, date(2027, 1, 2), date(2027, 1, 1)),
        (Every.DAY, date(2026, 9, 23), date(2026, 9, 23)),
    ],
)
def test_the_day_a_report_was_last_due(every, day, due) -> None:
    assert due_on(every, day) == due


@pytest.mark.parametrize(
    ("every", "due", "period"),
    [
        (Every.WEEK, date(2026, 9, 21), (date(2026, 9, 14), date(2026, 9, 20))),  # Mon to Sun
        (Every.MONTH, date(2026, 10, 1), (date(2026, 9, 1), date(2026, 9, 30))),
        (Every.MONTH, date(2026, 3, 1), (date(2026, 2, 1), date(2026, 2, 28))),
        (Every.MONTH, date(2027, 1, 1), (date(2026, 12, 1), date(2026, 12, 31))),
        (Every.DAY, date(2026, 9, 23), (date(2026, 9, 22), date(2026, 9, 22))),
    ],
)
def test_the_days_just_ended(every, due, period) -> None:
    assert period_before(every, due) == period


def test_addresses_by_comma_semicolon_or_line_each_once() -> None:
    text = "principal@example.org; Office@Example.org\nvice@example.org, office@example.org"
    assert recipients(text) == ["principal@example.org", "Office@Example.org", "vice@example.org"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "at least one"),
        ("principal@example.org, Ms Diaz", "'Ms' is not an e-mail address"),
        ("principal@", "'principal@' is not an e-mail address"),
        (
            ", ".join(f"t{n}@example.org" for n in range(11)),
            "11 addresses: a report goes to at most 10",
        ),
    ],
)
def test_what_is_not_a_list_of_addresses_names_the_field(text, words) -> None:
    with pytest.raises(InvalidInput) as refused:
        recipients(text)
    assert refused.value.field == "recipients"
    assert words in refused.value.message
