"""Reading policy rows and a site's calendar, as the pure rules want them, and the matrix as
staff read it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import QuerySet

from octavo.accounts.rules import Action, may_ever
from octavo.district.models import ClosedDay, OpeningHours, Site
from octavo.district.selectors import cached
from octavo.holdings.models import MaterialType
from octavo.patrons.models import PatronType
from octavo.policy.models import DistrictPolicy, PolicyRule
from octavo.policy.rules import LoanRules, Resolved, RuleRow, resolve
from octavo.shared.actor import Actor
from octavo.shared.calendar import Calendar
from octavo.shared.errors import InvalidInput, PermissionDenied


def _row(r: PolicyRule) -> RuleRow:
    return RuleRow(
        site_id=r.site_id,
        patron_type_id=r.patron_type_id,
        material_type_id=r.material_type_id,
        rules=LoanRules(
            loan_days=r.loan_days,
            loan_hours=r.loan_hours,
            max_items=r.max_items,
            renewals=r.renewals,
            fine_per_day=Decimal(r.fine_per_day),
            fine_cap=Decimal(r.fine_cap) if r.fine_cap is not None else None,
            grace_days=r.grace_days,
            hold_limit=r.hold_limit,
            hold_shelf_days=r.hold_shelf_days,
            lost_after_days=r.lost_after_days,
            processing_fee=Decimal(r.processing_fee),
            max_balance=Decimal(r.max_balance),
            max_overdues=r.max_overdues,
        ),
    )


def _all_rows() -> tuple[RuleRow, ...]:
    return tuple(_row(r) for r in PolicyRule.objects.all())


def fine_free() -> bool:
    """Is the whole district fine-free (models.DistrictPolicy)?"""
    return cached(
        "fine_free",
        lambda: bool(
            DistrictPolicy.objects.filter(pk=1).values_list("fine_free", flat=True).first()
        ),
    )


def rules_for(*, site_id: int, patron_type_id: int, material_type_id: int | None) -> Resolved:
    """The policy for one loan, resolved by the rules from the whole matrix (a few dozen rows
    at most), which each process keeps while the configuration stands (district.selectors).
    In a fine-free district the fine per day is 0 whatever the row says."""
    resolved = resolve(
        cached("policy_rows", _all_rows),
        site_id=site_id,
        patron_type_id=patron_type_id,
        material_type_id=material_type_id,
    )
    if resolved.rules.fine_per_day and fine_free():
        return replace(resolved, rules=replace(resolved.rules, fine_per_day=Decimal("0.00")))
    return resolved


def calendar_for(site_id: int) -> Calendar:
    """A site's calendar (time zone, weekly hours, closed days), kept like the policy rows."""

    def build() -> Calendar:
        zone = Site.objects.values_list("time_zone", flat=True).get(pk=site_id)
        periods = OpeningHours.objects.filter(site_id=site_id).values_list(
            "weekday", "opens", "closes"
        )
        closed = ClosedDay.objects.filter(site_id=site_id).values_list("day", flat=True)
        return Calendar.build(zone=zone, periods=periods, closed=closed)

    return cached(("calendar", site_id), build)


def circulates(material_type_id: int | None) -> bool:
    """May items of this material type be checked out (an item with none may)?"""
    if material_type_id is None:
        return True
    return cached(
        ("circulates", material_type_id),
        lambda: MaterialType.objects.values_list("circulates", flat=True).get(pk=material_type_id),
    )


# --- the matrix as staff read it --------------------------------------------------------------


def may_view_policy(actor: Actor) -> bool:
    """Whoever works the desk (to explain a due date or a limit to a patron) or sets policy.
    The whole matrix is shown: it holds no patron data, and a patron from another site may
    stand at any desk."""
    return may_ever(actor, Action.CIRCULATE) or may_ever(actor, Action.POLICY_EDIT)


def _require_view(actor: Actor) -> None:
    if not may_view_policy(actor):
        raise PermissionDenied(f"role {actor.role.value} may not view the circulation policy")


def policy_rows(*, actor: Actor) -> list[PolicyRule]:
    """Every row, most general first: the district default, then district-wide rows by patron
    type and material type, then each site's rows in the same order (the order resolve()
    ranks them in, read upwards)."""
    _require_view(actor)
    rows = PolicyRule.objects.select_related("site", "patron_type", "material_type")

    def key(r: PolicyRule) -> tuple[bool, str, bool, str, bool, str]:
        return (
            r.site is not None,
            r.site.code if r.site else "",
            r.patron_type is not None,
            r.patron_type.code if r.patron_type else "",
            r.material_type is not None,
            r.material_type.code if r.material_type else "",
        )

    return sorted(rows, key=key)


def patron_types(*, actor: Actor) -> QuerySet[PatronType]:
    _require_view(actor)
    return PatronType.objects.order_by("code")


def material_types(*, actor: Actor) -> QuerySet[MaterialType]:
    _require_view(actor)
    return MaterialType.objects.order_by("code")


@dataclass(frozen=True, slots=True)
class Explained:
    """Which row applies to a loan of one material type to one patron type at one site."""

    site: Site
    patron_type: PatronType
    material_type: MaterialType | None
    rule: PolicyRule  # the winning row
    rules: LoanRules


def explain(
    *, actor: Actor, site_code: str, patron_type_code: str, material_type_code: str = ""
) -> Explained:
    """The row rules_for picks (the same resolution the desk uses, not a second one)."""
    _require_view(actor)
    site = Site.objects.filter(code=site_code.strip().upper()).first()
    if site is None:
        raise InvalidInput(f"no site with code {site_code!r}", field="site")
    patron_type = PatronType.objects.filter(code=patron_type_code.strip().lower()).first()
    if patron_type is None:
        raise InvalidInput(f"no patron type {patron_type_code!r}", field="patron_type")
    material_type = None
    if material_type_code.strip():
        material_type = MaterialType.objects.filter(code=material_type_code.strip().lower()).first()
        if material_type is None:
            raise InvalidInput(f"no material type {material_type_code!r}", field="material_type")
    resolved = rules_for(
        site_id=site.id,
        patron_type_id=patron_type.id,
        material_type_id=material_type.id if material_type else None,
    )
    keys = {
        "site": resolved.site_id,
        "patron_type": resolved.patron_type_id,
        "material_type": resolved.material_type_id,
    }
    lookup = {
        (f"{k}_id" if v is not None else f"{k}__isnull"): (v or True) for k, v in keys.items()
    }
    rule = PolicyRule.objects.select_related("site", "patron_type", "material_type").get(**lookup)
    return Explained(site, patron_type, material_type, rule, resolved.rules)
