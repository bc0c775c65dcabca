"""Which items to label (issue #8, "Choose what to print"): a list of barcodes, the items added
since a day, a barcode range, one record's copies, or a saved batch; and a site's printer setup.
The saved batches themselves are read here too (written only by octavo.holdings.labels.batches).

Reads only. An item is labelled only by someone who may edit items at its site (the same
CATALOG_EDIT that adds copies); every item asked for and not labelled is reported with the
reason, and the rest are printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from octavo.accounts.rules import Action, decide
from octavo.catalog.models import Record
from octavo.district.models import LabelSettings, Site
from octavo.district.selectors import site_by_code
from octavo.holdings.labels.batch_rules import decide_keep
from octavo.holdings.labels.content import (
    Batch,
    Label,
    PrinterSetup,
    Skipped,
    Symbology,
    WantedBarcode,
    range_count,
    read_barcode_lines,
    split_range,
)
from octavo.holdings.models import Item, LabelBatch, LabelBatchItem
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.barcodes import barcode_range
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

T = TypeVar("T")

# A run of labels is a day's processing, not the whole collection: past this, narrow the choice.
MAX_LABELS = 3000


def printer_setup(site: Site | None) -> PrinterSetup:
    """The site's label printer (district.models.LabelSettings), or the defaults."""
    settings = LabelSettings.objects.filter(site=site).first() if site is not None else None
    if settings is None:
        return PrinterSetup()
    return PrinterSetup(
        offset_x_mm=float(settings.offset_x_mm),
        offset_y_mm=float(settings.offset_y_mm),
        symbology=Symbology(settings.symbology),
        codabar_start=settings.codabar_start,
        codabar_stop=settings.codabar_stop,
    )


def short_title(title: str, limit: int = 60) -> str:
    """The title proper: before a subtitle (` : `) or the statement of responsibility (` / `)."""
    for mark in (" / ", " : ", " ; "):
        title = title.split(mark, 1)[0]
    return " ".join(title.split())[:limit]


# --- shared by items and patron cards ---------------------------------------------------------


def collect(
    wanted: Sequence[WantedBarcode],
    found: Mapping[str, T],
    to_label: Callable[[T], Label | str],
    *,
    skipped: Iterable[Skipped] = (),
    missing: str,
    gaps: bool = False,
) -> Batch:
    """Labels for `wanted`, in its order, from the rows `found` by barcode. `to_label` gives a
    label or the reason a row is left out; a barcode not found is reported with `missing` (by
    line), or with `gaps` once for them all (the holes in a barcode range)."""
    labels: list[Label] = []
    left_out = list(skipped)
    holes: list[str] = []
    for want in wanted:
        row = found.get(want.barcode)
        where = f"line {want.line}" if want.line else ""
        if row is None:
            if gaps:
                holes.append(want.barcode)
            else:
                left_out.append(Skipped(where, want.barcode, missing))
            continue
        made = to_label(row)
        if isinstance(made, str):
            left_out.append(Skipped(where, want.barcode, made))
        else:
            labels.append(made)
    if holes:
        left_out.append(
            Skipped("", f"{len(holes)} of the range", f"{missing} (the first is {holes[0]})")
        )
    if len(labels) > MAX_LABELS:
        raise InvalidInput(
            f"{len(labels)} labels at once; at most {MAX_LABELS}: choose fewer", field="labels"
        )
    return Batch(tuple(labels), tuple(left_out))


def range_wanted(text: str) -> list[WantedBarcode]:
    """The barcodes of `FROM-TO`, as shared.barcodes.barcode_range counts them."""
    first, last = split_range(text)
    return [
        WantedBarcode(0, b) for b in barcode_range(first, range_count(first, last), field="range")
    ]


def day_start(day: date, site: Site | None) -> datetime:
    """The first moment of `day` at the site (in its time zone), or in the district's."""
    zone = ZoneInfo(site.time_zone) if site is not None else timezone.get_default_timezone()
    return datetime.combine(day, time.min, tzinfo=zone)


def check_since(since: date, at: datetime, site: Site | None) -> datetime:
    start = day_start(since, site)
    if start > at:
        raise InvalidInput(f"{since.isoformat()} is in the future", field="added_since")
    return start


# --- items ------------------------------------------------------------------------------------

_ITEM_COLUMNS = ("site", "record")


def _item_label(actor: Actor) -> Callable[[Item], Label | str]:
    def make(item: Item) -> Label | str:
        if not decide(actor, Action.CATALOG_EDIT, site_id=item.site_id):
            return f"at {item.site.code}, a site {actor.username} does not label items for"
        if item.status == ItemStatus.WITHDRAWN.value:
            return "withdrawn"
        return Label(
            key=item.barcode,
            barcode=item.barcode,
            call_number=item.call_number,
            title=short_title(item.record.title),
            library=item.site.name,
        )

    return make


def items_by_barcode(barcodes: Iterable[str]) -> dict[str, Item]:
    wanted = list(barcodes)
    found: dict[str, Item] = {}
    for start in range(0, len(wanted), 500):  # SQLite allows 999 parameters a query
        chunk = wanted[start : start + 500]
        for item in Item.objects.select_related(*_ITEM_COLUMNS).filter(barcode__in=chunk):
            found[item.barcode] = item
    return found


