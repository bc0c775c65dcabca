"""Merging duplicate patrons: one person with two records (a card made by hand before the
roster brought them in, a student re-enrolled under a new number). Everything moves to the
record that stays, in one transaction; the duplicate is kept, marked merged, so its card
still finds the patron and the audit log's entries still name a record.

What moves: loans (open ones and any history the privacy rule kept); holds (a hold of the
duplicate's on a title the other record already has a hold on is cancelled); guardians not
already on the record; the balance (fines.services.move_balance: the ledger is append-only, so
it moves by entries); and the student and roster IDs and contact details the record that stays
lacks. Privacy: history the duplicate kept goes only if the record that stays keeps reading
history too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import record as audit
from octavo.circulation.models import Loan
from octavo.circulation.states import LoanStatus
from octavo.db import rows
from octavo.fines.selectors import balance
from octavo.fines.services import move_balance
from octavo.holds import services as holds
from octavo.holds.models import Hold
from octavo.holds.states import ACTIVE, HoldStatus
from octavo.patrons.models import Guardian, Patron
from octavo.patrons.states import PatronEvent, PatronStatus, advance
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

_ACTIVE = [s.value for s in ACTIVE]


@dataclass(frozen=True)
class MergePlan:
    """What a merge would move, for the page that asks to confirm it."""

    keep: Patron
    duplicate: Patron
    open_loans: int
    past_loans: int  # history the duplicate kept
    holds: int
    duplicate_holds: int  # waiting for a title the record that stays has a hold on: cancelled
    guardians: int
    balance: Decimal  # what the duplicate owes (negative: a credit)


@dataclass(frozen=True)
class Merged:
    keep: Patron
    duplicate: Patron
    loans: int
    holds: int
    holds_cancelled: int
    guardians: int
    balance: Decimal


def _pair(
    actor: Actor, keep: int | str, duplicate_barcode: str, *, lock: bool
) -> tuple[Patron, Patron]:
    """The record that stays (by id, or by card barcode) and the duplicate (by card)."""
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not merge patrons")
    code = duplicate_barcode.strip()
    if isinstance(keep, int):
        kept = rows.one(Patron, "id = %s", [keep], lock=lock)
    else:
        kept = rows.one(Patron, "barcode = %s", [keep.strip()], lock=lock)
    duplicate = rows.one(Patron, "barcode = %s", [code], lock=lock)
    if kept is None:
        raise NotFound(f"no patron {keep!r}", field="patron")
    keep_patron: Patron = kept
    if duplicate is None:
        raise NotFound(f"no patron with barcode {code!r}", field="duplicate")
    for patron in (keep_patron, duplicate):
        decision = decide(actor, Action.PATRON_EDIT, site_id=patron.home_site_id)
        if not decision:
            raise PermissionDenied(decision.reason, field="duplicate")
    if keep_patron.pk == duplicate.pk:
        raise InvalidInput("that is this patron's own card", field="duplicate")
    for patron in (keep_patron, duplicate):
        if patron.status == PatronStatus.MERGED.value:
            raise InvalidInput(
                f"{patron.barcode} was already merged into another record", field="duplicate"
            )
    return keep_patron, duplicate


def _waiting_twice(keep: Patron, duplicate: Patron) -> QuerySet[Hold]:
    """The duplicate's waiting holds on titles the record that stays also has a hold on."""
    kept_titles = Hold.objects.filter(patron=keep, status__in=_ACTIVE).values("record_id")
    return Hold.objects.filter(
        patron=duplicate, status=HoldStatus.WAITING.value, record_id__in=kept_titles
    )


def _new_guardians(keep: Patron, duplicate: Patron) -> list[Guardian]:
    known = {g.name.strip().lower() for g in Guardian.objects.filter(patron=keep)}
    return [
        g for g in Guardian.objects.filter(patron=duplicate) if g.name.strip().lower() not in known
    ]


