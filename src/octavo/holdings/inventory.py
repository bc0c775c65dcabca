"""Inventory's writes (issue #8): start one for a site's shelves (whole, one location, or a
call-number range), take in scans from the scanning page and from portable scanners' files, and
close it with its report. Reading them (progress, the five lists) is
octavo.holdings.inventory_selectors.

Checking items in on the spot, and the status the missing are given, are circulation's moves:
octavo.circulation.inventory calls `close` with circulation's transition (holdings sits below
circulation in the layers contract, pyproject.toml).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any

from django.db import connection, transaction

from octavo.audit.services import record as audit
from octavo.db import rows
from octavo.district.models import Location, Site
from octavo.holdings.inventory_rules import (
    LineProblem,
    LineReason,
    ShelfRange,
    parse_range,
    read_line,
    shelves_overlap,
)
from octavo.holdings.inventory_selectors import (
    EXPECTED,
    IN_CHUNK,
    MANAGE,
    Progress,
    Seen,
    allowed,
    chunks,
    found_inventory,
    get_inventory,
    live_progress,
    live_reconciliation,
    must_be_open,
    scanned_sql,
    scope_sql,
    scope_text,
    seen,
)
from octavo.holdings.models import Inventory
from octavo.holdings.states import ItemStatus
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound

BATCH = 2000  # scan lines per transaction: a million-line file is 500 short transactions
ROWS_PER_INSERT = 400  # rows per INSERT statement (6 parameters each)
KEEP_PROBLEMS = 1000  # problems kept in a ScanReport; `on_problem` hears every one


@dataclass
class ScanReport:
    """What one batch of scans (a file, or one barcode from the scanning page) did."""

    lines: int = 0
    blank: int = 0
    recorded: int = 0  # new barcodes in this inventory
    repeated: int = 0  # scanned before (in this inventory, or earlier in the same file)
    unknown: int = 0  # recorded, but no item has the barcode
    skipped: int = 0  # lines not read as a barcode
    problems: list[LineProblem] = field(default_factory=list)  # the first KEEP_PROBLEMS

    def counts(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "blank": self.blank,
            "recorded": self.recorded,
            "repeated": self.repeated,
            "unknown": self.unknown,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class ScanOutcome:
    """One barcode from the scanning page: skipped (`problem`), or recorded and `seen`."""

    text: str
    problem: LineProblem | None = None
    repeated: bool = False
    seen: Seen | None = None


# --- start --------------------------------------------------------------------------------------


def start(
    *, actor: Actor, site_code: str, at: datetime, location_code: str = "", call_range: str = ""
) -> Inventory:
    """Open an inventory of the site's shelves: all of them, one location's, or a call-number
    range's (`500-599`; see octavo.holdings.inventory_rules.parse_range)."""
    site = Site.objects.filter(code=site_code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {site_code!r}", field="site")
    allowed(actor, site.id, MANAGE)
    location = None
    if location_code.strip():
        location = Location.objects.filter(site=site, code=location_code.strip().upper()).first()
        if location is None:
            raise InvalidInput(
                f"{site.code} has no location {location_code.strip().upper()!r}", field="location"
            )
    shelf = parse_range(call_range) if call_range.strip() else None
    with transaction.atomic():
        _refuse_overlap(site, location, shelf)
        inventory = Inventory.objects.create(
            site=site,
            location=location,
            range_first=shelf.first if shelf else "",
            range_last=shelf.last if shelf else "",
            started_at=at,
            started_by=actor.username,
        )
        listed = _list_range(inventory, shelf) if shelf else None
        audit(
            actor=actor,
            action="inventory.start",
            object_type="inventory",
            object_id=inventory.pk,
            object_repr=f"inventory {inventory.pk}: {scope_text(inventory)}",
            site_id=site.id,
            changes={
                "scope": [None, scope_text(inventory)],
                **({"items_in_range": [None, listed]} if listed is not None else {}),
            },
            at=at,
        )
    return inventory


def _refuse_overlap(site: Site, location: Location | None, shelf: ShelfRange | None) -> None:
    """Two open inventories over the same shelves would each count the other's scans as
    missing when finished: the second is refused until the first is finished or cancelled."""
    location_id = location.pk if location is not None else None
    # Two starts at once wait for each other here (PostgreSQL; SQLite's write lock already
    # lets one transaction through at a time).
    rows.one(Site, "id = %s", [site.pk], lock=True)
    for other in Inventory.objects.filter(site=site, status=Inventory.Status.OPEN).order_by("pk"):
        theirs = ShelfRange(other.range_first, other.range_last) if other.has_range else None
        if shelves_overlap(location_id, shelf, other.location_id, theirs):
            raise InvalidInput(
                f"inventory {other.pk} ({scope_text(other)}) is still open over these shelves:"
                " finish or cancel it first",
                field="inventory",
            )


_RANGE_CANDIDATES = (
    "SELECT id, call_prefix, call_class, call_cutter, call_volume FROM holdings_item "
    "WHERE site_id = %s AND status <> %s"
)


def _list_range(inventory: Inventory, shelf: ShelfRange) -> int:
    """List the site's (location's) items whose call number is in the range; their number."""
    sql = _RANGE_CANDIDATES
    params: list[Any] = [inventory.site_id, ItemStatus.WITHDRAWN.value]
    if inventory.location_id is not None:
        sql, params = sql + " AND location_id = %s", [*params, inventory.location_id]
    within = shelf.matcher()
    decided: dict[str, bool] = {}  # copies share call numbers: each is read once
    listed = 0
    insert = "INSERT INTO holdings_inventoryrangeitem (inventory_id, item_id) VALUES (%s, %s)"
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(sql, params)
        while chunk := reader.fetchmany(5000):
            ids = []
            for item_id, *parts in chunk:
                text = " ".join(p for p in parts if p)
                inside = decided.get(text)
                if inside is None:
                    inside = decided[text] = within(text)
                if inside:
                    ids.append((inventory.pk, item_id))
            if ids:
                writer.executemany(insert, ids)
                listed += len(ids)
    return listed


# --- scans --------------------------------------------------------------------------------------


ProblemListener = Callable[[LineProblem], None]


def scan_file(
    *,
    actor: Actor,
    inventory_id: int,
    stream: IO[bytes],
    source: str,
    at: datetime,
    on_problem: ProblemListener | None = None,
) -> ScanReport:
    """Record the barcodes in a portable scanner's file, read as it streams (CRLF, LF or CR
    line ends; UTF-8, anything undecodable becomes a stray character on its line)."""
    text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
    try:
        return scan_lines(
            actor=actor,
            inventory_id=inventory_id,
            lines=text,
            source=source,
            at=at,
            on_problem=on_problem,
        )
    finally:
        text.detach()  # the caller closes its stream


def scan_lines(
    *,
    actor: Actor,
    inventory_id: int,
    lines: Iterable[str],
    source: str,
    at: datetime,
    on_problem: ProblemListener | None = None,
    numbered: bool = True,
) -> ScanReport:
    """Record a batch of scanned lines, numbered from 1 (blank lines counted). Each barcode is
    recorded once per inventory: repeats, here or in an earlier batch, are counted, not
    stored again, so sending the same file twice changes nothing. Every line not read as a
    barcode, and every barcode no item has, is reported (`problems`, `on_problem`) with its
    line number; the barcodes no item has are recorded all the same (reconcile lists them).
    `numbered`: the lines are a file's (their numbers are kept with the scans), not typed."""
    inventory = get_inventory(actor=actor, inventory_id=inventory_id)
    must_be_open(inventory)
    source = " ".join(source.split())[:100] or "scan"
    report = ScanReport()
    batch: dict[str, int] = {}  # barcode -> its first line in this batch
    pending: list[LineProblem] = []
    first = numbered  # a file's first line may name its columns; the scanning page's never

    def flush() -> None:
        _record(inventory, batch, pending, report, actor, source, at, on_problem, numbered)
        batch.clear()
        pending.clear()

    for number, text in enumerate(lines, start=1):
        report.lines += 1
        read = read_line(text, first=first)
        if isinstance(read, LineProblem):
            if read.reason is LineReason.BLANK:
                report.blank += 1
                continue
            first = False
            report.skipped += 1
            pending.append(replace(read, line=number))
            continue
        first = False
        if read in batch:
            report.repeated += 1
            continue
        batch[read] = number
        if len(batch) >= BATCH:
            flush()
    flush()
    return report


def _record(
    inventory: Inventory,
    batch: dict[str, int],
    pending: list[LineProblem],
    report: ScanReport,
    actor: Actor,
    source: str,
    at: datetime,
    on_problem: ProblemListener | None,
    numbered: bool,
) -> None:
    new: set[str] = set()
    if batch:
        with transaction.atomic():
            # The row lock makes a finish wait for a batch under way, and a batch after it fail.
            must_be_open(found_inventory(inventory.pk, lock=True))
            new = _insert(inventory.pk, batch, actor.username, source, at, numbered)
    report.recorded += len(new)
    report.repeated += len(batch) - len(new)
    known = _existing(new)
    problems = list(pending)
    for barcode in new - known:
        report.unknown += 1
        problems.append(
            LineProblem(
                batch[barcode],
                barcode,
                LineReason.UNKNOWN,
                f"no item in the catalog has the barcode {barcode} (another library's? not yet "
                "cataloged?): recorded, and listed as unknown",
                recorded=True,
            )
        )
    problems.sort(key=lambda p: p.line)
    for problem in problems:
        if len(report.problems) < KEEP_PROBLEMS:
            report.problems.append(problem)
        if on_problem is not None:
            on_problem(problem)


def _insert(
    inventory_id: int, batch: dict[str, int], by: str, source: str, at: datetime, numbered: bool
) -> set[str]:
    """INSERT the batch's barcodes; the ones that were new (ON CONFLICT DO NOTHING RETURNING,
    on both databases: SQLite 3.35+)."""
    moment = rows.moment(at)
    new: set[str] = set()
    for chunk in chunks(list(batch.items()), ROWS_PER_INSERT):
        marks = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
        params: list[Any] = []
        for barcode, line in chunk:
            params += [inventory_id, barcode, moment, by, source, line if numbered else None]
        sql = (
            "INSERT INTO holdings_inventoryscan "  # noqa: S608 - placeholders only
            f"(inventory_id, barcode, scanned_at, scanned_by, source, line) VALUES {marks} "
            "ON CONFLICT (inventory_id, barcode) DO NOTHING RETURNING barcode"
        )
        new.update(rows.values(sql, params))
    return new


def _existing(barcodes: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(sorted(barcodes), IN_CHUNK):
        marks = ", ".join(["%s"] * len(chunk))
        sql = f"SELECT barcode FROM holdings_item WHERE barcode IN ({marks})"  # noqa: S608
        found.update(rows.values(sql, chunk))
    return found


def scan_one(
    *, actor: Actor, inventory_id: int, text: str, source: str, at: datetime
) -> ScanOutcome:
    """One barcode from the scanning page, read as a file's line is, and what it is: the page
    says at once when a book belongs elsewhere, is checked out, lost or unknown."""
    read = read_line(text)
    if isinstance(read, LineProblem):
        return ScanOutcome(text=text.strip()[:64], problem=read)
    report = scan_lines(
        actor=actor,
        inventory_id=inventory_id,
        lines=[read],
        source=source,
        at=at,
        numbered=False,
    )
    return ScanOutcome(text=read, repeated=report.recorded == 0, seen=seen(inventory_id, read))


# --- finishing ----------------------------------------------------------------------------------


def _open_to_end(actor: Actor, inventory_id: int) -> tuple[Inventory, Progress]:
    """The open inventory, locked, once the actor may end it, and its counts as they stand."""
    inventory = found_inventory(inventory_id, lock=True)
    allowed(actor, inventory.site_id, MANAGE)
    must_be_open(inventory)
    return inventory, live_progress(inventory)


def _ended(
    inventory: Inventory,
    status: Inventory.Status,
    counted: Progress,
    *,
    actor: Actor,
    at: datetime,
    changes: dict[str, list[Any]],
) -> Inventory:
    """Record the end (finished or cancelled): who, when, the counts, and its audit entry."""
    inventory.status = status
    inventory.finished_at, inventory.finished_by = at, actor.username
    inventory.expected_count = counted.expected
    inventory.scanned_count = counted.scanned
    inventory.save()
    audit(
        actor=actor,
        action=f"inventory.{'finish' if status == Inventory.Status.FINISHED else 'cancel'}",
        object_type="inventory",
        object_id=inventory.pk,
        object_repr=f"inventory {inventory.pk}: {scope_text(inventory)}",
        site_id=inventory.site_id,
        changes={"status": [Inventory.Status.OPEN.value, status.value], **changes},
        at=at,
    )
    return inventory


def close(*, actor: Actor, inventory_id: int, at: datetime, missing_status: str) -> Inventory:
    """Finish the inventory in one transaction: the items still missing (in scope, available,
    not scanned) get `missing_status` (circulation's transition decides it), every item seen
    gets its last-seen time, and the report (five lists, counts) is kept on the inventory. Use
    octavo.circulation.inventory.finish, which passes circulation's transition."""
    with transaction.atomic():
        inventory, counted = _open_to_end(actor, inventory_id)
        others = live_reconciliation(inventory, with_missing=False)
        missing = sorted(_mark_missing(inventory, missing_status, at))
        seen_count = _mark_seen(inventory)
        found = replace(others, missing=tuple(missing), finished=True)
        inventory.missing_count = len(found.missing)
        inventory.misplaced_count = len(found.misplaced)
        inventory.checked_out_count = len(found.checked_out_on_shelf)
        inventory.found_count = len(found.found)
        inventory.unknown_count = len(found.unknown)
        inventory.report = found.as_dict()
        changes = {
            "expected": [None, counted.expected],
            "scanned": [None, counted.scanned],
            "last_seen_set": [None, seen_count],
            **{kind: [None, n] for kind, n in found.counts().items()},
        }
        return _ended(
            inventory, Inventory.Status.FINISHED, counted, actor=actor, at=at, changes=changes
        )


def cancel(*, actor: Actor, inventory_id: int, at: datetime) -> Inventory:
    """End an open inventory without marking anything: no item becomes missing and no last
    seen date is set (an inventory started on the wrong shelves, or to be done again). Its
    scans stay with it, for the record; it takes no more."""
    with transaction.atomic():
        inventory, counted = _open_to_end(actor, inventory_id)
        changes = {"scanned": [None, counted.scanned]}
        return _ended(
            inventory, Inventory.Status.CANCELLED, counted, actor=actor, at=at, changes=changes
        )


def _mark_missing(inventory: Inventory, status: str, at: datetime) -> list[str]:
    scope, scope_params = scope_sql(inventory)
    scanned, scanned_params = scanned_sql(inventory)
    sql = (
        "UPDATE holdings_item AS i SET status = %s, updated_at = %s "  # noqa: S608
        f"WHERE {scope} AND i.status = %s AND NOT {scanned} RETURNING barcode"
    )
    params = [status, rows.moment(at), *scope_params, EXPECTED, *scanned_params]
    return [str(code) for code in rows.values(sql, params)]


_LAST_SEEN = (
    "UPDATE holdings_item AS i SET last_seen_at = s.scanned_at "
    "FROM holdings_inventoryscan AS s WHERE s.inventory_id = %s AND s.barcode = i.barcode "
    "AND (i.last_seen_at IS NULL OR i.last_seen_at < s.scanned_at)"
)


def _mark_seen(inventory: Inventory) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_LAST_SEEN, [inventory.pk])
        return int(cursor.rowcount)
