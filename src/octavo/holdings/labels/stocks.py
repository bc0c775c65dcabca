"""Label stocks: where each label sits on a sheet (or a roll), from one table. No Django.

A stock is data: page size, columns and rows, label size, the first label's offset from the
page's top-left corner, and the pitch (one label's left or top edge to the next one's). Adding
a stock is adding a row to `STOCKS`, never code.

Sources for the figures (inches, US Letter 8.5 x 11, top-left origin):
- 5160, 5161, 5167: the Avery templates as published by glabels (templates/avery-us-templates.
  xml in jimevins/glabels-qt) and CPAN's Paper::Specs::Avery::NNNN, which agree on the label
  size, rows, columns and top margin; side margins and pitch differ by under 1/32" between them
  and the glabels ones are used.
- 5163: glabels (x0 0.1625, dx 4.1875); Paper::Specs gives a 0.17 side margin.
- 5266: glabels lists it with the 5366 filing-label family (2/3" x 3 7/16", 2 x 15, x0
  0.53125, dx 4.0); Paper::Specs::Avery::5266 gives 0.539 / 0.505 margins, within 1/64".
- 6577: 5/8" x 3 7/16" permanent file folder labels, 32 a sheet (2 x 16), from the product's
  description; neither source lists it, so the columns are taken to sit where the 5366
  family's do and 16 rows of 5/8" leave the same 1/2" top and bottom margins. Measure a sheet
  before relying on it; a site's printer offsets correct small differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import floor

from octavo.shared.errors import InvalidInput

INCH = 72.0  # PDF points
MM = INCH / 25.4
LETTER = (8.5, 11.0)

# The part of a label kept clear of print: die-cut labels shift by up to this much on a sheet
# (glabels' markup margin for these stocks is 1/16").
PADDING = 0.0625


@dataclass(frozen=True, slots=True)
class Stock:
    """One stock, in PDF points; `top` is the first label's distance from the page's top."""

    name: str
    description: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    padding: float = PADDING * INCH
    roll: bool = False  # one label a page, fed from a roll (a thermal label printer)

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    @property
    def printable_width(self) -> float:
        return self.label_width - 2 * self.padding

    @property
    def printable_height(self) -> float:
        return self.label_height - 2 * self.padding

    def origin(self, position: int) -> tuple[float, float]:
        """The bottom-left corner (PDF coordinates, from the page's bottom-left) of the label at
        `position` on its sheet: 0 is the top-left label, then across, then down."""
        if not 0 <= position < self.per_sheet:
            raise ValueError(f"{self.name} has positions 0 to {self.per_sheet - 1}")
        row, column = divmod(position, self.columns)
        x = self.left + column * self.pitch_x
        y = self.page_height - self.top - row * self.pitch_y - self.label_height
        return x, y


def _sheet(
    name: str,
    description: str,
    *,
    columns: int,
    rows: int,
    size: tuple[float, float],
    first: tuple[float, float],
    pitch: tuple[float, float],
    page: tuple[float, float] = LETTER,
) -> Stock:
    return Stock(
        name=name,
        description=description,
        page_width=page[0] * INCH,
        page_height=page[1] * INCH,
        columns=columns,
        rows=rows,
        label_width=size[0] * INCH,
        label_height=size[1] * INCH,
        left=first[0] * INCH,
        top=first[1] * INCH,
        pitch_x=pitch[0] * INCH,
        pitch_y=pitch[1] * INCH,
    )


def _roll(name: str, description: str, width: float, height: float) -> Stock:
    """A roll of labels `width` x `height` (points): each label is a page of its own size."""
    return Stock(
        name=name,
        description=description,
        page_width=width,
        page_height=height,
        columns=1,
        rows=1,
        label_width=width,
        label_height=height,
        left=0.0,
        top=0.0,
        pitch_x=width,
        pitch_y=height,
        # A thermal printer places the label to the dot; a narrower margin than a sheet's.
        padding=0.04 * INCH,
        roll=True,
    )


STOCKS: dict[str, Stock] = {
    stock.name: stock
    for stock in (
        _sheet(
            "avery-5160",
            "Avery 5160: 30 a sheet, 2 5/8 x 1 in",
            columns=3, rows=10, size=(2.625, 1.0), first=(0.15625, 0.5), pitch=(2.78125, 1.0),
        ),
        _sheet(
            "avery-5161",
            "Avery 5161: 20 a sheet, 4 x 1 in",
            columns=2, rows=10, size=(4.0, 1.0), first=(0.15625, 0.5), pitch=(4.1875, 1.0),
        ),
        _sheet(
            "avery-5163",
            "Avery 5163: 10 a sheet, 4 x 2 in",
            columns=2, rows=5, size=(4.0, 2.0), first=(0.1625, 0.5), pitch=(4.1875, 2.0),
        ),
        _sheet(
            "avery-5167",
            "Avery 5167: 80 a sheet, 1 3/4 x 1/2 in",
            columns=4, rows=20, size=(1.75, 0.5), first=(0.28125, 0.5), pitch=(2.0625, 0.5),
        ),
        _sheet(
            "avery-6577",
            "Avery 6577: 32 a sheet, 3 7/16 x 5/8 in (file folder)",
            columns=2, rows=16, size=(3.4375, 0.625), first=(0.53125, 0.5), pitch=(4.0, 0.625),
        ),
        _sheet(
            "avery-5266",
            "Avery 5266: 30 a sheet, 3 7/16 x 2/3 in (filing)",
            columns=2, rows=15, size=(3.4375, 2 / 3), first=(0.53125, 0.5), pitch=(4.0, 2 / 3),
        ),
        # The common size of direct-thermal barcode and spine labels on a desktop printer.
        _roll("roll-2x1", "Roll, 2 x 1 in (thermal label printer)", 2.0 * INCH, 1.0 * INCH),
    )
}  # fmt: skip

_TIMES = "x\u00d7"  # 2x1 or 2\u00d71
_CUSTOM = re.compile(
    rf"^custom:(\d+(?:\.\d+)?)[{_TIMES}](\d+(?:\.\d+)?)(in|mm)?$", re.IGNORECASE | re.ASCII
)
# A custom size is a roll label: between a 1/2 in (13 mm) square and a Letter page.
_SMALLEST, _WIDEST, _TALLEST = 0.5 * INCH, 8.5 * INCH, 11.0 * INCH


def stock_names() -> list[str]:
    return list(STOCKS)


def get_stock(name: str) -> Stock:
    """The stock called `name`: `avery-5160` (or `5160`, `Avery 5160`), `roll-2x1`, or
    `custom:WxH` with W and H in inches (`custom:2x1`, `custom:2x1in`) or millimetres
    (`custom:50x25mm`), a roll of labels that size."""
    text = " ".join(name.split())
    custom = _CUSTOM.match(text.replace(" ", ""))
    if custom is not None:
        width, height, unit = custom.groups()
        scale = MM if (unit or "in").lower() == "mm" else INCH
        w, h = float(width) * scale, float(height) * scale
        if not (_SMALLEST <= w <= _WIDEST and _SMALLEST <= h <= _TALLEST):
            raise InvalidInput(
                f"{name!r}: a custom label is from 0.5 x 0.5 in (13 x 13 mm) to 8.5 x 11 in",
                field="stock",
            )
        label = f"custom:{_number(w / INCH)}x{_number(h / INCH)}in"
        return _roll(
            label, f"Custom roll label, {_number(w / INCH)} x {_number(h / INCH)} in", w, h
        )
    key = text.lower().replace(" ", "-")
    if key.isdigit():
        key = f"avery-{key}"
    found = STOCKS.get(key)
    if found is None:
        known = ", ".join([*STOCKS, "custom:WxH (in or mm)"])
        raise InvalidInput(f"no label stock {name!r} (there are: {known})", field="stock")
    return found


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def check_start(stock: Stock, start: int) -> int:
    """The 0-based position of the first label: `start` counts from 1 at the top-left, across
    then down, so that 1 to N-1 are the labels already used on a partly used sheet."""
    if stock.roll:
        if start != 1:
            raise InvalidInput(f"{stock.name} is a roll: it has no start position", field="start")
        return 0
    if not 1 <= start <= stock.per_sheet:
        raise InvalidInput(
            f"{stock.name} has {stock.per_sheet} labels a sheet: start from 1 to {stock.per_sheet}",
            field="start",
        )
    return start - 1


def sheets_needed(stock: Stock, count: int, start: int = 1) -> int:
    """Pages for `count` labels from position `start` (1-based)."""
    if count <= 0:
        return 0
    return floor((check_start(stock, start) + count - 1) / stock.per_sheet) + 1
