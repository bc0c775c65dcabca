"""Adding and changing items (copies): one at a time, or a run of barcodes at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from octavo.accounts.rules import Action, decide
from octavo.audit.services import changes_between
from octavo.audit.services import record as audit
from octavo.catalog.models import Record
from octavo.district.models import Location, Site
from octavo.holdings.models import Item, MaterialType
from octavo.holdings.states import ItemStatus, edit_refuses_status
from octavo.shared.actor import Actor
from octavo.shared.barcodes import barcode_range, check_barcode
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied
from octavo.shared.fields import as_text, reject_unknown


@dataclass(frozen=True)
class ItemFields:
    site_code: str
    location_code: str = ""
    call_prefix: str = ""
    call_class: str = ""
    call_cutter: str = ""
    call_volume: str = ""
    copy_number: str = ""
    price: Decimal | None = None
    acquired_on: date | None = None
    condition: str = ""
    status: str = ItemStatus.AVAILABLE.value
    public_note: str = ""
    staff_note: str = ""
    # A MaterialType code (book, reference, av...); blank: none, the policy's wildcard applies.
    material_type: str = ""
    # What a self-check kiosk or sorter keeps about the copy (SIP2 CH, item status update).
    properties: str = ""


# Changes to these must be text; price and acquired_on are checked by their own parsers.
TEXT_FIELDS = frozenset({
    "site_code", "location_code", "call_prefix", "call_class", "call_cutter", "call_volume",
    "copy_number", "condition", "status", "public_note", "staff_note", "material_type",
    "properties",
})  # fmt: skip
EDITABLE = TEXT_FIELDS | {"price", "acquired_on"}


def _site(actor: Actor, code: str) -> Site:
    site = Site.objects.filter(code=code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {code!r}", field="site")
    decision = decide(actor, Action.CATALOG_EDIT, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")
    return site


def _location(site: Site, code: str) -> Location | None:
    if not code.strip():
        return None
    location = Location.objects.filter(site=site, code=code.strip().upper()).first()
    if location is None:
        raise InvalidInput(
            f"{site.code} has no location {code.strip().upper()!r}", field="location"
        )
    return location


def _price(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount of money", field="price") from None
    if price < 0 or price >= Decimal("10000000"):
        raise InvalidInput("a price is between 0 and 9,999,999.99", field="price")
    return price


def _apply(item: Item, f: ItemFields, actor: Actor) -> None:
    if f.status not in {s.value for s in ItemStatus}:
        raise InvalidInput(f"{f.status!r} is not an item status", field="status")
    site = _site(actor, f.site_code)
    item.site = site
    item.location = _location(site, f.location_code)
    item.call_prefix = f.call_prefix.strip()[:32]
    item.call_class = f.call_class.strip()[:64]
    item.call_cutter = f.call_cutter.strip()[:64]
    item.call_volume = f.call_volume.strip()[:32]
    item.copy_number = f.copy_number.strip()[:16]
    item.price = _price(f.price)
    item.acquired_on = f.acquired_on
    item.condition = f.condition.strip()[:32]
    item.status = f.status
    item.public_note = f.public_note.strip()
    item.staff_note = f.staff_note.strip()
    item.material_type = _material_type(f.material_type)
    item.properties = f.properties.strip()[:255]


def _material_type(code: str) -> MaterialType | None:
    if not code.strip():
        return None
    found = MaterialType.objects.filter(code=code.strip().lower()).first()
    if found is None:
        known = ", ".join(MaterialType.objects.values_list("code", flat=True))
        raise InvalidInput(f"no material type {code!r} (there are: {known})", field="material_type")
    return found


def _snapshot(item: Item) -> dict[str, Any]:
    return {
        "barcode": item.barcode,
        "record": item.record_id,
        "site": item.site.code,
        "location": item.location.code if item.location else "",
        "call_number": item.call_number,
        "price": str(item.price) if item.price is not None else None,
        "acquired_on": item.acquired_on.isoformat() if item.acquired_on else None,
        "condition": item.condition,
        "status": item.status,
        "public_note": item.public_note,
        "staff_note": item.staff_note,
        "material_type": item.material_type.code if item.material_type else "",
        "properties": item.properties,
    }


def add_items(
    *, actor: Actor, record_id: int, barcodes: list[str], fields: ItemFields, at: datetime
) -> list[Item]:
    """Add one item per barcode; all or none (a barcode in use stops the whole run)."""
    if not barcodes:
        raise InvalidInput("give at least one barcode", field="barcode")
    clean = [check_barcode(b) for b in barcodes]
    if len(set(clean)) != len(clean):
        raise InvalidInput("the same barcode is given twice", field="barcode")
    with transaction.atomic():
        record = Record.objects.filter(pk=record_id).first()
        if record is None:
            raise NotFound(f"no record {record_id}", field="record")
        taken = sorted(Item.objects.filter(barcode__in=clean).values_list("barcode", flat=True))
        if taken:
            raise Duplicate(f"barcode(s) already in use: {', '.join(taken[:10])}", field="barcode")
        items = []
        for barcode in clean:
            item = Item(barcode=barcode, record=record, created_at=at, updated_at=at)
            _apply(item, fields, actor)
            items.append(item)
        try:
            with transaction.atomic():
                Item.objects.bulk_create(items)
        except IntegrityError as exc:  # another desk took one of them a moment ago
            raise Duplicate(
                "a barcode in the run was just taken; scan again", field="barcode"
            ) from exc
        for item in items:
            audit(
                actor=actor,
                action="item.create",
                object_type="item",
                object_id=item.barcode,
                object_repr=f"{item.barcode} {record.title[:200]}",
                site_id=item.site_id,
                changes=changes_between({}, _snapshot(item)),
                at=at,
            )
    return items


def add_item_range(
    *,
    actor: Actor,
    record_id: int,
    first_barcode: str,
    count: int,
    fields: ItemFields,
    at: datetime,
) -> list[Item]:
    """`count` items with consecutive barcodes from `first_barcode` (check digits kept)."""
    return add_items(
        actor=actor,
        record_id=record_id,
        at=at,
        fields=fields,
        barcodes=barcode_range(first_barcode, count),
    )


def update_item(*, actor: Actor, barcode: str, changes: Mapping[str, Any], at: datetime) -> Item:
    reject_unknown(changes, EDITABLE)
    with transaction.atomic():
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("site", "location", "record")
            .filter(barcode=barcode.strip())
            .first()
        )
        if item is None:
            raise NotFound(f"no item with barcode {barcode!r}", field="barcode")
        decision = decide(actor, Action.CATALOG_EDIT, site_id=item.site_id)
        if not decision:  # the item's present site, before any move
            raise PermissionDenied(decision.reason, field="site")
        before = _snapshot(item)
        current = ItemFields(
            site_code=item.site.code,
            location_code=item.location.code if item.location else "",
            call_prefix=item.call_prefix,
            call_class=item.call_class,
            call_cutter=item.call_cutter,
            call_volume=item.call_volume,
            copy_number=item.copy_number,
            price=item.price,
            acquired_on=item.acquired_on,
            condition=item.condition,
            status=item.status,
            public_note=item.public_note,
            staff_note=item.staff_note,
            material_type=item.material_type.code if item.material_type else "",
            properties=item.properties,
        )
        for key, value in changes.items():
            if key in TEXT_FIELDS:
                as_text(value, field=key)  # None or a number is refused, never stored
        refused = edit_refuses_status(item.status, str(changes.get("status", item.status)))
        if refused:
            raise InvalidInput(refused, field="status")
        _apply(item, replace(current, **dict(changes)), actor)
        item.updated_at = at
        item.save()
        diff = changes_between(before, _snapshot(item))
        if diff:
            audit(
                actor=actor,
                action="item.update",
                object_type="item",
                object_id=item.barcode,
                object_repr=f"{item.barcode} {item.record.title[:200]}",
                site_id=item.site_id,
                changes=diff,
                at=at,
            )
    return item
