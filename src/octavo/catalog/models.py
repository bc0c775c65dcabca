"""Bibliographic records. The MARC record (ISO 2709, UTF-8) is the truth; the other columns are
derived from it on every write (octavo.catalog.mapping.describe) for display, facets and sorting.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from octavo.catalog.mapping import Format


class Record(models.Model):
    control_number = models.CharField(_("control number"), max_length=64, blank=True)
    control_number_source = models.CharField(max_length=64, blank=True)
    title = models.TextField(_("title"), blank=True)
    title_sort = models.CharField(max_length=255, blank=True, db_index=True)
    responsibility = models.TextField(blank=True)
    authors = models.JSONField(default=list)
    edition = models.CharField(max_length=255, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    year = models.IntegerField(null=True, blank=True, db_index=True)
    format = models.CharField(
        _("format"), max_length=16, choices=[(f.value, f.value) for f in Format], db_index=True
    )
    language = models.CharField(_("language"), max_length=3, blank=True, db_index=True)
    isbns = models.JSONField(default=list)
    invalid_isbns = models.JSONField(default=list)
    issns = models.JSONField(default=list)
    subjects = models.JSONField(default=list)
    series = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    reading_level = models.CharField(max_length=64, blank=True, db_index=True)
    call_number = models.CharField(max_length=100, blank=True)
    marc = models.BinaryField()
    # The bytes exactly as imported when they were MARC-8 (converted in `marc`), for audit.
    marc_original = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["title_sort", "id"]
        indexes = [models.Index(fields=["control_number"], name="record_control_number")]

    def __str__(self) -> str:
        return f"{self.control_number or self.pk} {self.title[:60]}"


class RecordKey(models.Model):
    """A key an incoming record is matched on: 001+003, 035 system number, ISBN-13, fingerprint."""

    class Kind(models.TextChoices):
        CONTROL = "001", "001+003"
        SYSTEM = "035", "035"
        ISBN = "isbn", "ISBN"
        # Last resort for records with none of the above: the same bytes import once.
        FINGERPRINT = "sha", "SHA-256 of the record"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    value = models.CharField(max_length=160)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="record_key_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind", "value"], name="record_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ImportBatch(models.Model):
    """One run of `octavo import-marc` over one file: what it did, for the data-quality report."""

    filename = models.CharField(max_length=500)
    site_code = models.CharField(max_length=16)
    actor_username = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.filename} at {self.started_at:%Y-%m-%d %H:%M}"


class ImportReject(models.Model):
    """A record, or one holdings field of it, that an import could not take, and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejects")
    position = models.PositiveIntegerField()
    byte_offset = models.BigIntegerField(null=True, blank=True)
    control_number = models.CharField(max_length=64, blank=True)
    tag = models.CharField(max_length=3, blank=True)  # set when only a holdings field failed
    barcode = models.CharField(max_length=64, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return f"record {self.position}: {self.reason}"
