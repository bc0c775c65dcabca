"""Exporting the catalog as MARC: every field that came in, optionally with current holdings.

With holdings, each item becomes an 852 in the layout the importer reads ($a site, $b site
name, $c location, $k prefix, $h classification, $i cutter, $m volume, $t copy, $p barcode,
$9 price); an incoming 852 that described one of those items (same barcode) is replaced by it,
and any other incoming field, 852s without an item included, is written back unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pymarc
from django.db.models import Prefetch
from pymarc.marcxml import record_to_xml

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.models import Record
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

EXPORT_FORMATS = ("iso2709", "marcxml")
_CHUNK = 1000
_XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)
_XML_TAIL = b"</collection>\n"


def holdings_field(item: Item) -> pymarc.Field:
    pairs = [
        ("a", item.site.code),
        ("b", item.site.name),
        ("c", item.location.code if item.location else ""),
        ("k", item.call_prefix),
        ("h", item.call_class),
        ("i", item.call_cutter),
        ("m", item.call_volume),
        ("t", item.copy_number),
        ("p", item.barcode),
        ("9", f"{item.price:.2f}" if item.price is not None else ""),
    ]
    return pymarc.Field(
        tag="852",
        indicators=pymarc.Indicators(" ", " "),
        subfields=[pymarc.Subfield(code, value) for code, value in pairs if value],
    )


def with_holdings(record: pymarc.Record, items: list[Item]) -> pymarc.Record:
    barcodes = {item.barcode for item in items}
    for field in record.get_fields("852"):
        if any(v.strip() in barcodes for v in field.get_subfields("p")):
            record.remove_field(field)
    for item in items:
        record.add_ordered_field(holdings_field(item))
    return record


def _records(site: Site | None, holdings: bool) -> Iterator[tuple[Record, list[Item]]]:
    qs = Record.objects.order_by("id").only("id", "marc")
    item_qs = Item.objects.select_related("site", "location").order_by("barcode")
    if site is not None:
        qs = qs.filter(items__site=site).distinct()
        item_qs = item_qs.filter(site=site)
    if holdings:
        qs = qs.prefetch_related(Prefetch("items", queryset=item_qs, to_attr="export_items"))
    last = 0
    while True:
        chunk = list(qs.filter(id__gt=last)[:_CHUNK])
        if not chunk:
            return
        for row in chunk:
            yield row, getattr(row, "export_items", [])
        last = chunk[-1].id


def export_marc(
    *,
    actor: Actor,
    out: BinaryIO,
    fmt: str = "iso2709",
    site_code: str | None = None,
    holdings: bool = False,
) -> int:
    """Write the records (those with items at `site_code`, or all) to `out`; returns the count."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"{fmt!r} is not one of {', '.join(EXPORT_FORMATS)}", field="format")
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not export the catalog")
    site = None
    if site_code:
        site = Site.objects.filter(code=site_code.strip().upper()).first()
        if site is None:
            raise NotFound(f"no site with code {site_code!r}", field="site")
    count = 0
    if fmt == "marcxml":
        out.write(_XML_HEAD)
    for row, items in _records(site, holdings):
        raw = bytes(row.marc)
        if holdings and items:
            record = with_holdings(pymarc.Record(raw, force_utf8=True), items)
            raw = record.as_marc()
        if fmt == "iso2709":
            out.write(raw)
        else:
            record = pymarc.Record(raw, force_utf8=True)
            out.write(record_to_xml(record, namespace=False) + b"\n")  # type: ignore[no-untyped-call]
        count += 1
    if fmt == "marcxml":
        out.write(_XML_TAIL)
    return count
