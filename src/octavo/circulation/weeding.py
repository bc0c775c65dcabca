"""Weeding lists (issue #8): build one for a site's call-number range with the usual criteria or a
preset, review it (keep or withdraw each entry: by button, or by scanning the books pulled from
the shelf), print it in shelf order, and apply it: the items to withdraw are withdrawn through
the item transition table, with a reason, each with its own audit entry, in one transaction.

Why here and not in octavo.holdings, which owns the lists (models) and their pure rules
(octavo.holdings.weeding_rules): a list is built from circulation's statistics rows
(CirculationEvent: when an item last went out, how often) and applied with circulation's
transition table, and holdings sits below circulation in the layers contract (pyproject.toml).

Building is one set-based statement, the same on SQLite and PostgreSQL: a CTE `used` groups the
site's items' check-out and renewal rows by item (the last one, how many); a CTE `held` joins it
to the site's items in the collection and numbers the copies of each title by use with a window
function (ROW_NUMBER() OVER (PARTITION BY record_id ...): the most recently used copy is 1), so
that "copies beyond N" is a comparison; the outer SELECT keeps the items the transition table
can withdraw (on the shelf or in repair) and joins their record's year. Python then keeps the
items in the call-number range (shelf order is Python's: octavo.catalog.callnumbers) and asks
the pure rules why each is a candidate. Withdrawn items keep their rows, their loans and their
statistics rows: the circulation reports still count every check-out they ever had.

Reading the lists (the review page, the printed list) is octavo.holdings.weeding_selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from octavo.accounts.rules import may_ever
from octavo.audit.services import record as audit
from octavo.catalog.callnumbers import shelf_key
from octavo.circulation.models import CirculationEvent
from octavo.circulation.states import (
    ITEM_TRANSITIONS,
    EventKind,
    IllegalMove,
    ItemEvent,
    advance_item,
)
from octavo.db import rows
from octavo.district.models import Location, Site
from octavo.holdings.inventory_rules import ShelfRange
from octavo.holdings.models import Item, WeedingEntry, WeedingList
from octavo.holdings.states import ItemStatus
from octavo.holdings.weeding_rules import (
    Criteria,
    Criterion,
    ItemFacts,
    candidate_reasons,
    parse_weeding_range,
)
from octavo.holdings.weeding_selectors import MANAGE, get_list, require, scope_text
from octavo.holds.selectors import Stranded, stranded_holds
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

# The copies that count as a title's copies at the site (for "copies beyond N"): those in the
# collection, wherever they are just now.
IN_COLLECTION = (
    ItemStatus.AVAILABLE.value,
    ItemStatus.CHECKED_OUT.value,
    ItemStatus.IN_TRANSIT.value,
    ItemStatus.ON_HOLD_SHELF.value,
    ItemStatus.IN_REPAIR.value,
)
# The items a list may propose: those the transition table can withdraw.
WEEDABLE = tuple(s.value for s in ItemStatus if (s, ItemEvent.WITHDRAW) in ITEM_TRANSITIONS)
USE_KINDS = (EventKind.CHECK_OUT.value, EventKind.RENEW.value)
DECISIONS = frozenset(WeedingEntry.Decision.values)
BATCH = 500
MAX_REASON = 500


# --- finding and checking ---------------------------------------------------------------------


def _site(actor: Actor, site_code: str) -> Site:
    if not may_ever(actor, MANAGE):  # before any lookup: learn nothing
        raise PermissionDenied(f"role {actor.role.value} may not weed")
    site = Site.objects.filter(code=site_code.strip().upper()).first()
    if site is None:
        raise NotFound(f"no site with code {site_code!r}", field="site")
    require(actor, site.id)
    return site


def _must_be_open(weeding: WeedingList) -> None:
    if weeding.status != WeedingList.Status.OPEN:
        raise InvalidInput(
            f"weeding list {weeding.pk} was applied: it can be read and printed, not changed",
            field="weeding_list",
        )


# --- building -----------------------------------------------------------------------------------


_FACTS = (
    "WITH used AS ("
    " SELECT e.item_id AS item_id, MAX(e.at) AS last_at, COUNT(*) AS times"
    " FROM circulation_circulationevent e JOIN holdings_item s ON s.id = e.item_id"
    " WHERE s.site_id = %s AND e.kind IN (%s, %s) GROUP BY e.item_id"
    "), held AS ("
    " SELECT i.id, i.record_id, i.barcode, i.status, i.location_id, i.call_prefix, i.call_class,"
    " i.call_cutter, i.call_volume, i.copy_number, i.condition, i.created_at, u.last_at,"
    " COALESCE(u.times, 0) AS times,"
    " ROW_NUMBER() OVER (PARTITION BY i.record_id ORDER BY"
    " CASE WHEN u.last_at IS NULL THEN 1 ELSE 0 END, u.last_at DESC, i.id DESC) AS copy_rank"
    " FROM holdings_item i LEFT JOIN used u ON u.item_id = i.id"
    " WHERE i.site_id = %s AND i.status IN ({collection})"
    ") SELECT h.id, h.barcode, h.location_id, h.call_prefix, h.call_class, h.call_cutter,"
    " h.call_volume, h.copy_number, h.condition, h.created_at, h.last_at, h.times, h.copy_rank,"
    " r.year"
    " FROM held h JOIN catalog_record r ON r.id = h.record_id"
    " WHERE h.status IN ({weedable})"
)


@dataclass(frozen=True)
class _Candidate:
    item_id: int
    barcode: str
    call_number: str
    year: int | None
    last_used_at: datetime | None
    times_used: int
    condition: str
    reasons: tuple[Criterion, ...]


def _call_number(parts: Sequence[str], copy: str) -> str:
    text = " ".join(p for p in parts if p)
    return f"{text} c.{copy}" if copy else text


def _candidates(
    site: Site, shelf: ShelfRange, location: Location | None, chosen: Criteria, at: datetime
) -> list[_Candidate]:
    zone = ZoneInfo(site.time_zone)
    today = at.astimezone(zone).date()
    sql = _FACTS.format(
        collection=", ".join(["%s"] * len(IN_COLLECTION)),
        weedable=", ".join(["%s"] * len(WEEDABLE)),
    )
    params: list[Any] = [site.id, *USE_KINDS, site.id, *IN_COLLECTION, *WEEDABLE]
    within = shelf.matcher()
    inside: dict[str, bool] = {}  # copies share call numbers: each is read once
    found = []
    for row in rows.table(sql, params):
        item_id, barcode, location_id, prefix, cls, cutter, volume, copy = row[:8]
        condition, created, last, times, rank, year = row[8:]
        if location is not None and location_id != location.pk:
            continue
        shelved = " ".join(p for p in (prefix, cls, cutter, volume) if p)
        if shelved not in inside:
            inside[shelved] = within(shelved)
        if not inside[shelved]:
            continue
        last_at = rows.converted(CirculationEvent, "at", last) if last is not None else None
        facts = ItemFacts(
            call_number=shelved,
            year=int(year) if year is not None else None,
            added_on=_local_date(rows.converted(Item, "created_at", created), zone),
            last_used_on=_local_date(last_at, zone) if last_at is not None else None,
            condition=condition or "",
            copy_rank=int(rank),
        )
        reasons = candidate_reasons(facts, chosen, today=today)
        if reasons:
            found.append(
                _Candidate(
                    item_id=int(item_id),
                    barcode=barcode,
                    call_number=_call_number((prefix, cls, cutter, volume), copy),
                    year=facts.year,
                    last_used_at=last_at,
                    times_used=int(times),
                    condition=facts.condition,
                    reasons=reasons,
                )
            )
    return found


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def build_list(
    *,
    actor: Actor,
    site_code: str,
    call_range: str,
    criteria: Criteria,
    at: datetime,
    preset: str = "",
    location_code: str = "",
) -> WeedingList:
    """A weeding list of the site's items in `call_range` (`500-599`, `FIC A-FIC C`; see
    octavo.holdings.inventory_rules.parse_range) that meet `criteria`, in shelf order, every
    entry undecided. `preset` only names where the criteria came from."""
    site = _site(actor, site_code)
    shelf = parse_weeding_range(call_range)
    if criteria.is_empty:
        raise InvalidInput("choose at least one criterion, or a preset", field="criteria")
    location = None
    if location_code.strip():
        location = Location.objects.filter(site=site, code=location_code.strip().upper()).first()
        if location is None:
            raise InvalidInput(
                f"{site.code} has no location {location_code.strip().upper()!r}", field="location"
            )
    found = _candidates(site, shelf, location, criteria, at)
    found.sort(key=lambda c: (shelf_key(c.call_number), c.barcode))
    with transaction.atomic():
        weeding = WeedingList.objects.create(
            site=site,
            range_first=shelf.first,
            range_last=shelf.last,
            preset=preset.strip().lower()[:32],
            criteria={
                **criteria.as_dict(),
                **({"location": location.code} if location is not None else {}),
            },
            built_at=at,
            built_by=actor.username,
        )
        WeedingEntry.objects.bulk_create(
            (
                WeedingEntry(
                    weeding_list=weeding,
                    item_id=c.item_id,
                    position=position,
                    call_number=c.call_number[:200],
                    reasons=",".join(r.value for r in c.reasons),
                    year=c.year,
                    last_used_at=c.last_used_at,
                    times_used=c.times_used,
                    condition=c.condition[:32],
                )
                for position, c in enumerate(found, start=1)
            ),
            batch_size=BATCH,
        )
        audit(
            actor=actor,
            action="weeding.build",
            object_type="weeding_list",
            object_id=weeding.pk,
            object_repr=f"weeding list {weeding.pk}: {scope_text(weeding)}",
            site_id=site.id,
            changes={
                "scope": [None, scope_text(weeding)],
                "criteria": [None, weeding.criteria],
                "entries": [None, len(found)],
            },
            at=at,
        )
    return weeding


# --- review -------------------------------------------------------------------------------------


def _decision(value: str) -> str:
    if value not in DECISIONS:
        raise InvalidInput(
            f"{value!r} is not a decision (keep, withdraw or undecided)", field="decision"
        )
    return value


def decide_entry(
    *, actor: Actor, list_id: int, entry_id: int, decision: str, at: datetime
) -> WeedingEntry:
    """Keep or withdraw one entry (or make it undecided again)."""
    wanted = _decision(decision)
    with transaction.atomic():
        weeding = get_list(actor=actor, list_id=list_id, lock=True)
        _must_be_open(weeding)
        entry = WeedingEntry.objects.filter(weeding_list=weeding, pk=entry_id).first()
        if entry is None:
            raise NotFound(f"weeding list {weeding.pk} has no entry {entry_id}", field="entry")
        return _set(entry, wanted, actor, at)


def _set(entry: WeedingEntry, decision: str, actor: Actor, at: datetime) -> WeedingEntry:
    entry.decision = decision
    entry.decided_at = at if decision != WeedingEntry.Decision.UNDECIDED else None
    entry.decided_by = actor.username if decision != WeedingEntry.Decision.UNDECIDED else ""
    entry.save(update_fields=["decision", "decided_at", "decided_by"])
    return entry


@dataclass(frozen=True)
class ScanDecision:
    """What a scan on the review page did: the entry it decided, or why it decided none."""

    barcode: str
    entry: WeedingEntry | None
    repeated: bool = False  # the entry already had this decision


def decide_by_barcode(
    *, actor: Actor, list_id: int, barcode: str, decision: str, at: datetime
) -> ScanDecision:
    """The scanned item's entry gets `decision` (the books pulled from the shelf are scanned at
    the desk). A barcode that is blank, no item's, or not on this list is named, and nothing
    changes."""
    wanted = _decision(decision)
    code = barcode.strip()
    if not code:
        raise InvalidInput("scan an item's barcode", field="barcode")
    if len(code) > 32:
        raise InvalidInput(
            f"{code[:40]!r} is longer than a barcode (two scans run together?)", field="barcode"
        )
    with transaction.atomic():
        weeding = get_list(actor=actor, list_id=list_id, lock=True)
        _must_be_open(weeding)
        entry = (
            WeedingEntry.objects.select_related("item")
            .filter(weeding_list=weeding, item__barcode=code)
            .first()
        )
        if entry is None:
            if Item.objects.filter(barcode=code).exists():
                raise InvalidInput(
                    f"{code} is not on weeding list {weeding.pk}: put it back on the shelf",
                    field="barcode",
                )
            raise NotFound(f"no item has the barcode {code}", field="barcode")
        repeated = entry.decision == wanted
        return ScanDecision(code, _set(entry, wanted, actor, at), repeated=repeated)


def decide_undecided(*, actor: Actor, list_id: int, decision: str, at: datetime) -> int:
    """Every entry still undecided gets `decision` (keep or withdraw); how many did."""
    wanted = _decision(decision)
    if wanted == WeedingEntry.Decision.UNDECIDED:
        raise InvalidInput("choose keep or withdraw", field="decision")
    with transaction.atomic():
        weeding = get_list(actor=actor, list_id=list_id, lock=True)
        _must_be_open(weeding)
        return WeedingEntry.objects.filter(
            weeding_list=weeding, decision=WeedingEntry.Decision.UNDECIDED
        ).update(decision=wanted, decided_at=at, decided_by=actor.username)


# --- applying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    weeding_list: WeedingList
    withdrawn: tuple[str, ...]  # barcodes
    skipped: tuple[tuple[str, str], ...]  # (barcode, why)
    kept: int  # kept by decision, or left undecided
    # Titles whose waiting holds no copy can fill now that these are withdrawn: to cancel
    # (patrons told) or to order a copy for.
    stranded: tuple[Stranded, ...] = ()


_WHY_NOT = {
    ItemStatus.CHECKED_OUT.value: "checked out since the list was built: withdraw it once back",
    ItemStatus.IN_TRANSIT.value: "in transit: withdraw it once it arrives",
    ItemStatus.ON_HOLD_SHELF.value: "waiting on the hold shelf for a patron",
    ItemStatus.WITHDRAWN.value: "already withdrawn",
    ItemStatus.LOST.value: "lost since the list was built",
    ItemStatus.MISSING.value: "missing since the list was built",
}


def apply_list(
    *, actor: Actor, list_id: int, reason: str, at: datetime, include_undecided: bool = False
) -> Applied:
    """Withdraw the entries marked withdraw (and, with `include_undecided`, the undecided ones),
    each through the transition table with its own audit entry, all in one transaction. An item
    that cannot be withdrawn now (it went out since the list was built) is skipped and says why;
    everything else is kept. The list is then applied: read-only, with its reason."""
    why = " ".join(reason.split())
    if not why:
        raise InvalidInput(
            "say why these items are withdrawn (e.g. outdated, worn)", field="reason"
        )
    if len(why) > MAX_REASON:
        raise InvalidInput(f"a reason is at most {MAX_REASON} characters", field="reason")
    wanted = [WeedingEntry.Decision.WITHDRAW.value]
    if include_undecided:
        wanted.append(WeedingEntry.Decision.UNDECIDED.value)
    with transaction.atomic():
        weeding = get_list(actor=actor, list_id=list_id, lock=True)
        _must_be_open(weeding)
        entries = list(
            WeedingEntry.objects.filter(weeding_list=weeding, decision__in=wanted).order_by(
                "position"
            )
        )
        items = {
            item.pk: item
            for item in Item.objects.select_for_update(of=("self",))
            .select_related("record")
            .filter(pk__in=[e.item_id for e in entries])
        }
        withdrawn: list[WeedingEntry] = []
        skipped: list[WeedingEntry] = []
        for entry in entries:
            item = items[entry.item_id]
            try:
                status = advance_item(ItemStatus(item.status), ItemEvent.WITHDRAW)
            except IllegalMove:
                entry.outcome = WeedingEntry.Outcome.SKIPPED
                entry.outcome_note = _WHY_NOT.get(item.status, f"its status is {item.status}")
                skipped.append(entry)
                continue
            before = item.status
            item.status, item.updated_at = status.value, at
            entry.outcome, entry.outcome_note = WeedingEntry.Outcome.WITHDRAWN, ""
            withdrawn.append(entry)
            audit(
                actor=actor,
                action="item.withdraw",
                object_type="item",
                object_id=item.barcode,
                object_repr=f"{item.barcode} {item.record.title[:200]}",
                site_id=item.site_id,
                changes={
                    "status": [before, item.status],
                    "reason": [None, why],
                    "weeding_list": [None, weeding.pk],
                },
                at=at,
            )
        Item.objects.bulk_update(
            [items[e.item_id] for e in withdrawn], ["status", "updated_at"], batch_size=BATCH
        )
        WeedingEntry.objects.bulk_update(
            withdrawn + skipped, ["outcome", "outcome_note"], batch_size=BATCH
        )
        kept = (
            WeedingEntry.objects.filter(weeding_list=weeding)
            .exclude(pk__in=[e.pk for e in withdrawn + skipped])
            .update(outcome=WeedingEntry.Outcome.KEPT)
        )
        stranded = stranded_holds(items[e.item_id].record_id for e in withdrawn)
        weeding.status = WeedingList.Status.APPLIED
        weeding.applied_at, weeding.applied_by, weeding.reason = at, actor.username, why
        weeding.withdrawn_count = len(withdrawn)
        weeding.save(
            update_fields=["status", "applied_at", "applied_by", "reason", "withdrawn_count"]
        )
        audit(
            actor=actor,
            action="weeding.apply",
            object_type="weeding_list",
            object_id=weeding.pk,
            object_repr=f"weeding list {weeding.pk}: {scope_text(weeding)}",
            site_id=weeding.site_id,
            changes={
                "reason": [None, why],
                "withdrawn": [None, len(withdrawn)],
                "skipped": [None, len(skipped)],
                "kept": [None, kept],
            },
            at=at,
        )
    return Applied(
        weeding_list=weeding,
        withdrawn=tuple(items[e.item_id].barcode for e in withdrawn),
        skipped=tuple((items[e.item_id].barcode, e.outcome_note) for e in skipped),
        kept=kept,
        stranded=tuple(stranded),
    )
