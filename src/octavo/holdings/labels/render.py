"""Labels laid out on a stock and drawn as PDF with reportlab. No Django.

`plan` decides everything first: where each label goes (the start position skips the used
labels of a partly used sheet; the site's printer offsets shift the whole page), the spine
lines and their font size, the barcode's symbology and bar width, and every flag a person
must see before printing (a call number printed whole, text or bars that do not fit). The
preview shows a plan; `draw` writes it. Measurements are reportlab's own (stringWidth, the
barcode widgets' widths), so what the preview says fits is what the PDF prints.

Barcodes (reportlab.graphics.barcode): Codabar with the site's start and stop characters and
no check character of its own (the 14-digit library form carries its check digit in the
number: octavo.shared.barcodes), Code 39 without a check character, Code 128. Each has a quiet
zone of ten bar widths on both sides, and bars from 6.5 mils (the narrowest reportlab's
Codabar allows, two dots of a 300 dpi printer) to 13 mils.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from reportlab import rl_config
from reportlab.graphics.barcode.code39 import Standard39
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.common import Barcode, Codabar
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from octavo.holdings.labels.content import Kind, Label, PrinterSetup, Symbology
from octavo.holdings.labels.spine import (
    SPINE_FONT,
    Fitted,
    fit_lines,
    fit_text,
    spine_text,
    truncate,
)
from octavo.holdings.labels.stocks import INCH, MM, Stock, check_start

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
BAR_MAX = 0.013 * INCH
BAR_MIN = 0.0065 * INCH
QUIET = 10  # bar widths of white on each side of the bars
BAR_MIN_HEIGHT = 0.15 * INCH  # shorter bars need a careful aim at the desk
_CODABAR_CHARS = frozenset("0123456789-$:/.+")
_CODE39_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%")
_GREY = Color(0.6, 0.6, 0.6)


class Flag:
    """Why a label needs a look before printing; `code` for programs, `message` for people."""

    NOT_SPLIT = "not_split"
    DOES_NOT_FIT = "does_not_fit"
    BARS_TOO_WIDE = "bars_too_wide"
    BARS_TOO_SHORT = "bars_too_short"
    OTHER_SYMBOLOGY = "other_symbology"
    NO_CALL_NUMBER = "no_call_number"


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Words:
    """The few words printed on labels, in the language of whoever prints them."""

    photo: str = "Photo"
    to: str = "to"


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    font: str
    size: float
    x: float  # the centre of the line
    y: float  # the baseline


@dataclass(frozen=True, slots=True)
class Bars:
    symbology: Symbology
    value: str  # as encoded (Codabar with its start and stop characters)
    bar_width: float
    height: float
    x: float
    y: float
    width: float  # bars and quiet zones


@dataclass(frozen=True, slots=True)
class Placed:
    """One label on the page: `number` counts labels from 1, `page` and `position` from 0;
    x and y are its bottom-left corner with the printer offsets applied."""

    number: int
    label: Label
    page: int
    position: int
    x: float
    y: float
    texts: tuple[Text, ...] = ()
    bars: Bars | None = None
    photo: Box | None = None
    spine: Fitted | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True)
class Plan:
    kind: Kind
    stock: Stock
    start: int  # 1-based, as asked
    setup: PrinterSetup
    placed: tuple[Placed, ...]
    pages: int
    words: Words = field(default_factory=Words)

    @property
    def flagged(self) -> list[Placed]:
        return [p for p in self.placed if p.problems]


def plan(
    labels: Sequence[Label],
    *,
    kind: Kind,
    stock: Stock,
    start: int = 1,
    setup: PrinterSetup | None = None,
    words: Words | None = None,
) -> Plan:
    setup = setup or PrinterSetup()
    words = words or Words()
    first = check_start(stock, start)
    dx, dy = setup.offset_x_mm * MM, -setup.offset_y_mm * MM
    placed = []
    for index, label in enumerate(labels):
        page, position = divmod(first + index, stock.per_sheet)
        x, y = stock.origin(position)
        area = Box(
            x + dx + stock.padding,
            y + dy + stock.padding,
            stock.printable_width,
            stock.printable_height,
        )
        design = _DESIGNS[kind](label, area, setup, words)
        placed.append(
            Placed(
                number=index + 1,
                label=label,
                page=page,
                position=position,
                x=x + dx,
                y=y + dy,
                texts=tuple(design.texts),
                bars=design.bars,
                photo=design.photo,
                spine=design.spine,
                problems=tuple(design.problems),
            )
        )
    pages = placed[-1].page + 1 if placed else 0
    return Plan(kind, stock, start, setup, tuple(placed), pages, words)


# --- designs: what goes where on one label ----------------------------------------------------


@dataclass
class _Design:
    texts: list[Text] = field(default_factory=list)
    bars: Bars | None = None
    photo: Box | None = None
    spine: Fitted | None = None
    problems: list[Problem] = field(default_factory=list)


def _spine(label: Label, box: Box, design: _Design) -> None:
    text = spine_text(label.call_number)
    if not text.choices:
        design.problems.append(Problem(Flag.NO_CALL_NUMBER, "no call number to print"))
        return
    if not text.split:
        design.problems.append(
            Problem(Flag.NOT_SPLIT, f"printed whole, not split into lines: {text.reason}")
        )
    fitted = fit_lines(text.choices, width=box.width, height=box.height)
    design.spine = fitted
    if not fitted.fits:
        design.problems.append(
            Problem(
                Flag.DOES_NOT_FIT,
                f"the call number does not fit this label even at {fitted.size:g} pt "
                f"({_inches(fitted.widest)} x {_inches(fitted.height)} in of text, "
                f"{_inches(box.width)} x {_inches(box.height)} in of label)",
            )
        )
    leading = fitted.size * 1.15
    # The block of lines centred up and down; each line centred across, as spine labels are.
    top = box.y + (box.height + len(fitted.lines) * leading) / 2
    for n, line in enumerate(fitted.lines):
        baseline = top - (n + 1) * leading + (leading - fitted.size) / 2 + fitted.size * 0.22
        design.texts.append(Text(line, SPINE_FONT, fitted.size, box.x + box.width / 2, baseline))


def _inches(points: float) -> str:
    return f"{points / INCH:.2f}"


def _line(design: _Design, text: str, font: str, size: float, box: Box, baseline: float) -> None:
    shown = truncate(text, width=box.width, font=font, size=size)
    if shown:
        design.texts.append(Text(shown, font, size, box.x + box.width / 2, baseline))


def _barcode_block(
    label: Label, box: Box, setup: PrinterSetup, design: _Design, *, title: bool
) -> None:
    """Library name on top, the bars, the barcode in figures, the title at the bottom; the title
    and then the library name give way on labels too small for them and the bars."""
    size = max(5.0, min(8.0, box.height * 0.13))
    line = size * 1.15
    kept = [
        part
        for part, there in (("library", label.library), ("title", title and label.title))
        if there
    ]
    while kept and box.height - line * (1 + len(kept)) < BAR_MIN_HEIGHT:
        kept.pop()  # the title first, then the library's name
    show_library, show_title = "library" in kept, "title" in kept
    top = box.y + box.height
    if show_library:
        _line(design, label.library, BOLD, size, box, top - size)
        top -= line + 1.0
    bottom = box.y
    if show_title:
        _line(design, label.title, FONT, size, box, bottom + size * 0.25)
        bottom += line
    figures_size, _ = fit_text(
        label.barcode, width=box.width, font=FONT, largest=size + 1, smallest=5.0
    )
    _line(design, label.barcode, FONT, figures_size, box, bottom + figures_size * 0.25)
    bottom += figures_size * 1.15
    _bars(label.barcode, Box(box.x, bottom, box.width, max(top - bottom - 1, 1)), setup, design)


def _bars(barcode: str, box: Box, setup: PrinterSetup, design: _Design) -> None:
    symbology, value, note = _symbology(barcode, setup)
    if note:
        design.problems.append(Problem(Flag.OTHER_SYMBOLOGY, note))
    units = _widget(symbology, value, 1.0, 1.0).width + 2 * QUIET
    bar_width = min(BAR_MAX, box.width / units)
    if bar_width < BAR_MIN:
        design.problems.append(
            Problem(
                Flag.BARS_TOO_WIDE,
                f"the bars need {_inches(units * BAR_MIN)} in at the narrowest a scanner reads; "
                f"this label has {_inches(box.width)} in",
            )
        )
    if box.height < BAR_MIN_HEIGHT:
        design.problems.append(
            Problem(
                Flag.BARS_TOO_SHORT,
                f"the bars are {_inches(box.height)} in tall; scanners want "
                f"{_inches(BAR_MIN_HEIGHT)} in",
            )
        )
    width = units * bar_width
    design.bars = Bars(
        symbology=symbology,
        value=value,
        bar_width=bar_width,
        height=box.height,
        x=box.x + (box.width - width) / 2,
        y=box.y,
        width=width,
    )


def _symbology(barcode: str, setup: PrinterSetup) -> tuple[Symbology, str, str]:
    """(symbology, value to encode, a note when the site's choice could not be used)."""
    wanted = setup.symbology
    codabar = f"{setup.codabar_start}{barcode}{setup.codabar_stop}"
    if wanted is Symbology.AUTO:
        return (
            (Symbology.CODABAR, codabar, "")
            if barcode.isascii() and barcode.isdigit()
            else (Symbology.CODE128, barcode, "")
        )
    if wanted is Symbology.CODABAR and set(barcode) <= _CODABAR_CHARS:
        return Symbology.CODABAR, codabar, ""
    if wanted is Symbology.CODE39 and set(barcode) <= _CODE39_CHARS:
        return Symbology.CODE39, barcode, ""
    if wanted is Symbology.CODE128:
        return Symbology.CODE128, barcode, ""
    return (
        Symbology.CODE128,
        barcode,
        f"printed as Code 128: {barcode} cannot be written in {_NAMES[wanted]}",
    )


_NAMES = {
    Symbology.CODABAR: "Codabar",
    Symbology.CODE39: "Code 39",
    Symbology.CODE128: "Code 128",
    Symbology.AUTO: "",
}


def _widget(symbology: Symbology, value: str, bar_width: float, height: float) -> Barcode:
    common: dict[str, Any] = {"barWidth": bar_width, "barHeight": height, "quiet": 0}
    if symbology is Symbology.CODABAR:
        return Codabar(value, ratio=2.5, checksum=0, **common)
    if symbology is Symbology.CODE39:
        return Standard39(value, ratio=2.5, checksum=0, **common)
    return Code128(value, **common)


def _split(box: Box) -> tuple[Box, Box]:
    """A spine part and a barcode part: side by side on a wide label, one above the other on a
    tall one."""
    gap = 0.0625 * INCH
    if box.width >= box.height:
        spine = min(box.width * 0.36, 1.1 * INCH)
        return (
            Box(box.x, box.y, spine, box.height),
            Box(box.x + spine + gap, box.y, box.width - spine - gap, box.height),
        )
    half = (box.height - gap) / 2
    return (
        Box(box.x, box.y + half + gap, box.width, half),
        Box(box.x, box.y, box.width, half),
    )


def _design_spine(label: Label, box: Box, setup: PrinterSetup, words: Words) -> _Design:
    design = _Design()
    _spine(label, box, design)
    return design


def _design_barcode(label: Label, box: Box, setup: PrinterSetup, words: Words) -> _Design:
    design = _Design()
    _barcode_block(label, box, setup, design, title=True)
    return design


def _design_spine_barcode(label: Label, box: Box, setup: PrinterSetup, words: Words) -> _Design:
    design = _Design()
    spine, bars = _split(box)
    _spine(label, spine, design)
    _barcode_block(label, bars, setup, design, title=True)
    return design


def _design_patron_card(label: Label, box: Box, setup: PrinterSetup, words: Words) -> _Design:
    """A photo placeholder on the left; the name, the library and the card's barcode."""
    design = _Design()
    photo_width = min(box.height * 0.75, box.width * 0.28)
    design.photo = Box(box.x, box.y, photo_width, box.height)
    gap = 0.0625 * INCH
    rest = Box(box.x + photo_width + gap, box.y, box.width - photo_width - gap, box.height)
    size, fits = fit_text(
        label.name, width=rest.width, font=BOLD, largest=min(14.0, rest.height * 0.22), smallest=6.0
    )
    if not fits:
        design.problems.append(
            Problem(Flag.DOES_NOT_FIT, f"the name does not fit this card even at {size:g} pt")
        )
    _line(design, label.name, BOLD, size, rest, rest.y + rest.height - size)
    below = Box(rest.x, rest.y, rest.width, rest.height - size * 1.3)
    _barcode_block(label, below, setup, design, title=False)
    return design


def _design_shelf_marker(label: Label, box: Box, setup: PrinterSetup, words: Words) -> _Design:
    """The first and last call numbers of a shelf range, large, with "to" between them."""
    design = _Design()
    small = max(5.0, min(9.0, box.height * 0.12))
    lines: list[tuple[str, str, float]] = []
    if label.library:
        lines.append((label.library, FONT, small))
    ends = [label.first, label.last] if label.last else [label.first]
    room = box.height - sum(s * 1.2 for _, _, s in lines) - (small * 1.2 if label.last else 0)
    largest = max(6.0, min(28.0, room / (len(ends) * 1.2)))
    for n, end in enumerate(ends):
        size, fits = fit_text(end, width=box.width, font=BOLD, largest=largest, smallest=6.0)
        if not fits or size * 1.2 * len(ends) > room + 1e-6:
            design.problems.append(
                Problem(Flag.DOES_NOT_FIT, f"{end!r} does not fit this label even at {size:g} pt")
            )
        if n == 1:
            lines.append((words.to, FONT, small))
        lines.append((end, BOLD, size))
    tall = sum(size * 1.2 for _, _, size in lines)
    baseline = box.y + (box.height + tall) / 2
    for text, font, size in lines:
        baseline -= size * 1.2
        design.texts.append(Text(text, font, size, box.x + box.width / 2, baseline + size * 0.25))
    return design


_DESIGNS = {
    Kind.SPINE: _design_spine,
    Kind.BARCODE: _design_barcode,
    Kind.SPINE_BARCODE: _design_spine_barcode,
    Kind.PATRON_CARD: _design_patron_card,
    Kind.SHELF_MARKER: _design_shelf_marker,
}


# --- drawing ----------------------------------------------------------------------------------


def draw(layout: Plan, out: IO[bytes], *, outlines: bool = False) -> None:
    """Write `layout` as PDF to `out`: one page per sheet (or per label, on a roll).
    `outlines` draws each label's edge, for a test print on plain paper."""
    stock = layout.stock
    canvas = Canvas(out, pagesize=(stock.page_width, stock.page_height), pageCompression=1)
    canvas.setTitle(f"Octavo {layout.kind.value} labels, {stock.name}")
    canvas.setCreator("Octavo")
    page = 0
    for placed in layout.placed:
        while placed.page > page:
            canvas.showPage()
            page += 1
        _draw_one(canvas, placed, stock, layout.words, outlines)
    canvas.showPage()
    # Compressed page streams are written binary, not ASCII85: reportlab's ASCII85 encoder is
    # pure Python without its optional C accelerator and took a third of the time for 1,000
    # labels (bench/bench_labels.py). Set for this save only.
    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = saved


class _Recorder:
    """Stands in for the canvas while a barcode widget draws: keeps its bars' rectangles, which
    are then written as one path (reportlab's rect() formats each number in pure Python)."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []

    def rect(self, x: float, y: float, w: float, h: float, **_: Any) -> None:
        self.rects.append((x, y, w, h))


def _draw_bars(canvas: Canvas, bars: Bars) -> None:
    widget = _widget(bars.symbology, bars.value, bars.bar_width, bars.height)
    recorder = _Recorder()
    widget.canv = recorder
    widget.draw()
    left = bars.x + QUIET * bars.bar_width
    path = " ".join(
        f"{left + x:.3f} {bars.y + y:.3f} {w:.3f} {h:.3f} re" for x, y, w, h in recorder.rects
    )
    canvas.addLiteral(f"q 0 g {path} f Q")


def _draw_one(canvas: Canvas, placed: Placed, stock: Stock, words: Words, outlines: bool) -> None:
    if outlines:
        canvas.setStrokeColor(_GREY)
        canvas.setLineWidth(0.25)
        canvas.roundRect(placed.x, placed.y, stock.label_width, stock.label_height, 4)
    if placed.photo is not None:
        box = placed.photo
        canvas.setStrokeColor(_GREY)
        canvas.setLineWidth(0.5)
        canvas.rect(box.x, box.y, box.width, box.height)
        canvas.setFillColor(_GREY)
        canvas.setFont(FONT, 6)
        canvas.drawCentredString(box.x + box.width / 2, box.y + box.height / 2 - 2, words.photo)
        canvas.setFillColorRGB(0, 0, 0)
    for text in placed.texts:
        canvas.setFont(text.font, text.size)
        canvas.drawCentredString(text.x, text.y, text.text)
    if placed.bars is not None:
        _draw_bars(canvas, placed.bars)


def text_width(text: Text) -> float:
    """How wide a line prints, in points (for tests and the preview)."""
    return float(stringWidth(text.text, text.font, text.size))
