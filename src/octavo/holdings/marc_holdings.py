"""Items described in a bibliographic record's holdings fields (852, or a vendor's 949).

Pure. 852 is read the way school library systems export it (issue #3): $p barcode, $h
classification, $i item part (cutter), $k call number prefix, $c location within the site,
$t copy number, $9 price. 949 follows the widely used Innovative/Sierra vendor-load layout:
$i barcode, $d prefix, $a classification, $b cutter, $c volume, $g copy, $l location, $p price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pymarc

HOLDINGS_TAGS = ("852", "949")
_PRICE = re.compile(r"(\d+(?:[.,]\d{1,2})?)")


@dataclass(frozen=True, slots=True)
class HoldingsLine:
    tag: str
    barcode: str
    prefix: str = ""
    classification: str = ""
    cutter: str = ""
    volume: str = ""
    copy_number: str = ""
    location_code: str = ""
    price: Decimal | None = None
    error: str | None = None


def _price(text: str) -> Decimal | None:
    found = _PRICE.search(text.replace(",", "."))
    if not found:
        return None
    try:
        return Decimal(found.group(1)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _sub(field: pymarc.Field, code: str) -> str:
    values = field.get_subfields(code)
    return " ".join(v.strip() for v in values if v.strip())


def pick_tag(record: pymarc.Record, mode: str) -> str | None:
    """Which holdings tag to read: `852`, `949`, None for `none`; `auto` takes what is there."""
    if mode == "none":
        return None
    if mode in HOLDINGS_TAGS:
        return mode
    for tag in HOLDINGS_TAGS:
        if record.get_fields(tag):
            return tag
    return None


def holdings_lines(record: pymarc.Record, mode: str = "auto") -> list[HoldingsLine]:
    tag = pick_tag(record, mode)
    if tag is None:
        return []
    lines = []
    for field in record.get_fields(tag):
        if tag == "852":
            line = HoldingsLine(
                tag=tag,
                barcode=_sub(field, "p"),
                prefix=_sub(field, "k"),
                classification=_sub(field, "h"),
                cutter=_sub(field, "i"),
                copy_number=_sub(field, "t"),
                location_code=_sub(field, "c").upper(),
                price=_price(_sub(field, "9")),
            )
        else:
            line = HoldingsLine(
                tag=tag,
                barcode=_sub(field, "i"),
                prefix=_sub(field, "d"),
                classification=_sub(field, "a"),
                cutter=_sub(field, "b"),
                volume=_sub(field, "c"),
                copy_number=_sub(field, "g"),
                location_code=_sub(field, "l").upper(),
                price=_price(_sub(field, "p")),
            )
        if not line.barcode:
            line = HoldingsLine(tag=tag, barcode="", error=f"field {tag} has no barcode")
        elif len(line.barcode) > 32:
            line = HoldingsLine(
                tag=tag,
                barcode=line.barcode[:32],
                error=f"field {tag}: barcode longer than 32 characters",
            )
        lines.append(line)
    return lines