def items_listed(*, actor: Actor, lines: Iterable[str]) -> Batch:
    """One label per barcode listed (one a line): blank lines, repeats and barcodes of no item
    are reported by line."""
    wanted, skipped = read_barcode_lines(lines)
    found = items_by_barcode(w.barcode for w in wanted)
    return collect(
        wanted, found, _item_label(actor), skipped=skipped, missing="no item with this barcode"
    )


def items_in_range(*, actor: Actor, text: str) -> Batch:
    """The items whose barcodes are in `FROM-TO`; barcodes of the range with no item are
    counted once, not listed one by one."""
    wanted = range_wanted(text)
    found = items_by_barcode(w.barcode for w in wanted)
    return collect(wanted, found, _item_label(actor), missing="no item", gaps=True)


def items_added_since(*, actor: Actor, since: date, at: datetime, site_code: str = "") -> Batch:
    """The items added from the start of `since` to `at`, at the site with this code (or at
    every site the actor labels for), oldest first."""
    site = (
        site_by_code(actor=actor, code=site_code, action=Action.CATALOG_EDIT) if site_code else None
    )
    start = check_since(since, at, site)
    items = Item.objects.select_related(*_ITEM_COLUMNS).filter(
        created_at__gte=start, created_at__lte=at
    )
    if site is not None:
        items = items.filter(site=site)
    elif not actor.is_district_admin:
        items = items.filter(site_id__in=actor.site_ids)
    rows = list(items.order_by("created_at", "barcode")[: MAX_LABELS + 1])
    wanted = [WantedBarcode(0, item.barcode) for item in rows]
    return collect(wanted, {i.barcode: i for i in rows}, _item_label(actor), missing="no item")


def items_of_record(*, actor: Actor, record_id: int, site_code: str = "") -> Batch:
    """A record's copies (at one site, or everywhere), by site and barcode."""
    if not Record.objects.filter(pk=record_id).exists():
        raise NotFound(f"no record {record_id}", field="record")
    items = Item.objects.select_related(*_ITEM_COLUMNS).filter(record_id=record_id)
    if site_code:
        site = site_by_code(actor=actor, code=site_code, action=Action.CATALOG_EDIT)
        items = items.filter(site=site)
    rows = list(items.order_by("site__code", "barcode"))
    wanted = [WantedBarcode(0, item.barcode) for item in rows]
    return collect(wanted, {i.barcode: i for i in rows}, _item_label(actor), missing="no item")


# --- saved batches ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A saved batch as its pages list it; `site_code` "" is a district-wide batch."""

    id: int
    name: str
    site_id: int | None
    site_code: str
    site_name: str
    count: int
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One item of a batch, as the batch's page shows it."""

    barcode: str
    call_number: str
    title: str
    site_code: str
    status: str
    added_at: datetime


def found_batch(actor: Actor, batch_id: int, *, lock: bool = False) -> LabelBatch:
    """The batch, if the actor keeps it (batch_rules.decide_keep); `lock`: its row locked for
    this transaction, so two people adding at once take turns."""
    query = LabelBatch.objects.select_for_update() if lock else LabelBatch.objects.all()
    batch = query.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"no label batch {batch_id}", field="batch")
    decision = decide_keep(actor, site_id=batch.site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="batch")
    return batch


def _summaries(batches: Iterable[LabelBatch]) -> list[BatchSummary]:
    return [
        BatchSummary(
            id=b.pk,
            name=b.name,
            site_id=b.site_id,
            site_code=b.site.code if b.site else "",
            site_name=b.site.name if b.site else "",
            count=getattr(b, "item_count", 0),
            created_by=b.created_by,
            created_at=b.created_at,
            updated_at=b.updated_at,
        )
        for b in batches
    ]


def label_batches(*, actor: Actor) -> list[BatchSummary]:
    """The batches the actor keeps, the latest changed first, with how many items each holds."""
    batches = LabelBatch.objects.select_related("site").annotate(item_count=Count("items"))
    if not actor.is_district_admin:
        batches = batches.filter(site_id__in=actor.site_ids)
    return [s for s in _summaries(batches) if decide_keep(actor, site_id=s.site_id)]


def label_batch(*, actor: Actor, batch_id: int) -> tuple[BatchSummary, list[BatchRow]]:
    """A batch and its items, in the order they were added."""
    batch = found_batch(actor, batch_id)
    entries = (
        LabelBatchItem.objects.filter(batch=batch)
        .select_related("item__site", "item__record")
        .order_by("id")
    )
    rows = [
        BatchRow(
            barcode=e.item.barcode,
            call_number=e.item.call_number,
            title=short_title(e.item.record.title),
            site_code=e.item.site.code,
            status=e.item.status,
            added_at=e.added_at,
        )
        for e in entries
    ]
    return replace(_summaries([batch])[0], count=len(rows)), rows


def items_in_batch(*, actor: Actor, batch_id: int) -> Batch:
    """One label per item of the saved batch, in the order they were added; an item the
    actor may not label, or withdrawn since it was added, is left out with its reason."""
    batch = found_batch(actor, batch_id)
    rows = [
        entry.item
        for entry in LabelBatchItem.objects.filter(batch=batch)
        .select_related(*(f"item__{c}" for c in _ITEM_COLUMNS))
        .order_by("id")
    ]
    wanted = [WantedBarcode(0, item.barcode) for item in rows]
    return collect(wanted, {i.barcode: i for i in rows}, _item_label(actor), missing="no item")
