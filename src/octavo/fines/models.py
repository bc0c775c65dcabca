"""The fines and fees ledger: append-only, one row per charge, payment, waiver or refund.

A balance is a sum, never a stored number (issue #4). Charges and refunds add to what a patron
owes; payments and waivers take from it. Amounts are Decimal, always positive; the kind gives
the sign.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.fines.states import ChargeType, EntryKind, PaymentMethod


class LedgerEntry(models.Model):
    patron = models.ForeignKey("patrons.Patron", on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=16)
    charge_type = models.CharField(_("charge type"), max_length=16, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    # A payment, waiver or refund names the charge it settles, when it settles one.
    charge = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="settlements"
    )
    # Lost and damaged charges keep the item (a found item is refunded); an overdue charge
    # keeps it only for a patron who keeps a reading history.
    item = models.ForeignKey(
        "holdings.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey("district.Site", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("payment method"), max_length=16, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(db_index=True)
    by = models.CharField(_("by"), max_length=150)

    class Meta:
        ordering = ["patron", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in EntryKind]), name="ledger_kind_known"
            ),
            models.CheckConstraint(
                condition=(Q(kind="charge") & Q(charge_type__in=[t.value for t in ChargeType]))
                | (~Q(kind="charge") & Q(charge_type="")),
                name="ledger_charge_type_for_charges",
            ),
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=[m.value for m in PaymentMethod]),
                name="ledger_method_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} patron {self.patron_id}"
