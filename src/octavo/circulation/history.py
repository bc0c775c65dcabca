"""Reading history: the loans a patron chose to keep a record of, and the choice itself.

A returned loan keeps its patron only while the patron keeps a reading history (services._end);
otherwise the loan is anonymous from the moment it ends. Turning the history off forgets what
was kept: the ended loans lose their patron, as if it had never been on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from octavo.accounts.rules import Action, decide, decide_own
from octavo.audit.services import record as audit
from octavo.circulation.models import Loan
from octavo.circulation.states import LoanStatus
from octavo.db import rows
from octavo.patrons import rules as patron_rules
from octavo.patrons.models import Patron
from octavo.shared.actor import Actor, Role
from octavo.shared.errors import NotFound, PermissionDenied


def chooses_for(actor: Actor, grade: str) -> bool:
    """In the OPAC, is this actor the one who turns a patron of this grade's reading history on
    or off: the student, or through grade 6 the parent (patrons.rules)? Pages ask it to show
    the switch; choose_reading_history enforces it."""
    return patron_rules.parent_chooses_history(grade) == (actor.role is Role.PARENT)


def _may_choose(actor: Actor, patron: Patron) -> None:
    if actor.patron_ids:
        if not decide_own(actor, Action.HISTORY_CHOICE, patron_id=patron.pk):
            raise NotFound(f"no patron {patron.pk}", field="patron")
        if not chooses_for(actor, patron.grade):
            by_parent = patron_rules.parent_chooses_history(patron.grade)
            who = "a parent" if by_parent else "the student"
            raise PermissionDenied(f"{who} chooses this reading history", field="keep")
        return
    decision = decide(actor, Action.PATRON_EDIT, site_id=patron.home_site_id)
    if not decision:
        raise PermissionDenied(decision.reason, field="patron")


def choose_reading_history(*, actor: Actor, patron_id: int, keep: bool, at: datetime) -> int:
    """Turn a patron's reading history on or off. Off forgets the ended loans kept so far.
    Returns how many ended loans were forgotten."""
    with transaction.atomic():
        patron = rows.one(Patron, "id = %s", [patron_id], lock=True)
        if patron is None:
            raise NotFound(f"no patron {patron_id}", field="patron")
        _may_choose(actor, patron)
        forgotten = 0
        if not keep:
            forgotten = (
                Loan.objects.filter(patron_id=patron.pk)
                .exclude(status=LoanStatus.OPEN.value)
                .update(patron=None)
            )
        if patron.keeps_reading_history != keep:
            patron.keeps_reading_history = keep
            patron.updated_at = at
            patron.save(update_fields=["keeps_reading_history", "updated_at"])
            audit(
                actor=actor,
                action="patron.reading_history",
                object_type="patron",
                object_id=patron.pk,
                object_repr=patron.barcode,
                site_id=patron.home_site_id,
                changes={"keeps_reading_history": [not keep, keep], "forgotten": [0, forgotten]},
                at=at,
            )
        return forgotten


@dataclass(frozen=True)
class HistoryLine:
    record_id: int
    title: str
    authors: list[str]
    checked_out_at: datetime
    ended_at: datetime | None


def reading_history(patron_id: int, *, limit: int = 200) -> list[HistoryLine]:
    """The patron's ended loans, newest first (only there while they keep a history)."""
    loans = (
        Loan.objects.filter(patron_id=patron_id)
        .exclude(status=LoanStatus.OPEN.value)
        .order_by("-ended_at", "-id")
        .values_list(
            "item__record_id",
            "item__record__title",
            "item__record__authors",
            "checked_out_at",
            "ended_at",
        )[:limit]
    )
    return [HistoryLine(*row) for row in loans]
