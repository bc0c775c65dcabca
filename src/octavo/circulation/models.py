"""Loans: one row per check-out, from the desk, the API or a kiosk.

Privacy (issue #4): when a loan ends, its patron link is cleared unless the patron keeps a
reading history; the patron type and grade stay, so statistics need no patron.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.circulation.states import LoanStatus


class Loan(models.Model):
    item = models.ForeignKey("holdings.Item", on_delete=models.PROTECT, related_name="loans")
    # None once the loan has ended and the patron keeps no reading history.
    # Indexed by loan_patron_status (patron, status) below: a second index on patron alone
    # cost every check-out a page more to write and served nothing the pair does not.
    patron = models.ForeignKey(
        "patrons.Patron",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loans",
        db_index=False,
    )
    # Not indexed, nor are site and returned_site: nothing looks loans up by them (the reports
    # count circulation from reports.CirculationFact), and each index was a page more to write
    # per check-out and check-in. Deleting a patron type or a site reads the loans through.
    patron_type = models.ForeignKey(
        "patrons.PatronType", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    site = models.ForeignKey(
        "district.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(_("status"), max_length=20, default=LoanStatus.OPEN.value)
    checked_out_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    renewals = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    returned_site = models.ForeignKey(
        "district.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            # One open loan per item, whatever races past the row lock (issue #4).
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="open"), name="loan_one_open_per_item"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in LoanStatus]), name="loan_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="open", ended_at__isnull=True)
                | (~Q(status="open") & Q(ended_at__isnull=False)),
                name="loan_ended_when_not_open",
            ),
        ]
        indexes = [models.Index(fields=["patron", "status"], name="loan_patron_status")]

    def __str__(self) -> str:
        return f"loan {self.pk} item {self.item_id} {self.status}"


class CirculationEvent(models.Model):
    """One row per check-out, check-in and renewal, for statistics. It names the item (for
    Dewey class and material type figures), the patron type and grade, and never the patron
    (issue #4, "Statistics are kept without the patron")."""

    # Indexed by item only: an item's history and the weeding list read events by item; the
    # reports count from reports.CirculationFact, filled from here by a trigger, never by
    # time, site or patron type here. Each further index was a page more to write per
    # check-out and check-in (issue #5); deleting a site or patron type reads the events through.
    kind = models.CharField(max_length=16)  # octavo.circulation.states.EventKind
    at = models.DateTimeField()
    site = models.ForeignKey(
        "district.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item = models.ForeignKey("holdings.Item", on_delete=models.PROTECT, related_name="+")
    patron_type = models.ForeignKey(
        "patrons.PatronType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    grade = models.CharField(max_length=4, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} item {self.item_id} at {self.at:%Y-%m-%d %H:%M}"
