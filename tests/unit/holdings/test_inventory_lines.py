"""Reading a scan file's lines and call-number ranges: what a scanner adds is taken off, anything
else is named, never guessed at (octavo.holdings.inventory_rules). No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octavo.holdings.inventory_rules import (
    LineProblem,
    LineReason,
    parse_range,
    read_line,
    shelves_overlap,
)
from octavo.shared import barcodes
from octavo.shared.errors import InvalidInput

CODABAR = "31234000000008"  # a valid 14-digit library Codabar barcode


@pytest.mark.parametrize(
    "line",
    [
        CODABAR,
        f"{CODABAR}\r\n",
        f"{CODABAR}\n",
        f"  {CODABAR}\t ",
        f"\ufeff{CODABAR}",  # a byte-order mark on the first line
        f"\x02{CODABAR}\x03",  # STX/ETX framing
        f'"{CODABAR}"',
        f"*{CODABAR}*",  # Code 39 start/stop
        f"A{CODABAR}B",  # Codabar start/stop letters
        f"{CODABAR},2026-09-01,10:22:01",  # a portable scanner's CSV row
        f"{CODABAR};1",
        f"{CODABAR}\t2026-09-01",
        "3123 4000 0000 08",  # typed in groups: the check digit proves it one barcode
    ],
)
def test_what_a_scanner_adds_around_a_barcode_is_taken_off(line: str) -> None:
    assert read_line(line) == CODABAR


@given(st.integers(min_value=0, max_value=10**13 - 1))
def test_every_valid_codabar_barcode_is_read(body: int) -> None:
    digits = f"{body:013d}"
    barcode = digits + str(barcodes.check_digit(digits))
    assert read_line(barcode + "\r\n") == barcode
    assert read_line(f"A{barcode}A") == barcode


def test_free_form_barcodes_are_read_as_they_are() -> None:
    assert read_line("B-1.2_x\r\n") == "B-1.2_x"
    assert read_line("A123B") == "A123B"  # letters around digits that are not 14 digits stay


@pytest.mark.parametrize(
    ("line", "reason", "words"),
    [
        ("", LineReason.BLANK, "blank"),
        ("  \r\n", LineReason.BLANK, "blank"),
        ("\x00\x00", LineReason.BLANK, "blank"),
        ("3123400000000#", LineReason.STRAY_CHARACTERS, "'#'"),
        ("B 12", LineReason.STRAY_CHARACTERS, "' '"),
        ("é123", LineReason.STRAY_CHARACTERS, "'é'"),
        ("\ufffd\ufffd", LineReason.STRAY_CHARACTERS, "not a barcode"),  # undecodable bytes
        (",2026-09-01", LineReason.STRAY_CHARACTERS, "not a barcode"),
        ("31234000000009", LineReason.CHECK_DIGIT, "wrong check digit"),
        ("9" * 40, LineReason.TOO_LONG, "longer than 32"),
    ],
)
def test_a_line_that_is_not_a_barcode_says_why(line: str, reason: LineReason, words: str) -> None:
    problem = read_line(line)
    assert isinstance(problem, LineProblem)
    assert problem.reason is reason
    assert words in problem.detail


def test_a_column_heading_is_skipped_only_on_the_first_line() -> None:
    heading = read_line("Barcode,Date,Time", first=True)
    assert isinstance(heading, LineProblem) and heading.reason is LineReason.HEADING
    assert read_line("item", first=False) == "item"  # later, a free-form barcode like any other


def test_a_long_line_is_shortened_where_it_is_shown() -> None:
    problem = read_line("x" * 5000 + " y")
    assert isinstance(problem, LineProblem)
    assert len(problem.text) == 60 and problem.text.endswith("...")


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("500-599", ["500", "523.1 SMI", "599", "599.75 SMI", "599.9 ZZZ"], ["499.9", "600", ""]),
        ("FIC A-FIC C", ["FIC A", "FIC ADAMS", "FIC C", "FIC CARTER"], ["FIC D", "E SEU", "500"]),
        ("QA76-QA76", ["QA76", "QA76.73 .P98 2013"], ["QA760", "QA77"]),
        ("500-", ["500", "999.9", "FIC ZZZ"], ["499"]),
        ("-099", ["000", "099.5 X"], ["100"]),
        ("FIC SMI-JON - FIC T", ["FIC SMI-JON", "FIC T"], ["FIC SMI", "FIC U"]),
    ],
)
def test_a_call_number_range_holds_what_is_shelved_between_its_ends(
    text: str, inside: list[str], outside: list[str]
) -> None:
    shelf = parse_range(text)
    within = shelf.matcher()
    for call_number in inside:
        assert shelf.contains(call_number) and within(call_number), call_number
    for call_number in outside:
        assert not shelf.contains(call_number), call_number


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("500", "FROM-TO"),
        ("500-550-599", "FROM-TO"),
        ("-", "at least one end"),
        ("599-500", "comes after"),
    ],
)
def test_a_range_that_cannot_be_read_says_how_to_write_it(text: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=words) as raised:
        parse_range(text)
    assert raised.value.field == "range"


def test_a_range_reads_back_as_written() -> None:
    assert str(parse_range(" 500 -  599 ")) == "500-599"
    assert str(parse_range("fic a-fic c")) == "FIC A-FIC C"
    assert str(parse_range("FIC SMI-JON - FIC T")) == "FIC SMI-JON - FIC T"


@pytest.mark.parametrize(
    ("first", "second", "shared"),
    [
        ("500-599", "599.75 SMI-700", True),  # shelved under 599: in both
        ("500-599", "600-700", False),
        ("-599", "600-", False),
        ("-599", "550-", True),
        ("FIC A-FIC C", "FIC CARTER-FIC D", True),
        ("FIC A-FIC C", "FIC D-FIC F", False),
        ("QA76-QA77", "QA760-QA800", False),  # QA760 is not shelved under QA76
        ("500-599", "510-520", True),  # one inside the other
    ],
)
def test_two_ranges_share_shelves_when_a_call_number_could_be_in_both(
    first: str, second: str, shared: bool
) -> None:
    a, b = parse_range(first), parse_range(second)
    assert a.overlaps(b) is shared
    assert b.overlaps(a) is shared


def test_inventories_share_shelves_unless_their_locations_or_ranges_differ() -> None:
    low, high = parse_range("500-599"), parse_range("600-699")
    assert shelves_overlap(None, None, 3, high)  # the whole site holds every location
    assert shelves_overlap(3, None, 3, high)  # the whole location holds its ranges
    assert not shelves_overlap(3, None, 4, None)  # two locations
    assert not shelves_overlap(3, low, 4, low)
    assert not shelves_overlap(None, low, None, high)  # two ranges across the site
    assert shelves_overlap(None, low, 3, low)  # the site's 500s hold a location's 500s
