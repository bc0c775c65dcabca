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


def check_digit(body: str) -> int:
    total = 0
    for position, char in enumerate(body, start=1):
        digit = int(char)
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_codabar14(barcode: str) -> bool:
    return (
        len(barcode) == 14 and barcode.isdigit() and check_digit(barcode[:13]) == int(barcode[13])
    )


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
