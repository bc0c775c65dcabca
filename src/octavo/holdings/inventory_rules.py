"""Inventory's pure parts: reading the lines of a scan file, and call-number ranges. No Django.

A scan file is what a portable scanner (or a keyboard-wedge scanner typing into a text editor)
leaves behind: one barcode a line, or a CSV row whose first field is the barcode ("barcode,date,
time", as most portable scanners export). What a scanner adds around a barcode is taken off:
line endings (CRLF, LF or CR), a byte-order mark, control characters (STX/ETX framing), spaces,
quotes, Code 39's `*` and Codabar's start/stop letters around 14 digits. Anything else that is
not a barcode is never guessed at: the line is skipped and reported with its number and why
(issue #8, "Bad input": "each named clearly, nothing lost").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from octavo.catalog.callnumbers import ShelfKey, shelf_key
from octavo.shared.barcodes import is_codabar14
from octavo.shared.errors import InvalidInput

MAX_BARCODE = 32  # holdings.models.Item.barcode
_BARCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FIELD_SEPARATORS = re.compile(r"[,;\t|]")
_CODABAR_FRAMED = re.compile(r"^[A-Da-d](\d{14})[A-Da-d]$")
_NOT_BARCODE_CHARS = re.compile(r"[^A-Za-z0-9._-]")
# A barcode alone on its line, with no Codabar start/stop letters around 14 digits.
_PLAIN = re.compile(r"^(?![A-Da-d]\d{14}[A-Da-d]$)[A-Za-z0-9][A-Za-z0-9._-]*$")
# The first line of an exported CSV often names its columns.
HEADINGS = frozenset({"barcode", "barcodes", "itembarcode", "item", "code", "codigo", "id"})


class LineReason(StrEnum):
    """Why a line was not read as a barcode (or, for UNKNOWN, what is odd about one that was)."""

    BLANK = "blank"
    HEADING = "heading"  # the first line names the columns
    STRAY_CHARACTERS = "stray_characters"
    TOO_LONG = "too_long"
    CHECK_DIGIT = "check_digit"  # 14 digits whose check digit is wrong: a misread
    UNKNOWN = "unknown"  # recorded, but no item has this barcode (another library's?)


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line of a scan: its number (from 1, blank lines counted), its text as read (shortened),
    and why it is skipped; `recorded` when the barcode was kept all the same (UNKNOWN)."""

    line: int
    text: str
    reason: LineReason
    detail: str
    recorded: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.detail}"


def _printable(text: str) -> str:
    text = text.rstrip("\r\n")
    if text.isascii() and text.isprintable():
        return text  # the common case, checked at C speed
    # Control and format characters (NUL, STX, ETX, a byte-order mark, zero-width spaces) are
    # framing a scanner adds; a tab separates fields and so is kept.
    return "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch)[0] != "C")


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def read_line(text: str, *, first: bool = False) -> str | LineProblem:
    """The barcode on one line, or the problem (line number 0: the caller numbers lines).
    `first`: this is the first line that is not blank, which may be a heading."""
    clean = _printable(text).strip()
    if not clean:
        return LineProblem(0, "", LineReason.BLANK, "blank line")
    if not first and len(clean) <= MAX_BARCODE and _PLAIN.match(clean):
        # Nearly every line of a file: a barcode alone, nothing to take off.
        if len(clean) == 14 and clean.isdigit() and not is_codabar14(clean):
            return _wrong_check_digit(clean)
        return clean
    field = _FIELD_SEPARATORS.split(clean, maxsplit=1)[0].strip()
    field = field.strip("\"'").strip()
    if len(field) > 2 and field.startswith("*") and field.endswith("*"):
        field = field[1:-1].strip()  # Code 39's start and stop characters
    framed = _CODABAR_FRAMED.match(field)
    if framed:
        field = framed.group(1)
    shown = _shown(clean)
    if first and field.replace(" ", "").replace("_", "").lower() in HEADINGS:
        return LineProblem(0, shown, LineReason.HEADING, f"{shown!r} is a column heading")
    if " " in field:
        # Digits typed in groups ("3123 4000 1234 57"): joined only when the check digit then
        # proves them one barcode.
        joined = field.replace(" ", "")
        if is_codabar14(joined):
            field = joined
    if not field or not _BARCODE.match(field):
        stray = sorted(set(_NOT_BARCODE_CHARS.findall(field))) or sorted(set(clean[:1]))
        marks = ", ".join(repr(ch) for ch in stray[:5])
        return LineProblem(
            0,
            shown,
            LineReason.STRAY_CHARACTERS,
            f"{shown!r} is not a barcode: stray characters {marks} (a barcode is letters, "
            "digits, '.', '-' or '_')",
        )
    if len(field) > MAX_BARCODE:
        return LineProblem(
            0,
            shown,
            LineReason.TOO_LONG,
            f"{shown!r} is longer than {MAX_BARCODE} characters (two scans run together?)",
        )
    if len(field) == 14 and field.isdigit() and not is_codabar14(field):
        return _wrong_check_digit(field)
    return field


