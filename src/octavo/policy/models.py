"""The circulation policy matrix: site x patron type x material type, any of them a wildcard.

octavo.policy.rules picks the most specific row for a loan; a fresh database holds one
district-wide row of all wildcards, so a new site can circulate at once (issue #4).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class PolicyRule(models.Model):
    # None = any site / any patron type / any material type.
    site = models.ForeignKey(
        "district.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    patron_type = models.ForeignKey(
        "patrons.PatronType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    material_type = models.ForeignKey(
        "holdings.MaterialType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The loan period: days, or hours for short loans (reserve, equipment). One of the two.
    loan_days = models.PositiveIntegerField(_("loan period (days)"), default=14)
    loan_hours = models.PositiveIntegerField(_("loan period (hours)"), default=0)
    max_items = models.PositiveIntegerField(_("maximum items out"), default=5)
    renewals = models.PositiveIntegerField(_("renewals allowed"), default=2)
    fine_per_day = models.DecimalField(_("fine per day"), max_digits=7, decimal_places=2, default=0)
    fine_cap = models.DecimalField(
        _("fine cap"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    grace_days = models.PositiveIntegerField(_("grace days"), default=0)
    hold_limit = models.PositiveIntegerField(_("holds allowed"), default=5)
    hold_shelf_days = models.PositiveIntegerField(_("days on the hold shelf"), default=7)
    # Billed as lost (replacement cost + processing fee) after this many days overdue; None:
    # never automatically.
    lost_after_days = models.PositiveIntegerField(
        _("billed as lost after (days overdue)"), null=True, blank=True
    )
    processing_fee = models.DecimalField(
        _("processing fee"), max_digits=7, decimal_places=2, default=0
    )
    # Blocks at the desk: more owed than this, or more overdue items than this.
    max_balance = models.DecimalField(
        _("blocked when owing more than"), max_digits=7, decimal_places=2, default=10
    )
    max_overdues = models.PositiveIntegerField(_("blocked with more overdue items than"), default=3)

    class Meta:
        constraints = [
            # One row per combination. NULLs are distinct in a plain unique index (and
            # SQLite has no NULLS NOT DISTINCT), so the wildcards are compared as 0.
            models.UniqueConstraint(
                Coalesce("site", 0),
                Coalesce("patron_type", 0),
                Coalesce("material_type", 0),
                name="policy_rule_once",
            ),
            models.CheckConstraint(
                condition=Q(loan_days__gt=0) | Q(loan_hours__gt=0), name="policy_loan_period_set"
            ),
            models.CheckConstraint(
                condition=Q(loan_days=0) | Q(loan_hours=0), name="policy_loan_days_or_hours"
            ),
            models.CheckConstraint(
                condition=Q(fine_per_day__gte=0), name="policy_fine_not_negative"
            ),
        ]

    def __str__(self) -> str:
        parts = [
            str(self.site_id or "*"),
            str(self.patron_type_id or "*"),
            str(self.material_type_id or "*"),
        ]
        return "policy " + " x ".join(parts)


class DistrictPolicy(models.Model):
    """District-wide switches over the whole matrix (one row, id 1). `fine_free`: no overdue
    fine anywhere, whatever a row says (issue #4, "a district setting for fine-free"); charges
    for lost and damaged items and processing fees still apply."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    fine_free = models.BooleanField(_("fine-free district"), default=False)

    def __str__(self) -> str:
        return "district policy"
