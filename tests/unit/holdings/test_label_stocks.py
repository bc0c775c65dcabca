"""Label stocks: the table's geometry (every label on the page, none overlapping), the names
people type, custom sizes and start positions (octavo.holdings.labels.stocks), and the lists
people hand in (octavo.holdings.labels.content)."""

from __future__ import annotations

import pytest

from octavo.holdings.labels.content import (
    marker_range,
    range_count,
    read_barcode_lines,
    read_marker_lines,
    split_range,
)
from octavo.holdings.labels.stocks import (
    INCH,
    MM,
    STOCKS,
    check_start,
    get_stock,
    sheets_needed,
)
from octavo.shared.errors import InvalidInput

# (labels a sheet, label width x height in inches): Avery's figures for each product.
AVERY = {
    "avery-5160": (30, 2.625, 1.0),
    "avery-5161": (20, 4.0, 1.0),
    "avery-5163": (10, 4.0, 2.0),
    "avery-5167": (80, 1.75, 0.5),
    "avery-6577": (32, 3.4375, 0.625),
    "avery-5266": (30, 3.4375, 2 / 3),
}


@pytest.mark.parametrize(("name", "figures"), AVERY.items())
def test_avery_stocks_have_their_count_and_label_size(name, figures):
    stock = get_stock(name)
    count, width, height = figures
    assert stock.per_sheet == count
    assert stock.label_width == pytest.approx(width * INCH)
    assert stock.label_height == pytest.approx(height * INCH)
    assert (stock.page_width, stock.page_height) == (8.5 * INCH, 11 * INCH)


@pytest.mark.parametrize("stock", STOCKS.values(), ids=list(STOCKS))
def test_every_label_lies_on_the_page_and_none_overlaps_another(stock):
    boxes = []
    for position in range(stock.per_sheet):
        x, y = stock.origin(position)
        assert x >= 0 and x + stock.label_width <= stock.page_width + 1e-6
        assert y >= 0 and y + stock.label_height <= stock.page_height + 1e-6
        boxes.append((x, y, x + stock.label_width, y + stock.label_height))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] + 1e-6 or b[2] <= a[0] + 1e-6
            assert apart or a[3] <= b[1] + 1e-6 or b[3] <= a[1] + 1e-6


def test_positions_run_across_then_down_from_the_top_left():
    stock = get_stock("avery-5160")
    first, second, fourth = stock.origin(0), stock.origin(1), stock.origin(3)
    assert first == pytest.approx((0.15625 * INCH, (11 - 0.5 - 1) * INCH))
    assert second[1] == first[1] and second[0] > first[0]
    assert fourth[0] == first[0] and fourth[1] == pytest.approx(first[1] - INCH)


@pytest.mark.parametrize("name", ["5160", "Avery 5160", "AVERY-5160", " avery-5160 "])
def test_a_stock_is_found_by_the_number_on_the_box(name):
    assert get_stock(name).name == "avery-5160"


def test_an_unknown_stock_names_the_ones_there_are():
    with pytest.raises(InvalidInput, match=r"no label stock '5999' \(there are: avery-5160"):
        get_stock("5999")


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("custom:2x1", 2 * INCH, INCH), ("custom:2x1in", 2 * INCH, INCH),
     ("custom:50x25mm", 50 * MM, 25 * MM), ("custom:1.5x1", 1.5 * INCH, INCH)],
)  # fmt: skip
def test_a_custom_size_is_a_roll_label_in_inches_or_millimetres(name, width, height):
    stock = get_stock(name)
    assert stock.roll and stock.per_sheet == 1
    assert (stock.label_width, stock.label_height) == pytest.approx((width, height))
    assert (stock.page_width, stock.page_height) == pytest.approx((width, height))


@pytest.mark.parametrize("name", ["custom:0.1x1", "custom:20x1", "custom:2by1", "custom:x"])
def test_a_custom_size_out_of_reason_is_refused(name):
    with pytest.raises(InvalidInput):
        get_stock(name)


def test_start_position_skips_the_used_labels_of_a_partly_used_sheet():
    stock = get_stock("avery-5160")
    assert check_start(stock, 1) == 0 and check_start(stock, 30) == 29
    assert sheets_needed(stock, 30, 1) == 1
    assert sheets_needed(stock, 30, 2) == 2
    assert sheets_needed(stock, 1, 30) == 1
    for wrong in (0, 31):
        with pytest.raises(InvalidInput, match="start from 1 to 30"):
            check_start(stock, wrong)


def test_a_roll_has_no_start_position():
    with pytest.raises(InvalidInput, match="is a roll"):
        check_start(get_stock("roll-2x1"), 2)


def test_barcode_lists_skip_blank_lines_repeats_and_non_barcodes_by_line():
    wanted, skipped = read_barcode_lines(
        ["31234000000016", "", "B2", "31234000000016", "31234000000017", "no way!"]
    )
    assert [(w.line, w.barcode) for w in wanted] == [(1, "31234000000016"), (3, "B2")]
    assert [(s.where, s.value) for s in skipped] == [
        ("line 2", ""),
        ("line 4", "31234000000016"),
        ("line 5", "31234000000017"),
        ("line 6", "no way!"),
    ]
    assert "already listed on line 1" in skipped[1].reason
    assert "wrong check digit" in skipped[2].reason


@pytest.mark.parametrize(
    ("text", "ends", "count"),
    [
        ("31234000000016-31234000000099", ("31234000000016", "31234000000099"), 9),
        ("B001-B120", ("B001", "B120"), 120),
        ("T-0001-T-0100", ("T-0001", "T-0100"), 100),
    ],
)
def test_a_barcode_range_is_read_even_when_barcodes_hold_hyphens(text, ends, count):
    assert split_range(text) == ends
    assert range_count(*ends) == count


@pytest.mark.parametrize("text", ["B120-B001", "A1-B9", "B1"])
def test_a_range_that_cannot_count_is_refused(text):
    with pytest.raises(InvalidInput):
        range_count(*split_range(text))


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("599 - 612.9 JON", ("599", "612.9 JON")),
        ("000-299", ("000", "299")),
        ("QA76 to QA80", ("QA76", "QA80")),
        ("E ABC\u2013E ZZZ", ("E ABC", "E ZZZ")),
        ("FIC", ("FIC", "")),
    ],
)
def test_shelf_marker_ranges(text, ends):
    assert marker_range(text) == ends


def test_shelf_marker_list_reports_blank_lines():
    batch = read_marker_lines(["000 - 299", " ", "300 - 599"], library="NES")
    assert [(m.first, m.last, m.library) for m in batch.labels] == [
        ("000", "299", "NES"),
        ("300", "599", "NES"),
    ]
    assert [str(s) for s in batch.skipped] == ["line 2: blank line"]
