"""Items: one row per physical copy, with the parts of its call number kept apart."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.catalog.models import Record
from octavo.district.models import Location, Site
from octavo.holdings.states import ItemStatus


class MaterialType(models.Model):
    """What kind of thing an item is, for circulation policy: book, reference, periodical,
    av, equipment, textbook... Policy rows name these (octavo.policy)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Reference books, say: they may be used in the library but not checked out.
    circulates = models.BooleanField(_("may be checked out"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="material_type_code_not_blank"),
        ]

    def __str__(self) -> str:
        return self.code


class Item(models.Model):
    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="items")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    # None: not set; the policy's wildcard row applies.
    material_type = models.ForeignKey(
        MaterialType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call_prefix = models.CharField(_("call number prefix"), max_length=32, blank=True)
    call_class = models.CharField(_("classification"), max_length=64, blank=True)
    call_cutter = models.CharField(_("cutter"), max_length=64, blank=True)
    call_volume = models.CharField(_("volume"), max_length=32, blank=True)
    copy_number = models.CharField(_("copy"), max_length=16, blank=True)
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2, null=True, blank=True)
    acquired_on = models.DateField(_("acquisition date"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=32, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=[(s.value, s.value) for s in ItemStatus],
        default=ItemStatus.AVAILABLE.value,
        db_index=True,
    )
    public_note = models.TextField(_("public note"), blank=True)
    staff_note = models.TextField(_("staff note"), blank=True)
    # What a self-check kiosk or sorter keeps about the copy (SIP2 CH: item status update).
    properties = models.CharField(_("item properties"), max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["site", "barcode"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ItemStatus]), name="item_status_known"
            ),
            models.CheckConstraint(condition=~Q(barcode=""), name="item_barcode_not_blank"),
        ]
        indexes = [
            # Search reads, for up to 2,000 records at once, where their items are and which
            # are on the shelf (octavo.catalog.search): answered from this index alone.
            models.Index(fields=["record", "status", "site"], name="item_record_status_site"),
        ]

    def __str__(self) -> str:
        return self.barcode

    @property
    def call_number(self) -> str:
        parts = (self.call_prefix, self.call_class, self.call_cutter, self.call_volume)
        text = " ".join(p for p in parts if p)
        return f"{text} c.{self.copy_number}" if self.copy_number else text


class Transit(models.Model):
    """An item on its way between sites: home after a return elsewhere, or to a hold's pickup
    site."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="transits")
    from_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    to_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    arrived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(arrived_at__isnull=True),
                name="transit_one_open_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"transit item {self.item_id} to site {self.to_site_id}"