def merge_plan(*, actor: Actor, keep_ref: int | str, duplicate_barcode: str) -> MergePlan:
    """What merging would move; `keep_ref`: the record that stays, by id or card barcode."""
    keep, duplicate = _pair(actor, keep_ref, duplicate_barcode, lock=False)
    loans = Loan.objects.filter(patron=duplicate)
    return MergePlan(
        keep=keep,
        duplicate=duplicate,
        open_loans=loans.filter(status=LoanStatus.OPEN.value).count(),
        past_loans=loans.exclude(status=LoanStatus.OPEN.value).count(),
        holds=Hold.objects.filter(patron=duplicate, status__in=_ACTIVE).count(),
        duplicate_holds=_waiting_twice(keep, duplicate).count(),
        guardians=len(_new_guardians(keep, duplicate)),
        balance=balance(duplicate.pk),
    )


def merge_patrons(
    *, actor: Actor, keep_ref: int | str, duplicate_barcode: str, at: datetime
) -> Merged:
    """Fold the patron whose card is `duplicate_barcode` into `keep_ref` (the record that
    stays, by id or card barcode; both at sites where the actor may edit patrons)."""
    with transaction.atomic():
        keep, duplicate = _pair(actor, keep_ref, duplicate_barcode, lock=True)
        cancelled = list(
            _waiting_twice(keep, duplicate).select_for_update(of=("self",)).select_related("patron")
        )
        for hold in cancelled:
            holds.cancel_duplicate(hold, at=at)
        moved_holds = Hold.objects.filter(patron=duplicate, status__in=_ACTIVE).update(patron=keep)
        past = Loan.objects.filter(patron=duplicate).exclude(status=LoanStatus.OPEN.value)
        ended_holds = Hold.objects.filter(patron=duplicate)  # what is left: ended holds
        if keep.keeps_reading_history:
            past.update(patron=keep)
            ended_holds.update(patron=keep)
        else:  # the record that stays keeps no history: the duplicate's is not carried over
            past.update(patron=None)
            ended_holds.update(patron=None)
        moved_loans = Loan.objects.filter(patron=duplicate, status=LoanStatus.OPEN.value).update(
            patron=keep
        )
        guardians = _new_guardians(keep, duplicate)
        Guardian.objects.filter(pk__in=[g.pk for g in guardians]).update(patron=keep)
        Guardian.objects.filter(patron=duplicate).delete()  # the same people, already there
        moved = move_balance(from_patron=duplicate, to_patron=keep, at=at, by=actor.username)
        _take_identity(keep, duplicate, at)
        Patron.objects.filter(merged_into=duplicate).update(merged_into=keep)
        audit(
            actor=actor,
            action="patron.merge",
            object_type="patron",
            object_id=keep.pk,
            object_repr=f"{keep.barcode} {keep.last_name}, {keep.first_name}",
            site_id=keep.home_site_id,
            changes={
                "merged": [None, duplicate.barcode],
                "loans": [None, moved_loans],
                "holds": [None, moved_holds],
                "holds_cancelled": [None, len(cancelled)],
                "guardians": [None, len(guardians)],
                "balance": [None, str(moved)],
            },
            at=at,
        )
    return Merged(keep, duplicate, moved_loans, moved_holds, len(cancelled), len(guardians), moved)


def _take_identity(keep: Patron, duplicate: Patron, at: datetime) -> None:
    """The IDs and contact details the record that stays lacks come from the duplicate (the
    roster then finds this record); the duplicate is marked merged and points here."""
    taken = []
    for name in ("student_id", "roster_id", "email", "phone", "grade", "homeroom"):
        if not getattr(keep, name) and getattr(duplicate, name):
            taken.append(name)
    unique = [name for name in taken if name in ("student_id", "roster_id")]
    if unique:  # free them first: each is unique among patrons
        Patron.objects.filter(pk=duplicate.pk).update(**{name: "" for name in unique})
    if taken:
        Patron.objects.filter(pk=keep.pk).update(
            updated_at=at, **{name: getattr(duplicate, name) for name in taken}
        )
    Patron.objects.filter(pk=duplicate.pk).update(
        status=advance(PatronStatus(duplicate.status), PatronEvent.MERGE).value,
        merged_into=keep,
        updated_at=at,
    )
