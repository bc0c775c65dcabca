"""Catalog records and their items (staff writes; reading a record is public, like the OPAC)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pymarc
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from octavo.catalog import selectors
from octavo.catalog import services as catalog
from octavo.catalog.marc_text import to_text
from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.holdings import services as holdings
from octavo.holdings.models import Item
from octavo.interfaces.api.auth import actor_of
from octavo.interfaces.api.schemas import Error, RejectNull
from octavo.shared.clock import now
from octavo.shared.errors import InvalidInput, NotFound

router = Router(tags=["catalog"])
ERRORS: dict[int, type[Error]] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class RecordIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str
    responsibility: str = ""
    authors: list[str] = []
    edition: str = ""
    publisher: str = ""
    year: int | None = None
    isbns: list[str] = []
    subjects: list[str] = []
    series: list[str] = []
    summary: str = ""
    reading_level: str = ""
    call_number: str = ""
    language: str = "eng"
    confirm_duplicate: bool = Field(False, description="save even if it looks like a duplicate")


class MarcIn(Schema):
    model_config = ConfigDict(extra="forbid")
    marc: str = Field(description="MARCMaker-style text: one `=TAG  ...` line per field")


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")
    barcodes: list[str] = []
    first_barcode: str = ""
    count: int = Field(1, ge=1, le=1000)
    site: str
    location: str = ""
    call_prefix: str = ""
    call_class: str = ""
    call_cutter: str = ""
    call_volume: str = ""
    copy_number: str = ""
    price: Decimal | None = None
    acquired_on: date | None = None
    condition: str = ""
    status: str = "available"
    public_note: str = ""
    staff_note: str = ""


class ItemPatch(RejectNull):
    model_config = ConfigDict(extra="forbid")
    site: str | None = None
    location: str | None = None
    call_prefix: str | None = None
    call_class: str | None = None
    call_cutter: str | None = None
    call_volume: str | None = None
    copy_number: str | None = None
    price: Decimal | None = None
    acquired_on: date | None = None
    condition: str | None = None
    status: str | None = None
    public_note: str | None = None
    staff_note: str | None = None


def item_out(item: Item, *, staff: bool) -> dict[str, Any]:
    out = {
        "barcode": item.barcode,
        "record_id": item.record_id,
        "site": item.site.code,
        "location": item.location.code if item.location else "",
        "call_number": item.call_number,
        "status": item.status,
        "public_note": item.public_note,
    }
    if staff:
        out |= {
            "price": str(item.price) if item.price is not None else None,
            "acquired_on": item.acquired_on.isoformat() if item.acquired_on else None,
            "condition": item.condition,
            "staff_note": item.staff_note,
        }
    return out


def record_out(record: Record) -> dict[str, Any]:
    items = Item.objects.filter(record=record).select_related("site", "location")
    return {
        "id": record.pk,
        "control_number": record.control_number,
        "title": record.title,
        "responsibility": record.responsibility,
        "authors": record.authors,
        "edition": record.edition,
        "publisher": record.publisher,
        "year": record.year,
        "isbns": record.isbns,
        "invalid_isbns": record.invalid_isbns,
        "issns": record.issns,
        "format": record.format,
        "language": record.language,
        "subjects": record.subjects,
        "series": record.series,
        "summary": record.summary,
        "reading_level": record.reading_level,
        "call_number": record.call_number,
        "marc": to_text(pymarc.Record(bytes(record.marc), force_utf8=True)),
        "items": [item_out(i, staff=False) for i in items],
    }


def _fields(payload: RecordIn) -> RecordFields:
    data = payload.model_dump(exclude={"confirm_duplicate"})
    for key in ("authors", "isbns", "subjects", "series"):
        data[key] = tuple(data[key])
    return RecordFields(**data)


def _record(record_id: int) -> Record:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise NotFound(f"no record {record_id}", field="record")
    return record


@router.get(
    "/records/{record_id}",
    auth=None,
    response={200: dict[str, Any], 404: Error},
    summary="One record, with its MARC and its items (public)",
)
def get_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    return record_out(_record(record_id))


@router.post(
    "/records",
    response={201: dict[str, Any], **ERRORS},
    summary="Catalog a record from simple fields (409 when it looks like a duplicate)",
)
def create_record(request: HttpRequest, payload: RecordIn) -> Status[dict[str, Any]]:
    record = catalog.create_record(
        actor=actor_of(request),
        fields=_fields(payload),
        at=now(),
        confirm_duplicate=payload.confirm_duplicate,
    )
    return Status(201, record_out(record))


@router.put(
    "/records/{record_id}",
    response={200: dict[str, Any], **ERRORS},
    summary="Save the cataloging form for a record (only changed parts are rewritten)",
)
def update_record(request: HttpRequest, record_id: int, payload: RecordIn) -> dict[str, Any]:
    record = catalog.update_record_fields(
        actor=actor_of(request),
        record_id=record_id,
        fields=_fields(payload),
        at=now(),
        confirm_duplicate=payload.confirm_duplicate,
    )
    return record_out(record)


@router.put(
    "/records/{record_id}/marc",
    response={200: dict[str, Any], **ERRORS},
    summary="Save a record from the MARC editor's text",
)
def update_marc(request: HttpRequest, record_id: int, payload: MarcIn) -> dict[str, Any]:
    record = catalog.update_record_marc(
        actor=actor_of(request), record_id=record_id, marc_text=payload.marc, at=now()
    )
    return record_out(record)


@router.post(
    "/records/{record_id}/items",
    response={201: dict[str, Any], **ERRORS},
    summary="Add items: a list of barcodes, or first_barcode and count for a range",
)
def add_items(request: HttpRequest, record_id: int, payload: ItemIn) -> Status[dict[str, Any]]:
    fields = holdings.ItemFields(
        site_code=payload.site,
        location_code=payload.location,
        call_prefix=payload.call_prefix,
        call_class=payload.call_class,
        call_cutter=payload.call_cutter,
        call_volume=payload.call_volume,
        copy_number=payload.copy_number,
        price=payload.price,
        acquired_on=payload.acquired_on,
        condition=payload.condition,
        status=payload.status,
        public_note=payload.public_note,
        staff_note=payload.staff_note,
    )
    actor = actor_of(request)
    if payload.first_barcode and payload.barcodes:
        raise InvalidInput("give barcodes or first_barcode, not both", field="barcodes")
    if payload.first_barcode:
        items = holdings.add_item_range(
            actor=actor,
            record_id=record_id,
            fields=fields,
            first_barcode=payload.first_barcode,
            count=payload.count,
            at=now(),
        )
    else:
        items = holdings.add_items(
            actor=actor, record_id=record_id, fields=fields, barcodes=payload.barcodes, at=now()
        )
    return Status(201, {"items": [item_out(i, staff=True) for i in items], "count": len(items)})


@router.patch(
    "/items/{barcode}", response={200: dict[str, Any], **ERRORS}, summary="Change an item"
)
def update_item(request: HttpRequest, barcode: str, payload: ItemPatch) -> dict[str, Any]:
    changes = payload.model_dump(exclude_unset=True)
    for api_name, field in (("site", "site_code"), ("location", "location_code")):
        if api_name in changes:
            changes[field] = changes.pop(api_name)
    item = holdings.update_item(actor=actor_of(request), barcode=barcode, changes=changes, at=now())
    return item_out(item, staff=True)


@router.get(
    "/reports/data-quality",
    response={200: dict[str, Any], **ERRORS},
    summary="Catalog data quality: invalid ISBNs, records without items, items without "
    "call numbers, barcodes already in use, failed imports",
)
def data_quality(request: HttpRequest, site: str = "") -> dict[str, Any]:
    report = selectors.data_quality(actor=actor_of(request), site_code=site)
    return {name: {"count": p.count, "rows": p.rows} for name, p in report.items()}
