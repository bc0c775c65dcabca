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
    # When an inventory last found it on the shelf (issue #8); None: never seen by one.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

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
            # The district's never-circulated titles on the screen (octavo.reports.titles):
            # copies read in call-number order until the first 500 titles are found.
            models.Index(
                fields=["call_prefix", "call_class", "call_cutter"], name="item_call_number"
            ),
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


class Inventory(models.Model):
    """One inventory of a site's shelves: the whole site, one location, or a call-number range
    (issue #8). Scans come in while it is open; finishing it marks the missing as missing and
    keeps its report (the five lists and their counts) here."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        FINISHED = "finished", _("finished")
        # Ended without marking anything: started by mistake, or to be done again.
        CANCELLED = "cancelled", _("cancelled")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A call-number range, both ends included; "" is an open end (both "": no range). The
    # items in it are listed in InventoryRangeItem when the inventory starts.
    range_first = models.CharField(_("from call number"), max_length=100, blank=True)
    range_last = models.CharField(_("to call number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    started_at = models.DateTimeField()
    started_by = models.CharField(max_length=150)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.CharField(max_length=150, blank=True)
    # Written when it is finished; while open, octavo.holdings.inventory.progress counts live.
    expected_count = models.PositiveIntegerField(default=0)
    scanned_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)
    misplaced_count = models.PositiveIntegerField(default=0)
    checked_out_count = models.PositiveIntegerField(default=0)
    found_count = models.PositiveIntegerField(default=0)
    unknown_count = models.PositiveIntegerField(default=0)
    # The finished inventory's lists of barcodes, by kind (octavo.holdings.inventory.KINDS).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "finished", "cancelled"]),
                name="inventory_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="open", finished_at__isnull=True)
                | Q(status__in=["finished", "cancelled"], finished_at__isnull=False),
                name="inventory_finished_when_finished",
            ),
        ]

    def __str__(self) -> str:
        return f"inventory {self.pk} of site {self.site_id} ({self.status})"

    @property
    def has_range(self) -> bool:
        return bool(self.range_first or self.range_last)


class InventoryScan(models.Model):
    """One barcode seen in an inventory, once: a second scan of it (another person's cart, the
    same file uploaded again) changes nothing, so the first one's time, person and line stay."""

    # No index of its own: the unique constraint's index starts with it.
    inventory = models.ForeignKey(
        Inventory, on_delete=models.CASCADE, related_name="scans", db_index=False
    )
    barcode = models.CharField(max_length=32)
    scanned_at = models.DateTimeField()
    scanned_by = models.CharField(max_length=150)
    # The scanning page (and the device's name, if given) or the uploaded file's name.
    source = models.CharField(max_length=100)
    line = models.PositiveIntegerField(null=True, blank=True)  # in the file it came from

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "barcode"], name="inventory_scan_once_per_barcode"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.barcode} in inventory {self.inventory_id}"


class InventoryRangeItem(models.Model):
    """The items a call-number range inventory covers, read in shelf order when it starts
    (shelf order is computed in Python: octavo.catalog.callnumbers.shelf_key)."""

    inventory = models.ForeignKey(
        Inventory, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inventory", "item"], name="inventory_range_item_once"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} in inventory {self.inventory_id}"


class WeedingList(models.Model):
    """A weeding list (issue #8): the items of a site's call-number range that met its criteria
    when it was built (octavo.holdings.weeding_rules), each reviewed as keep or withdraw, then
    applied: the items to withdraw are withdrawn, with a reason, in one transaction. Applied
    lists are kept, so what was weeded, when and why can be read later."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        APPLIED = "applied", _("applied")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    # A call-number range, both ends included; "" is an open end (see inventory_rules.ShelfRange).
    range_first = models.CharField(_("from call number"), max_length=100, blank=True)
    range_last = models.CharField(_("to call number"), max_length=100, blank=True)
    preset = models.CharField(_("preset"), max_length=32, blank=True)
    # weeding_rules.Criteria.as_dict(): what the list looked for.
    criteria = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    built_at = models.DateTimeField()
    built_by = models.CharField(max_length=150)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.CharField(max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    withdrawn_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-built_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "applied"]), name="weeding_list_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="open", applied_at__isnull=True)
                | (Q(status="applied", applied_at__isnull=False) & ~Q(reason="")),
                name="weeding_list_applied_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"weeding list {self.pk} of site {self.site_id} ({self.status})"


class WeedingEntry(models.Model):
    """One item on a weeding list: why it is there, what was known of it then, and the decision.
    `position` is its place in shelf order when the list was built (the printed list's order)."""

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", _("undecided")
        KEEP = "keep", _("keep")
        WITHDRAW = "withdraw", _("withdraw")

    class Outcome(models.TextChoices):
        NONE = "", _("not applied")
        WITHDRAWN = "withdrawn", _("withdrawn")
        KEPT = "kept", _("kept")
        SKIPPED = "skipped", _("skipped")  # to withdraw, but it could not be (checked out...)

    # No index of its own: the unique constraint's index starts with it.
    weeding_list = models.ForeignKey(
        WeedingList, on_delete=models.CASCADE, related_name="entries", db_index=False
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    call_number = models.CharField(max_length=200, blank=True)
    # weeding_rules.Criterion values, comma-separated, in the order they are listed there.
    reasons = models.CharField(max_length=100)
    year = models.IntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)
    condition = models.CharField(max_length=32, blank=True)
    decision = models.CharField(max_length=16, default=Decision.UNDECIDED)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=16, blank=True, default=Outcome.NONE)
    outcome_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["weeding_list", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["weeding_list", "item"], name="weeding_entry_once_per_item"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["undecided", "keep", "withdraw"]),
                name="weeding_entry_decision_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "withdrawn", "kept", "skipped"]),
                name="weeding_entry_outcome_known",
            ),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} on weeding list {self.weeding_list_id}: {self.decision}"

    @property
    def reason_codes(self) -> list[str]:
        return [code for code in self.reasons.split(",") if code]


class LabelBatch(models.Model):
    """A saved batch of items to label (issue #8, Koha's "label batches"): a named list that a
    technician fills over days by scanning, reviews, prints from the labels page, then empties
    or deletes. Who keeps which batch: octavo.holdings.labels.batch_rules."""

    name = models.CharField(_("name"), max_length=200)
    # None: a district-wide batch (a district admin's); else the site whose items it holds.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="label_batch_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class LabelBatchItem(models.Model):
    """One item in a label batch, once; ordered by id, which is the order it was added in."""

    # No index of its own: the unique constraint's index starts with it.
    batch = models.ForeignKey(
        LabelBatch, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    # A batch is a to-do list, never a record to keep: it must not stop an item's deletion.
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "item"], name="label_batch_item_once"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} in label batch {self.batch_id}"
