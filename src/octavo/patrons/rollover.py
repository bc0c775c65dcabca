"""The year-end rollover: every student moves up a grade (rules.next_grade), and students who
finish grade 12 leave: their cards expire (never deleted: they may still have loans or charges).

Homerooms are cleared, since they were last year's teachers; the next roster import fills them.
A site is rolled over once a calendar year (the Rollover row, unique per site and year), so
running the command again, or two operators at once, moves nobody up twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count

from octavo.accounts.rules import Action, decide, may_ever
from octavo.audit.services import record as audit
from octavo.district.models import Site
from octavo.patrons import rules
from octavo.patrons.models import Patron, Rollover
from octavo.patrons.states import PatronEvent, PatronStatus, advance
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

# Grades from the top down, so a student moved up is never moved again in the same run.
_TOP_DOWN = tuple(reversed(rules.GRADES))
_STAYING = (PatronStatus.ACTIVE.value, PatronStatus.BLOCKED.value)


@dataclass(frozen=True, slots=True)
class SiteRollover:
    site_code: str
    year: int
    moved_up: int
    expired: int
    done_before: bool = False  # this site was rolled over this year already: nothing changed


@dataclass
class RolloverReport:
    dry_run: bool
    sites: list[SiteRollover] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "sites": sum(1 for s in self.sites if not s.done_before),
            "moved_up": sum(s.moved_up for s in self.sites),
            "expired": sum(s.expired for s in self.sites),
            "done_before": sum(1 for s in self.sites if s.done_before),
        }


def _sites(actor: Actor, codes: Sequence[str]) -> list[Site]:
    if not may_ever(actor, Action.PATRON_EDIT):
        raise PermissionDenied(f"role {actor.role.value} may not change patrons")
    if not codes:
        return [
            s
            for s in Site.objects.order_by("code")
            if decide(actor, Action.PATRON_EDIT, site_id=s.id)
        ]
    sites = []
    for code in codes:
        site = Site.objects.filter(code=code.strip().upper()).first()
        if site is None:
            raise NotFound(f"no site with code {code!r}", field="site")
        decision = decide(actor, Action.PATRON_EDIT, site_id=site.id)
        if not decision:
            raise PermissionDenied(decision.reason, field="site")
        sites.append(site)
    return sites


def rollover(
    *, actor: Actor, at: datetime, dry_run: bool = False, site_codes: Sequence[str] = ()
) -> RolloverReport:
    """Roll over the given sites (default: every site the actor may change patrons at)."""
    if at.tzinfo is None:
        raise InvalidInput("give the time with its time zone", field="at")
    report = RolloverReport(dry_run=dry_run)
    for site in _sites(actor, site_codes):
        report.sites.append(_rollover_site(actor, site, at, dry_run))
    return report


class _DoneBefore(Exception):
    pass


def _rollover_site(actor: Actor, site: Site, at: datetime, dry_run: bool) -> SiteRollover:
    today = at.astimezone(ZoneInfo(site.time_zone)).date()
    students = Patron.objects.filter(
        home_site=site, patron_type__code="student", status__in=_STAYING
    ).exclude(grade="")
    if Rollover.objects.filter(site=site, year=today.year).exists():
        return SiteRollover(site.code, today.year, 0, 0, done_before=True)
    if dry_run:
        by_grade = dict(
            students.values_list("grade").annotate(n=Count("id")).values_list("grade", "n")
        )
        leaving = sum(n for g, n in by_grade.items() if rules.next_grade(g) is None)
        return SiteRollover(site.code, today.year, sum(by_grade.values()) - leaving, leaving)
    moved = expired = 0
    try:
        with transaction.atomic():
            # The unique row first: a second run at the same moment stops here.
            try:
                with transaction.atomic():
                    Rollover.objects.create(
                        site=site, year=today.year, at=at, actor_username=actor.username
                    )
            except IntegrityError:
                raise _DoneBefore from None
            for grade in _TOP_DOWN:
                after = rules.next_grade(grade)
                rows = students.filter(grade=grade)
                if after is None:
                    leavers = list(
                        rows.select_for_update(of=("self",)).values_list(
                            "id", "barcode", "last_name", "first_name", "status"
                        )
                    )
                    for patron_id, barcode, last, first, status in leavers:
                        new_status = advance(PatronStatus(status), PatronEvent.EXPIRE).value
                        Patron.objects.filter(pk=patron_id).update(
                            status=new_status, card_expires=today, homeroom="", updated_at=at
                        )
                        audit(
                            actor=actor,
                            action="patron.expire",
                            object_type="patron",
                            object_id=patron_id,
                            object_repr=f"{barcode} {last}, {first}",
                            site_id=site.id,
                            changes={
                                "status": [status, new_status],
                                "card_expires": [None, today.isoformat()],
                                "grade": [grade, grade],
                            },
                            at=at,
                        )
                    expired += len(leavers)
                else:
                    moved += rows.update(grade=after, homeroom="", updated_at=at)
            Rollover.objects.filter(site=site, year=today.year).update(
                moved_up=moved, expired=expired
            )
            audit(
                actor=actor,
                action="patron.rollover",
                object_type="site",
                object_id=site.code,
                object_repr=str(site),
                site_id=site.id,
                changes={"moved_up": [None, moved], "expired": [None, expired]},
                at=at,
            )
    except _DoneBefore:
        return SiteRollover(site.code, today.year, 0, 0, done_before=True)
    return SiteRollover(site.code, today.year, moved, expired)
