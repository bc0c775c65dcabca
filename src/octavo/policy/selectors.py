"""Reading policy rows and a site's calendar, as the pure rules want them."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from octavo.district.models import ClosedDay, OpeningHours, Site
from octavo.policy.models import PolicyRule
from octavo.policy.rules import LoanRules, Resolved, RuleRow, resolve
from octavo.shared.calendar import Calendar


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


def rules_for(*, site_id: int, patron_type_id: int, material_type_id: int | None) -> Resolved:
    """The policy for one loan: the rows that could match (a handful), resolved by the rules."""
    rows = PolicyRule.objects.filter(
        Q(site__isnull=True) | Q(site_id=site_id),
        Q(patron_type__isnull=True) | Q(patron_type_id=patron_type_id),
        Q(material_type__isnull=True) | Q(material_type_id=material_type_id),
    )
    return resolve(
        [_row(r) for r in rows],
        site_id=site_id,
        patron_type_id=patron_type_id,
        material_type_id=material_type_id,
    )


def calendar_for(site: Site) -> Calendar:
    periods = OpeningHours.objects.filter(site=site).values_list("weekday", "opens", "closes")
    closed = ClosedDay.objects.filter(site=site).values_list("day", flat=True)
    return Calendar.build(zone=site.time_zone, periods=periods, closed=closed)
