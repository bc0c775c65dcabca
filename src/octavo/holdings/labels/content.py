"""What a label says, and how the lists people hand in are read. No Django.

`Label` carries the words of any kind of label; `Batch` is the labels to print and everything
left out, each with its reason (issue #8: "each named clearly, nothing lost").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from octavo.shared.barcodes import check_barcode, is_codabar14
from octavo.shared.errors import InvalidInput


class Kind(StrEnum):
    """The kinds of label; the values are the CLI contract (`octavo labels KIND`)."""

    SPINE = "spine"
    BARCODE = "barcode"
    SPINE_BARCODE = "spine-barcode"
    PATRON_CARD = "patron-card"
    SHELF_MARKER = "shelf-marker"


class Symbology(StrEnum):
    """How barcodes are drawn. AUTO: Codabar for barcodes of digits (the 14-digit library form
    among them), Code 128 for free-form ones."""

    AUTO = "auto"
    CODABAR = "codabar"
    CODE39 = "code39"
    CODE128 = "code128"


CODABAR_ENDS = "ABCD"


@dataclass(frozen=True, slots=True)
class PrinterSetup:
    """A site's printer: how far its labels land from where they should (millimetres; right and
    down are positive), and how its barcodes are drawn (Codabar's start and stop characters
    included: most library labels use A and A, some B and B)."""

    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0
    symbology: Symbology = Symbology.AUTO
    codabar_start: str = "A"
    codabar_stop: str = "A"


@dataclass(frozen=True, slots=True)
class Label:
    """The words of one label. `key` names it in reports (a barcode, or a shelf marker's
    range). Items: barcode, call_number, title, library (the site's name). Patron cards:
    name, barcode, library. Shelf markers: first, last, library."""

    key: str
    barcode: str = ""
    call_number: str = ""
    title: str = ""
    library: str = ""
    name: str = ""
    first: str = ""
    last: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something asked for and not printed: `where` (a line number, or ""), the value as given,
    and why."""

    where: str
    value: str
    reason: str
    line: int | None = None  # the line of a list it came from, when it came from one

    def __str__(self) -> str:
        head = f"{self.where}: " if self.where else ""
        return f"{head}{self.value}: {self.reason}" if self.value else f"{head}{self.reason}"


@dataclass(frozen=True, slots=True)
class Batch:
    labels: tuple[Label, ...]
    skipped: tuple[Skipped, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class WantedBarcode:
    line: int
    barcode: str


def read_barcode_lines(lines: Iterable[str]) -> tuple[list[WantedBarcode], list[Skipped]]:
    """Barcodes from a list, one a line: blank lines, repeats and text that is no barcode are
    skipped and reported by line number (counting from 1); the rest keep their order."""
    wanted: list[WantedBarcode] = []
    skipped: list[Skipped] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        where = f"line {number}"
        if not text:
            skipped.append(Skipped(where, "", "blank line", number))
            continue
        try:
            barcode = check_barcode(text)
        except InvalidInput as bad:
            skipped.append(Skipped(where, text, bad.message, number))
            continue
        if barcode in first_seen:
            repeat = f"already listed on line {first_seen[barcode]}"
            skipped.append(Skipped(where, barcode, repeat, number))
            continue
        first_seen[barcode] = number
        wanted.append(WantedBarcode(number, barcode))
    return wanted, skipped


_NUMBER_END = re.compile(r"^(.*?)(\d+)$")


def split_range(text: str) -> tuple[str, str]:
    """FROM and TO of `FROM-TO`. Barcodes may hold hyphens themselves (`T-0001-T-0100`): the
    hyphen that leaves two barcodes of one length is taken, else the only one."""
    text = text.strip()
    cuts = [i for i, ch in enumerate(text) if ch == "-"]
    even = [i for i in cuts if len(text[:i].strip()) == len(text[i + 1 :].strip())]
    if len(even) == 1:
        cut = even[0]
    elif len(cuts) == 1:
        cut = cuts[0]
    else:
        raise InvalidInput(
            f"{text!r} is not a range: write FROM-TO, two barcodes of the same length",
            field="range",
        )
    first, last = text[:cut].strip(), text[cut + 1 :].strip()
    return check_barcode(first, field="range"), check_barcode(last, field="range")


def range_count(first: str, last: str) -> int:
    """How many barcodes from `first` to `last`, both included, counting as
    shared.barcodes.barcode_range does (the number part counts up; Codabar keeps its check
    digit)."""
    if is_codabar14(first) and is_codabar14(last):
        count = int(last[:13]) - int(first[:13]) + 1
    else:
        a, b = _NUMBER_END.match(first), _NUMBER_END.match(last)
        if a is None or b is None or a.group(1) != b.group(1):
            raise InvalidInput(
                f"{first} and {last} do not share a stem with a number to count", field="range"
            )
        count = int(b.group(2)) - int(a.group(2)) + 1
    if count < 1:
        raise InvalidInput(f"{last} comes before {first}", field="range")
    return count


def read_marker_lines(lines: Iterable[str], *, library: str = "") -> Batch:
    """Shelf markers, one a line: `FROM - TO` (the call numbers on the first and the last
    shelf of the range), or one call number for a marker of its own."""
    labels: list[Label] = []
    skipped: list[Skipped] = []
    for number, raw in enumerate(lines, start=1):
        text = " ".join(raw.split())
        if not text:
            skipped.append(Skipped(f"line {number}", "", "blank line"))
            continue
        first, last = marker_range(text)
        labels.append(Label(key=text, first=first, last=last, library=library))
    return Batch(tuple(labels), tuple(skipped))


_DASHES = "\u2013\u2014"  # en and em dash
_MARKER_CUT = re.compile(rf"\s+(?:-|[{_DASHES}]|to)\s+|\s*(?:[{_DASHES}]|\.\.)\s*", re.IGNORECASE)


def marker_range(text: str) -> tuple[str, str]:
    """(FROM, TO) of a shelf marker written `FROM - TO` (also `FROM to TO`, `FROM..TO`, or with
    an en dash); one hyphen with no spaces (`000-299`) cuts too when there is only one."""
    text = " ".join(text.split())
    parts = _MARKER_CUT.split(text, maxsplit=1)
    if len(parts) == 1 and text.count("-") == 1:
        parts = text.split("-")
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return parts[0].strip(), parts[1].strip()
    return text, ""
