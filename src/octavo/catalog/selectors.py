"""Reading the catalog: where a record's items are and how many are on the shelf, and the
data-quality report a cataloger works through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from octavo.accounts.rules import Action, may_ever
from octavo.catalog.models import ImportReject, Record
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied

SAMPLE = 50  # rows listed per problem; the counts are always complete


def availability(record_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Per record, per site (in site code order): how many items, and how many of them are on
    the shelf, as {"site": code, "site_name": name, "items": n, "available": n}. A record with
    no items is left out. The search results, lists and new arrivals all show this."""
    out: dict[int, dict[str, dict[str, Any]]] = {}
    rows = Item.objects.filter(record_id__in=list(record_ids)).values_list(
        "record_id", "site__code", "site__name", "status"
    )
    for record_id, code, name, status in rows:
        entry = out.setdefault(record_id, {}).setdefault(
            code, {"site": code, "site_name": name, "items": 0, "available": 0}
        )
        entry["items"] += 1
        entry["available"] += status == ItemStatus.AVAILABLE.value
    return {rid: sorted(sites.values(), key=lambda e: e["site"]) for rid, sites in out.items()}


@dataclass
class Problem:
    count: int
    rows: list[dict[str, Any]] = field(default_factory=list)


def data_quality(*, actor: Actor, site_code: str = "") -> dict[str, Problem]:
    """Invalid ISBNs, records with no items, items with no call number, barcodes already in
    use when an import tried them, and records that failed to import; for one site or all."""
    if not may_ever(actor, Action.CATALOG_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not read catalog reports")
    items = Item.objects.all()
    records = Record.objects.all()
    rejects = ImportReject.objects.all()
    if site_code:
        code = site_code.strip().upper()
        if not Site.objects.filter(code=code).exists():
            raise NotFound(f"no site with code {site_code!r}", field="site")
        items = items.filter(site__code=code)
        records = records.filter(items__site__code=code).distinct()
        rejects = rejects.filter(batch__site_code=code)

    invalid = records.exclude(invalid_isbns=[]).order_by("id")
    # A record with no items belongs to no site, so it is listed in the district-wide report.
    orphans = (
        Record.objects.none()
        if site_code
        else Record.objects.filter(items__isnull=True).order_by("id")
    )
    no_call = items.filter(Q(call_class="") & Q(call_cutter="") & Q(call_prefix=""))
    in_use = rejects.filter(reason__contains="already in use")
    failed = rejects.filter(tag="")
    return {
        "invalid_isbns": Problem(
            invalid.count(),
            [
                {"record_id": r.id, "title": r.title, "invalid_isbns": r.invalid_isbns}
                for r in invalid[:SAMPLE]
            ],
        ),
        "records_without_items": Problem(
            orphans.count(), [{"record_id": r.id, "title": r.title} for r in orphans[:SAMPLE]]
        ),
        "items_without_call_number": Problem(
            no_call.count(),
            [
                {"barcode": i.barcode, "record_id": i.record_id, "site": i.site.code}
                for i in no_call.select_related("site").order_by("barcode")[:SAMPLE]
            ],
        ),
        "duplicate_barcodes_attempted": Problem(
            in_use.count(),
            [
                {
                    "barcode": r.barcode,
                    "file": r.batch.filename,
                    "position": r.position,
                    "reason": r.reason,
                }
                for r in in_use.select_related("batch")[:SAMPLE]
            ],
        ),
        "failed_imports": Problem(
            failed.count(),
            [
                {
                    "file": r.batch.filename,
                    "position": r.position,
                    "control_number": r.control_number,
                    "reason": r.reason,
                }
                for r in failed.select_related("batch")[:SAMPLE]
            ],
        ),
    }
