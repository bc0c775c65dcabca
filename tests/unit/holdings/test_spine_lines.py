"""Spine labels: a call number broken into lines the way libraries do, and fitted to a label
by reportlab's own measurements (octavo.holdings.labels.spine)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from octavo.holdings.labels.spine import (
    SMALLEST,
    SPINE_FONT,
    fit_lines,
    fit_text,
    spine_text,
    truncate,
)
from octavo.holdings.labels.stocks import INCH


@pytest.mark.parametrize(
    ("call_number", "lines"),
    [
        ("FIC ROW", ("FIC", "ROW")),
        ("599.75 SMI 2010 c.2", ("599.75", "SMI", "2010", "c.2")),
        ("QA76.73.P98 L877 2013", ("QA", "76.73", ".P98", "L877", "2013")),
        ("QA 76.73 .P98 L877 2013", ("QA", "76.73", ".P98", "L877", "2013")),
        ("J FIC Row v.2 c.3", ("J", "FIC", "Row", "v.2", "c.3")),
        ("REF 031 WOR 2020 v.12", ("REF", "031", "WOR", "2020", "v.12")),
        ("E SEU", ("E", "SEU")),
        ("92 WAS", ("92", "WAS")),
        ("  599.75   SMI  ", ("599.75", "SMI")),
    ],
)
def test_call_number_breaks_into_prefix_class_cutter_year_volume_copy(call_number, lines):
    text = spine_text(call_number)
    assert text.split
    assert text.lines == lines


def test_a_call_number_that_cannot_be_read_is_printed_whole_and_says_why():
    text = spine_text("??? shelf by the window")
    assert not text.split
    assert text.lines == ("??? shelf by the window",)
    assert "no Dewey or LC class number" in text.reason


def test_no_call_number_has_no_lines():
    text = spine_text("   ")
    assert text.lines == () and not text.split


def _fit(call_number: str, width_in: float, height_in: float = 2.0):
    return fit_lines(
        spine_text(call_number).choices, width=width_in * INCH, height=height_in * INCH
    )


def test_dewey_number_too_wide_breaks_after_the_decimal_point():
    # 599.757 at 12 pt bold is about 0.65 in; a 0.55 in spine breaks it, keeping 12 pt.
    fitted = _fit("599.757 SMI", 0.55)
    assert fitted.lines == ("599", ".757", "SMI")
    assert fitted.size == 12 and fitted.fits


def test_longer_dewey_number_breaks_again_after_each_three_digits():
    fitted = _fit("641.597309 KEL", 0.42)
    assert fitted.lines == ("641", ".597", "309", "KEL")
    assert fitted.fits


def test_dewey_number_that_fits_stays_on_one_line():
    assert _fit("599.757 SMI", 1.0).lines == ("599.757", "SMI")


def test_lines_too_many_for_the_label_shrink_the_font_before_anything_is_flagged():
    fitted = _fit("J FIC Row 2010 v.2 c.3", 1.0, 0.8)
    assert 6 <= fitted.size < 12
    assert fitted.fits
    assert len(fitted.lines) * fitted.size * 1.15 <= 0.8 * INCH


def test_on_a_short_wide_label_parts_share_lines_before_the_font_gets_small():
    # Avery 5167: 1 3/4 x 1/2 in, 1/16 in kept clear all round.
    fitted = _fit("827.839 GAR 2019 v.3 c.2", 1.625, 0.375)
    assert fitted.lines == ("827.839 GAR", "2019 v.3 c.2")
    assert fitted.size >= 11 and fitted.fits
    assert _fit("QA76.73.P98 L877 2013", 1.625, 0.375).lines == ("QA 76.73 .P98", "L877 2013")


def test_text_that_does_not_fit_even_at_the_smallest_size_is_flagged_not_cut():
    fitted = _fit("J FIC Row 2010 v.2 c.3", 0.3, 0.3)
    assert not fitted.fits
    assert fitted.size == SMALLEST
    assert fitted.lines == ("J", "FIC", "Row", "2010", "v.2", "c.3")


@settings(max_examples=150, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=999),
    fraction=st.text(alphabet="0123456789", min_size=0, max_size=9),
    cutter=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=4),
    width=st.floats(min_value=0.35, max_value=3.5),
    height=st.floats(min_value=0.4, max_value=2.0),
)
def test_fitted_lines_never_exceed_the_printable_width_when_they_fit(
    whole, fraction, cutter, width, height
):
    call = f"{whole:03d}{'.' + fraction if fraction else ''} {cutter}"
    fitted = _fit(call, width, height)
    measured = max(stringWidth(line, SPINE_FONT, fitted.size) for line in fitted.lines)
    assert measured == pytest.approx(fitted.widest)
    if fitted.fits:
        assert measured <= width * INCH + 1e-6
        assert len(fitted.lines) * fitted.size * 1.15 <= height * INCH + 1e-6
    # Nothing is lost: the lines joined give back the class number and the cutter.
    printed = "".join(fitted.lines).replace(".", "").replace(" ", "")
    assert printed == call.replace(".", "").replace(" ", "")


def test_one_line_shrinks_to_fit_a_width():
    size, fits = fit_text("North Elementary", width=60, font="Helvetica", largest=12, smallest=5)
    assert fits and stringWidth("North Elementary", "Helvetica", size) <= 60


def test_a_title_too_long_is_cut_at_a_word_with_an_ellipsis():
    cut = truncate("The Very Hungry Caterpillar and Friends", width=90, font="Helvetica", size=8)
    assert cut.endswith("…") and cut.startswith("The Very")
    assert stringWidth(cut, "Helvetica", 8) <= 90
