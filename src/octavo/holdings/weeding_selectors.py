"""Reading weeding lists (issue #8): which lists an actor may see, one list, its entries in shelf
order (what the review page, the printed list and `octavo weeding build --json` show) and how
many are undecided, to keep, to withdraw. The lists are built, reviewed and applied by
octavo.circulation.weeding, which needs circulation's statistics rows and transition table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from octavo.accounts.rules import Action, decide, may_ever
from octavo.holdings.inventory_rules import ShelfRange
from octavo.holdings.models import WeedingEntry, WeedingList
from octavo.shared.actor import Actor
from octavo.shared.errors import NotFound, PermissionDenied

# Weeding is collection work at the site: a librarian's or a technician's (MISSION.md).
MANAGE = Action.CATALOG_EDIT


def require(actor: Actor, site_id: int) -> None:
    """Refuse an actor who may not weed at this site."""
    decision = decide(actor, MANAGE, site_id=site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def get_list(*, actor: Actor, list_id: int, lock: bool = False) -> WeedingList:
    """The weeding list, if the actor may weed at its site."""
    if not may_ever(actor, MANAGE):
        raise PermissionDenied(f"role {actor.role.value} may not weed")
    query = WeedingList.objects.select_related("site")
    if lock:
        query = query.select_for_update(of=("self",))
    found = query.filter(pk=list_id).first()
    if found is None:
        raise NotFound(f"no weeding list {list_id}", field="weeding_list")
    require(actor, found.site_id)
    return found


def weeding_lists(*, actor: Actor, limit: int = 100) -> list[WeedingList]:
    """The latest weeding lists at the sites where the actor may weed, open ones first."""
    if not may_ever(actor, MANAGE):
        return []
    query = WeedingList.objects.select_related("site")
    if not actor.is_district_admin:
        query = query.filter(site_id__in=actor.site_ids)
    return list(query.order_by("-status", "-built_at", "-id")[:limit])  # "open" > "applied"


def scope_text(weeding: WeedingList) -> str:
    """`NES 500-599`: the site and the range a list covers."""
    if not (weeding.range_first or weeding.range_last):
        return weeding.site.code
    return f"{weeding.site.code} {ShelfRange(weeding.range_first, weeding.range_last)}"


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryLine:
    """An entry as the review page, the printed list and `--json` show it."""

    entry_id: int
    position: int
    barcode: str
    title: str
    authors: str
    call_number: str
    year: int | None
    last_used_at: datetime | None
    times_used: int
    condition: str
    reasons: tuple[str, ...]  # weeding_rules.Criterion values
    decision: str
    outcome: str
    outcome_note: str
    status: str  # the item's status now


def entry_lines(
    weeding: WeedingList,
    *,
    decisions: Sequence[str] = (),
    entry_ids: Sequence[int] = (),
    limit: int | None = None,
) -> list[EntryLine]:
    """The list's entries in shelf order (as it was built); only those with `decisions`, only
    those with `entry_ids`, when given."""
    query = WeedingEntry.objects.filter(weeding_list=weeding)
    if decisions:
        query = query.filter(decision__in=list(decisions))
    if entry_ids:
        query = query.filter(pk__in=list(entry_ids))
    values = query.order_by("position").values_list(
        "pk",
        "position",
        "item__barcode",
        "item__record__title",
        "item__record__authors",
        "call_number",
        "year",
        "last_used_at",
        "times_used",
        "condition",
        "reasons",
        "decision",
        "outcome",
        "outcome_note",
        "item__status",
    )
    found = values[:limit] if limit is not None else values
    return [
        EntryLine(
            entry_id=pk,
            position=position,
            barcode=barcode,
            title=title,
            authors=_authors(authors),
            call_number=call,
            year=year,
            last_used_at=last,
            times_used=times,
            condition=condition,
            reasons=tuple(r for r in reasons.split(",") if r),
            decision=decision,
            outcome=outcome,
            outcome_note=note,
            status=status,
        )
        for (
            pk,
            position,
            barcode,
            title,
            authors,
            call,
            year,
            last,
            times,
            condition,
            reasons,
            decision,
            outcome,
            note,
            status,
        ) in found
    ]


def _authors(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(str(a) for a in value)
    return str(value or "")


def decision_counts(weeding: WeedingList) -> dict[str, int]:
    """How many entries are undecided, to keep, to withdraw (every key present)."""
    counted = dict(
        WeedingEntry.objects.filter(weeding_list=weeding)
        .order_by()
        .values_list("decision")
        .annotate(n=Count("id"))
        .values_list("decision", "n")
    )
    return {d: int(counted.get(d, 0)) for d in WeedingEntry.Decision.values}
