"""Barcodes as they come off label sheets and scanners."""

from __future__ import annotations

import pytest

from octavo.shared.barcodes import barcode_range, check_barcode, check_digit, is_codabar14
from octavo.shared.errors import InvalidInput


def test_codabar_check_digit_of_a_known_label() -> None:
    # 3 1234 00000000 8: a 14-digit item barcode (3 = item, 1234 = library); 8 checks it.
    assert check_digit("3123400000000") == 8
    assert is_codabar14("31234000000008")
    assert not is_codabar14("31234000000009")


def test_a_misread_codabar_scan_is_refused() -> None:
    with pytest.raises(InvalidInput, match="check digit"):
        check_barcode("31234000000009")


@pytest.mark.parametrize("free", ["A123", "T-0001", "LES.00042", "9"])
def test_free_form_barcodes_are_accepted(free) -> None:
    assert check_barcode(f" {free} ") == free


@pytest.mark.parametrize("bad", ["", "has space", "x" * 33, "é1"])
def test_bad_barcodes_name_the_field(bad) -> None:
    with pytest.raises(InvalidInput) as err:
        check_barcode(bad)
    assert err.value.field == "barcode"


def test_codabar_range_counts_the_body_and_recomputes_check_digits() -> None:
    run = barcode_range("31234000000008", 3)
    assert run[0] == "31234000000008"
    assert [b[:13] for b in run] == ["3123400000000", "3123400000001", "3123400000002"]
    assert all(is_codabar14(b) for b in run)


def test_free_form_range_keeps_the_stem_and_width() -> None:
    assert barcode_range("T-0098", 3) == ["T-0098", "T-0099", "T-0100"]


def test_a_range_needs_a_number_to_count_and_a_sane_size() -> None:
    with pytest.raises(InvalidInput, match="number"):
        barcode_range("ABC", 2)
    with pytest.raises(InvalidInput) as err:
        barcode_range("T-1", 5000)
    assert err.value.field == "count"
