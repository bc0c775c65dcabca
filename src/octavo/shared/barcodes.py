"""Item and patron barcodes: 14-digit library Codabar with its check digit, or free form.

The check digit is the mod-10 scheme library barcode suppliers print on 14-digit Codabar
labels: over the first 13 digits, double every digit in an odd position (1st, 3rd, ...),
subtract 9 from any result over 9, add everything up, and the check digit brings the sum to
the next multiple of ten.
"""

from __future__ import annotations

import re

from octavo.shared.errors import InvalidInput

_FREE_FORM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_RANGE = 1000


# A digit doubled, less 9 when over 9, by digit: the check runs on every line of a scanner's
# file (a million lines at an inventory), so it is a table lookup over bytes.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def _sum(digits: bytes) -> int:
    """The mod-10 sum of ASCII digits: odd positions (1st, 3rd, ...) doubled."""
    return sum(_DOUBLED[c - 48] for c in digits[0::2]) + sum(digits[1::2]) - 48 * (len(digits) // 2)


def check_digit(body: str) -> int:
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"{body!r}: a check digit is computed over ASCII digits")
    return (10 - _sum(body.encode()) % 10) % 10


def is_codabar14(barcode: str) -> bool:
    if len(barcode) != 14 or not barcode.isascii() or not barcode.isdigit():
        return False
    digits = barcode.encode()
    return (10 - _sum(digits[:13]) % 10) % 10 == digits[13] - 48


def check_barcode(value: str, *, field: str = "barcode") -> str:
    barcode = value.strip()
    if not _FREE_FORM.match(barcode):
        raise InvalidInput(
            f"{value!r} is not a barcode: 1 to 32 letters, digits, '.', '-' or '_'", field=field
        )
    if len(barcode) == 14 and barcode.isdigit() and not is_codabar14(barcode):
        raise InvalidInput(f"{barcode} has a wrong check digit (a misread scan?)", field=field)
    return barcode


def barcode_range(first: str, count: int, *, field: str = "barcode") -> list[str]:
    """`count` barcodes from `first` on: the number part counts up, keeping its width; a
    14-digit Codabar first barcode gives Codabar barcodes with their check digits."""
    first = check_barcode(first, field=field)
    if not 1 <= count <= MAX_RANGE:
        raise InvalidInput(f"a range is 1 to {MAX_RANGE} barcodes", field="count")
    if is_codabar14(first):
        start = int(first[:13])
        bodies = [f"{start + n:013d}" for n in range(count)]
        if len(bodies[-1]) > 13:
            raise InvalidInput("the range runs past 14 digits", field="count")
        return [body + str(check_digit(body)) for body in bodies]
    match = re.search(r"(\d+)$", first)
    if match is None:
        raise InvalidInput(f"{first} does not end in a number to count from", field=field)
    stem, digits = first[: match.start()], match.group(1)
    # The width is kept (0099 -> 0100); a number that outgrows it simply gets longer.
    out = [f"{stem}{int(digits) + n:0{len(digits)}d}" for n in range(count)]
    return [check_barcode(b, field=field) for b in out]
