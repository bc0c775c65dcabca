"""Holds: title-level (any copy of a record) or copy-level (one item), each with a pickup site.

Privacy (issue #4): when a hold ends (fulfilled, cancelled, expired) its patron link is cleared
unless the patron keeps a reading history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.holds.states import HoldStatus


class Hold(models.Model):
    patron = models.ForeignKey(
        "patrons.Patron", on_delete=models.SET_NULL, null=True, blank=True, related_name="holds"
    )
    record = models.ForeignKey("catalog.Record", on_delete=models.PROTECT, related_name="holds")
    # A copy-level hold names its item from the start; a title-level hold gets the item it is
    # trapped with.
    item = models.ForeignKey(
        "holdings.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    copy_level = models.BooleanField(default=False)
    pickup_site = models.ForeignKey("district.Site", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, default=HoldStatus.WAITING.value)
    placed_at = models.DateTimeField(db_index=True)
    # A waiting hold is passed over until this date (a student away for a week).
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    trapped_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # the last day on the hold shelf
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["placed_at", "id"]
        indexes = [models.Index(fields=["record", "status", "placed_at"], name="hold_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in HoldStatus]), name="hold_status_known"
            ),
            # An item is trapped for one hold at a time.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["in_transit", "ready"]),
                name="hold_one_trapped_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk} record {self.record_id} {self.status}"
