"""Cells a spreadsheet would run as formulas: told apart, and neutralized for CSV and XLSX files
(the roster import keeps them as text; the reports' files neutralize them)."""

from __future__ import annotations

import pytest

from octavo.shared.cells import looks_like_formula, neutralized


@pytest.mark.parametrize("value", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_cells_a_spreadsheet_would_run_look_like_formulas(value: str) -> None:
    assert looks_like_formula(value)


@pytest.mark.parametrize("value", ["Pérez", "O'Neil", "1-2", "", " =1"])
def test_ordinary_cells_do_not_look_like_formulas(value: str) -> None:
    assert not looks_like_formula(value)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://example.org","x")', '\'=HYPERLINK("http://example.org","x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Frog and Toad", "Frog and Toad"),
        ("599.75 SMI", "599.75 SMI"),
    ],
)
def test_formula_cells_are_written_with_a_leading_apostrophe(value: str, written: str) -> None:
    assert neutralized(value) == written