def _wrong_check_digit(barcode: str) -> LineProblem:
    return LineProblem(
        0, barcode, LineReason.CHECK_DIGIT, f"{barcode} has a wrong check digit (a misread scan?)"
    )


# --- call-number ranges -------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.upper().split())


@dataclass(frozen=True)
class ShelfRange:
    """From `first` to `last` in shelf order (octavo.catalog.callnumbers), both ends included;
    either may be "" for an open end. The last end includes everything shelved under it:
    `500-599` holds 599.75 SMI, `FIC A-FIC C` holds FIC CARTER (but `QA76` does not hold QA760).
    """

    first: str
    last: str

    def __str__(self) -> str:
        hyphen = " - " if "-" in self.first + self.last else "-"
        return f"{self.first}{hyphen}{self.last}"

    def _keys(self) -> tuple[ShelfKey | None, ShelfKey | None]:
        return (
            shelf_key(self.first) if self.first else None,
            shelf_key(self.last) if self.last else None,
        )

    def contains(self, call_number: str) -> bool:
        low, high = self._keys()
        return self._within(call_number, low, high)

    def matcher(self) -> _Matcher:
        """`contains` for many call numbers, with the ends' keys read once."""
        low, high = self._keys()
        return _Matcher(self, low, high)

    def overlaps(self, other: ShelfRange) -> bool:
        """Could one call number be in both ranges? (Each starts before the other ends.)"""
        return (not other.first or self._reaches(other.first)) and (
            not self.first or other._reaches(self.first)
        )

    def _reaches(self, call_number: str) -> bool:
        """Is `call_number` at or before this range's last end, or shelved under it?"""
        return self._within(call_number, None, self._keys()[1])

    def _within(self, call_number: str, low: ShelfKey | None, high: ShelfKey | None) -> bool:
        text = _normal(call_number)
        if not text:
            return False
        key = shelf_key(text)
        if low is not None and key < low:
            return False
        return high is None or key <= high or _under(_normal(self.last), text)


@dataclass(frozen=True)
class _Matcher:
    shelf_range: ShelfRange
    low: ShelfKey | None
    high: ShelfKey | None

    def __call__(self, call_number: str) -> bool:
        return self.shelf_range._within(call_number, self.low, self.high)


def _under(last: str, text: str) -> bool:
    """Is `text` shelved under the call number `last` (599 -> 599.75 SMI; FIC C -> FIC CARTER)?
    A number is not continued by more digits: QA76 is not QA760."""
    if not text.startswith(last):
        return False
    if len(text) == len(last):
        return True
    return not (last[-1].isdigit() and text[len(last)].isdigit())


def shelves_overlap(
    location_a: int | None,
    range_a: ShelfRange | None,
    location_b: int | None,
    range_b: ShelfRange | None,
) -> bool:
    """Do two inventories of one site cover some of the same shelves? Each is the whole site
    or one location (None: every location), all of its call numbers or a range (None)."""
    if location_a is not None and location_b is not None and location_a != location_b:
        return False
    if range_a is not None and range_b is not None:
        return range_a.overlaps(range_b)
    return True


def parse_range(text: str) -> ShelfRange:
    """`500-599`, `FIC A-FIC C`, `500-` (to the end), `-599` (from the start). A call number
    with a hyphen in it: put spaces around the range's own hyphen (`FIC SMI-JON - FIC T`)."""
    raw = " ".join(text.split())
    if " - " in raw:
        first, last = raw.split(" - ", 1)
    elif raw.count("-") == 1:
        first, last = raw.split("-")
    else:
        raise InvalidInput(
            f"{text!r}: write a range as FROM-TO (e.g. 500-599, FIC A-FIC C); around a call "
            "number with a hyphen, put spaces: FROM - TO",
            field="range",
        )
    first, last = _normal(first), _normal(last)
    if not first and not last:
        raise InvalidInput("a range needs at least one end", field="range")
    if len(first) > 100 or len(last) > 100:
        raise InvalidInput("each end of a range is at most 100 characters", field="range")
    if first and last and shelf_key(first) > shelf_key(last):
        raise InvalidInput(
            f"{first} comes after {last} on the shelf: give the range from first to last",
            field="range",
        )
    return ShelfRange(first, last)
