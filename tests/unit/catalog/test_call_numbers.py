"""Call numbers are read into their parts and put in the order a librarian shelves them."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octavo.catalog.callnumbers import (
    CallNumber,
    InvalidCallNumber,
    Scheme,
    ShelfRules,
    detect_scheme,
    parse_call_number,
    shelf_key,
    shelf_order,
    sort_call_numbers,
)


def assert_shelved(expected: list[str], *, scheme: Scheme = Scheme.AUTO, **kwargs) -> None:
    """Whatever order the cart arrives in, the shelf comes out as `expected`."""
    carts = [list(reversed(expected))]
    carts += [random.Random(seed).sample(expected, len(expected)) for seed in range(8)]
    for cart in carts:
        assert sort_call_numbers(cart, scheme=scheme, **kwargs) == expected


# Dewey


def test_dewey_class_numbers_shelve_as_decimals_not_as_text() -> None:
    assert_shelved(
        [
            "001.9 ABC",
            "005.133 PYT",
            "020 LIB",
            "292 HAM",
            "292.13 HAM",
            "398.2 GRI",
            "398.209 AFR",
            "398.21 AND",
            "500 SCI",
            "599.75 SMI",
            "599.8 KIN",
            "599.885 GOO",
            "600 TEC",
            "973.7 LIN",
            "973.71 MCP",
        ]
    )


def test_dewey_cutters_file_letter_by_letter_ignoring_case() -> None:
    assert_shelved(
        [
            "599.75 S",
            "599.75 SM",
            "599.75 SMI",
            "599.75 smit",
            "599.75 SMITH",
            "599.75 SMY",
            "599.75 SN",
        ]
    )


def test_cutter_sanborn_numbers_file_as_decimals() -> None:
    assert_shelved(["973.7 L63", "973.7 L631", "973.7 L7", "973.7 L72"])


def test_cutters_ignore_apostrophes_and_accents() -> None:
    assert_shelved(["FIC MUL", "FIC MUÑ", "FIC MUR", "FIC OBA", "FIC O'BRIEN", "FIC OBRY"])


def test_years_volumes_and_copies_file_as_numbers_copy_last() -> None:
    assert_shelved(
        [
            "599.75 SMI",
            "599.75 SMI c.2",
            "599.75 SMI 1998",
            "599.75 SMI 2010",
            "599.75 SMI 2010 c.2",
            "599.75 SMI 2010 c.10",
            "599.75 SMI v.1 c.2",
            "599.75 SMI v.2 c.1",
            "599.75 SMI v.10",
            "599.75 SMIT",
        ]
    )


def test_spelled_out_and_spaced_enumerations_read_the_same() -> None:
    for written in ("599.75 SMI v.3 c.2", "599.75 SMI vol. 3 copy 2", "599.75 smi V. 3 C. 2"):
        call = parse_call_number(written)
        assert (call.volume, call.copy) == ("v.3", "c.2")
        assert str(call) == "599.75 SMI v.3 c.2"


def test_92_biographies_shelve_after_collective_biography_with_921() -> None:
    assert_shelved(
        [
            "919.8 ARC",
            "920 FAM",
            "920.72 WOM",
            "92 KEL",
            "921 LIN",
            "92 WAS",
            "929.4 NAM",
            "930 ANC",
        ]
    )


@pytest.mark.parametrize("written", ["16 ABC", "5.1 ABC", "92.5 ABC", "E 16 ABC"])
def test_dewey_class_numbers_need_three_digits_before_the_point(written: str) -> None:
    with pytest.raises(InvalidCallNumber, match="three digits before the point") as err:
        parse_call_number(written)
    assert err.value.field == "call_number"


def test_dewey_segmentation_marks_are_ignored() -> None:
    call = parse_call_number("971.004/97 SMI")
    assert call.classification == "971.00497"
    assert shelf_key("971.004/97 SMI")[:4] == shelf_key("971.00497 SMI")[:4]


# Prefixes and sections


def test_each_prefix_is_a_section_after_the_main_collection_in_alphabetical_order() -> None:
    assert_shelved(
        [
            "599.75 SMI",
            "92 WAS",
            "QA76.73.P98 L877 2013",
            "B LIN",
            "E 398.2 GRI",
            "E SEU",
            "FIC ROW",
            "J 599 ANI",
            "J FIC ROW",
            "REF 973.7 LIN",
            "SC ANT",
            "YA FIC COL",
        ]
    )


def test_easy_section_shelves_class_numbers_before_authors() -> None:
    assert_shelved(["E", "E 398.2 GRI", "E 599 ANI", "E ALL", "E SEU", "E SEU 2", "E SEU CAT"])


def test_fiction_shelves_by_author_then_title_letters_then_numbers_first() -> None:
    assert_shelved(
        [
            "FIC COL",
            "FIC COL 2",
            "FIC COL 10",
            "FIC COL CAT",
            "FIC COL HUN",
            "FIC COL HUN 2",
            "FIC COLF",
            "FIC ROW",
        ]
    )


def test_biography_section_shelves_by_the_subject_cutter() -> None:
    assert_shelved(["B DOU", "B KEL", "B LIN", "B LINC", "B WAS"])


def test_prefixes_are_read_in_any_case_and_with_a_full_stop() -> None:
    for written in ("REF 973.7 LIN", "ref 973.7 lin", "Ref. 973.7 Lin"):
        call = parse_call_number(written)
        assert (call.prefix, call.classification, call.cutter) == ("REF", "973.7", "LIN")


def test_a_library_chooses_its_own_section_order() -> None:
    rules = ShelfRules(section_order=("ref", "", "E", "fic"))
    assert_shelved(
        ["REF 031 WOR", "599.75 SMI", "E SEU", "FIC ROW", "B LIN", "YA FIC COL"],
        rules=rules,
    )


def test_a_library_adds_its_own_prefixes() -> None:
    rules = ShelfRules(prefixes=frozenset({"GRAPHIC", "FIC"}))
    call = parse_call_number("GRAPHIC SMI", rules=rules)
    assert (call.prefix, call.cutter, call.scheme) == ("GRAPHIC", "SMI", None)
    with pytest.raises(InvalidCallNumber):
        parse_call_number("E SEU", rules=rules)


def test_an_unlisted_prefix_before_a_class_number_is_its_own_section() -> None:
    call = parse_call_number("LOCAL 372.4 SMI")
    assert (call.prefix, call.classification, call.scheme) == ("LOCAL", "372.4", Scheme.DEWEY)
    assert parse_call_number("SCI 500 ABC").prefix == "SCI"  # SCI is no LC class


def test_words_after_a_known_prefix_are_the_author_not_a_class() -> None:
    call = parse_call_number("FIC HE 3")
    assert (call.prefix, call.cutters, call.extras, call.scheme) == ("FIC", ("HE",), ("3",), None)


# LC


def test_lc_classes_file_by_letters_then_whole_number_then_decimal() -> None:
    assert_shelved(
        [
            "Q1 .A2",
            "Q175 .S4",
            "QA9 .B6",
            "QA76 .C3",
            "QA76.73.P98 L877 2013",
            "QA76.9 .D3",
            "QA100 .B3",
            "QB43 .S2",
            "R850 .A1",
        ],
        scheme=Scheme.LC,
    )


def test_lc_cutters_file_as_decimal_fractions() -> None:
    assert_shelved(
        [
            "QA76.73.P98",
            "QA76.73.P98 2005",
            "QA76.73.P98 L877 2013",
            "QA76.73.P98 L88",
            "QA76.73.P985 A1",
            "QA76.73.P99",
        ]
    )


def test_lc_dates_and_volumes_file_as_numbers() -> None:
    assert_shelved(
        [
            "KF4550 .Z9 B76",
            "KF4550 .Z9 B76 2005",
            "KF4550 .Z9 B76 2011",
            "KF4550 .Z9 B76 2011 v.2",
            "KF4550 .Z9 B76 2011 v.10",
            "PS3545.I345 Z46 1998",
        ]
    )


@pytest.mark.parametrize(
    "written",
    [
        "QA76.73.P98 L877 2013",
        "QA76.73 .P98 L877 2013",
        "QA 76.73 P98 L877 2013",
        "QA76.73 P98 L877 2013",
        "qa76.73.p98l877 2013",
    ],
)
def test_lc_spacing_and_the_dot_before_the_first_cutter_are_optional(written: str) -> None:
    call = parse_call_number(written)
    assert call.scheme is Scheme.LC
    assert (call.classification, call.cutters, call.extras) == (
        "QA76.73",
        ("P98", "L877"),
        ("2013",),
    )
    assert str(call) == "QA76.73 .P98 L877 2013"


def test_lc_scheme_reads_a_one_letter_class_that_is_also_a_prefix() -> None:
    assert parse_call_number("B 105 .A35", scheme=Scheme.LC).classification == "B105"
    auto = parse_call_number("B 105 .A35")
    assert (auto.prefix, auto.classification) == ("B", "105")


# Schemes


@pytest.mark.parametrize(
    ("written", "scheme"),
    [
        ("599.75 SMI", Scheme.DEWEY),
        ("92 WAS", Scheme.DEWEY),
        ("REF 973.7 LIN", Scheme.DEWEY),
        ("E 398.2 GRI", Scheme.DEWEY),
        ("QA76.73.P98 L877 2013", Scheme.LC),
        ("QA 76.73 P98", Scheme.LC),
        ("E185.5 .B3", Scheme.LC),
        ("REF QA76.73 .P98", Scheme.LC),
        ("FIC ROW", None),
        ("Harry Potter", None),
        ("", None),
    ],
)
def test_scheme_is_detected_line_by_line(written: str, scheme: Scheme | None) -> None:
    assert detect_scheme(written) is scheme


def test_mixed_input_shelves_dewey_then_lc_then_sections_then_unread_lines() -> None:
    assert_shelved(
        [
            "599.75 SMI",
            "973.7 LIN",
            "PS3545.I345 Z46 1998",
            "QA76.73.P98 L877 2013",
            "E SEU",
            "FIC ROW",
            "REF 973.7 LIN",
            "REF ???",
            "Harry Potter",
            "ZZZ",
        ]
    )


def test_a_dewey_library_does_not_read_lc_call_numbers() -> None:
    with pytest.raises(InvalidCallNumber, match="no Dewey class number"):
        parse_call_number("QA76.73 .P98", scheme=Scheme.DEWEY)


def test_an_lc_library_does_not_read_dewey_call_numbers() -> None:
    with pytest.raises(InvalidCallNumber, match="no LC class"):
        parse_call_number("599.75 SMI", scheme=Scheme.LC)


# Parts for item editing


def test_parts_are_kept_for_editing_an_item() -> None:
    call = parse_call_number("  ref 599.75 smi 2010 v.2 c.3 ")
    assert call.text == "  ref 599.75 smi 2010 v.2 c.3 "
    assert (call.prefix, call.classification, call.cutter) == ("REF", "599.75", "SMI")
    assert (call.extras, call.volume, call.copy) == (("2010", "v.2", "c.3"), "v.2", "c.3")
    assert str(call) == "REF 599.75 SMI 2010 v.2 c.3"


def test_a_call_number_built_from_item_fields_shelves_like_the_typed_one() -> None:
    built = CallNumber(
        text="599.75 SMI c.2",
        scheme=Scheme.DEWEY,
        classification="599.75",
        cutters=("SMI",),
        extras=("c.2",),
    )
    assert shelf_key(built) == shelf_key("599.75 SMI c.2")


# Unreadable lines


def test_unreadable_lines_say_why() -> None:
    with pytest.raises(InvalidCallNumber, match="no Dewey or LC class number"):
        parse_call_number("Harry Potter")
    with pytest.raises(InvalidCallNumber, match="cannot read '\\?\\?\\?'") as err:
        parse_call_number("REF ???")
    assert err.value.prefixes == ("REF",)


def test_shelf_order_drops_blank_lines_and_names_unreadable_lines_by_number() -> None:
    order = shelf_order(["FIC ROW", "", "Harry Potter", "   ", "599.75 SMI", "REF ???"])
    assert order.lines == ("599.75 SMI", "FIC ROW", "REF ???", "Harry Potter")
    assert [(u.line_number, u.text, u.section) for u in order.unread] == [
        (3, "Harry Potter", ""),
        (6, "REF ???", "REF"),
    ]


def test_lines_are_returned_exactly_as_given() -> None:
    lines = ["  fic row\r", "599.75   smi "]
    assert shelf_order(lines).lines == ("599.75   smi ", "  fic row\r")


# Properties

PREFIXES = st.sampled_from(["", "REF ", "E ", "FIC ", "J FIC ", "B ", "YA ", "DVD "])
DEWEY = st.builds(
    lambda whole, fraction: f"{whole:03d}" + (f".{fraction}" if fraction else ""),
    st.integers(0, 999),
    st.text("0123456789", max_size=6),
)
LC = st.builds(
    lambda letters, number, fraction: f"{letters}{number}" + (f".{fraction}" if fraction else ""),
    st.sampled_from(["Q", "QA", "QB", "PS", "KF", "E", "F", "HF", "DAW"]),
    st.integers(1, 9999),
    st.text("0123456789", max_size=3),
)
CUTTER = st.from_regex(r"\.?[A-Za-z]{1,4}[0-9]{0,3}", fullmatch=True)
EXTRA = st.from_regex(r"(19|20)[0-9]{2}|v\.[0-9]{1,2}|c\.[0-9]{1,2}|pt\. ?[0-9]", fullmatch=True)
CALL_NUMBERS = st.builds(
    lambda prefix, cls, cutters, extras: " ".join([prefix + cls, *cutters, *extras]),
    PREFIXES,
    st.one_of(DEWEY, LC, st.just("")),
    st.lists(CUTTER, max_size=3),
    st.lists(EXTRA, max_size=3),
)
LINES = st.one_of(CALL_NUMBERS, st.text(max_size=30))


@given(st.text(), st.text())
def test_any_two_texts_compare_without_error(a: str, b: str) -> None:
    ka, kb = shelf_key(a), shelf_key(b)
    assert sum([ka < kb, ka == kb, ka > kb]) == 1


@given(LINES, LINES, LINES)
def test_shelf_order_is_transitive(a: str, b: str, c: str) -> None:
    x, y, z = sorted([shelf_key(a), shelf_key(b), shelf_key(c)])
    assert x <= y <= z and x <= z


@given(st.lists(LINES, max_size=30), st.randoms())
def test_sorting_keeps_every_line_is_idempotent_and_ignores_arrival_order(
    lines: list[str], rnd: random.Random
) -> None:
    shelved = sort_call_numbers(lines)
    assert Counter(shelved) == Counter(lines)
    assert sort_call_numbers(shelved) == shelved
    assert sort_call_numbers(rnd.sample(lines, len(lines))) == shelved


@given(CALL_NUMBERS)
def test_the_normal_form_reads_back_to_the_same_shelf_place(written: str) -> None:
    try:
        call = parse_call_number(written)
    except InvalidCallNumber:
        return
    assert shelf_key(str(call))[:4] == shelf_key(call)[:4]


@given(DEWEY, DEWEY)
def test_dewey_order_is_decimal_order(a: str, b: str) -> None:
    if Decimal(a) < Decimal(b):
        assert shelf_key(f"{a} SMI") < shelf_key(f"{b} SMI")


@given(st.from_regex(r"[0-9]*[1-9]", fullmatch=True), st.from_regex(r"[0-9]*[1-9]", fullmatch=True))
def test_lc_cutter_order_is_decimal_fraction_order(a: str, b: str) -> None:
    if Decimal(f"0.{a}") < Decimal(f"0.{b}"):
        assert shelf_key(f"QA76.73.P{a}") < shelf_key(f"QA76.73.P{b}")
