"""The reports' own copies of the circulation statistics and of the items, shaped for counting.

CirculationFact holds one row per circulation.CirculationEvent (a check-out, check-in or
renewal), written by a database trigger in the same statement as the event (migration 0001;
on SQLite the trigger writes it to PendingCirculationFact, moved in before a report counts),
with what the reports group by: the UTC hour, the site, the patron type and grade, and the
copy's record, material type and Dewey class as they were when it circulated. Every column is
a small number or code, and each way a report groups has an index that starts with it, so a
report over millions of rows is an index range count (docs/adr/0014-reports.md). Nothing else
writes here; the circulation code does not know it exists.
"""

from __future__ import annotations

from django.db import models

NOT_RECORDED = 0  # patron_type_id, material_type_id: none recorded
NO_DEWEY = 10  # dewey_class of a copy without a Dewey number (0-9: the main classes)


# One site's reports read every column from this index, never the rows themselves.
_SITE_COLUMNS = [
    "site_id", "kind", "hour", "patron_type_id", "grade", "material_type_id", "dewey_class",
    "record_id",
]  # fmt: skip


class _Statistic(models.Model):
    """The columns of an event's statistics row, counted or waiting."""

    kind = models.CharField(max_length=16)  # octavo.circulation.states.EventKind
    hour = models.BigIntegerField()  # whole hours since 1970-01-01 00:00 UTC
    site_id = models.BigIntegerField()
    patron_type_id = models.BigIntegerField()
    grade = models.CharField(max_length=4)
    item_id = models.BigIntegerField()
    record_id = models.BigIntegerField()
    material_type_id = models.BigIntegerField()
    dewey_class = models.SmallIntegerField()

    class Meta:
        abstract = True


class CirculationFact(_Statistic):
    event_id = models.BigIntegerField(primary_key=True)  # circulation_circulationevent.id

    class Meta:
        indexes = [
            models.Index(fields=_SITE_COLUMNS, name="fact_site"),
            # The whole district by day or hour (site_id: to keep one time zone's sites).
            models.Index(fields=["kind", "hour", "site_id"], name="fact_hour"),
            models.Index(fields=["patron_type_id", "kind", "hour"], name="fact_patron_type"),
            models.Index(fields=["grade", "kind", "hour"], name="fact_grade"),
            models.Index(fields=["material_type_id", "kind", "hour"], name="fact_material"),
            models.Index(fields=["dewey_class", "kind", "hour"], name="fact_dewey"),
            # Top titles and never-circulated titles: check-outs by record.
            models.Index(fields=["kind", "record_id", "hour"], name="fact_record"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} item {self.item_id} hour {self.hour}"


class PendingCirculationFact(_Statistic):
    """On SQLite, a circulation statistic waiting to be counted: the trigger on the event table
    writes the row here (migration 0004), with the same columns read from the item at the same
    moment, and pending.catch_up_statistics moves it into CirculationFact when a report is
    read and every night. One narrow row appended costs the desk's transaction, which on
    SQLite holds every other writer back, a fraction of CirculationFact's row and its eight
    indexes (docs/adr/0014-reports.md). Empty on PostgreSQL, whose trigger writes
    CirculationFact at once."""

    event_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} item {self.item_id} hour {self.hour} (not yet counted)"


class ItemFact(models.Model):
    item_id = models.BigIntegerField(primary_key=True)  # holdings_item.id
    site_id = models.BigIntegerField()
    record_id = models.BigIntegerField()
    kept = models.BooleanField()  # in the collection: not withdrawn, not lost
    dewey_class = models.SmallIntegerField()  # 0-9, NO_DEWEY
    year = models.IntegerField(null=True)  # the record's publication year
    # The acquisition date, else the (UTC) day the item was entered.
    added_on = models.DateField()
    # The (UTC) day its status became withdrawn; None while it is not withdrawn.
    withdrawn_on = models.DateField(null=True)

    class Meta:
        indexes = [
            # The district by Dewey class: copies by year, then titles.
            models.Index(fields=["kept", "dewey_class", "year"], name="item_fact_dewey"),
            models.Index(fields=["kept", "dewey_class", "record_id"], name="item_fact_titles"),
            # One site by Dewey class; every site by year, then titles.
            models.Index(
                fields=["site_id", "kept", "dewey_class", "year", "record_id"],
                name="item_fact_site",
            ),
            models.Index(fields=["site_id", "kept", "year"], name="item_fact_site_year"),
            models.Index(fields=["site_id", "kept", "record_id"], name="item_fact_site_titles"),
            models.Index(fields=["added_on", "site_id"], name="item_fact_added"),
            models.Index(fields=["withdrawn_on", "site_id"], name="item_fact_withdrawn"),
            # A record's year changed: its items' rows.
            models.Index(fields=["record_id"], name="item_fact_record"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} class {self.dewey_class} year {self.year}"


class ScheduledReport(models.Model):
    """A report mailed on a schedule (issue #7: "schedulable by e-mail"). It runs as its owner,
    with the owner's rights at the time it is sent, so a schedule can never show more than its
    owner could read on the screen. Stopping keeps the row and its deliveries, for the record."""

    report = models.CharField(max_length=64)  # a name in octavo.reports.registry
    site = models.ForeignKey(
        "district.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the whole district
    every = models.CharField(max_length=8)  # octavo.reports.rules.Every
    covers = models.CharField(max_length=8)  # octavo.reports.rules.Covers
    fmt = models.CharField(max_length=8)  # csv or xlsx
    recipients = models.TextField()  # addresses, comma-separated (rules.recipients)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]
        indexes = [models.Index(fields=["stopped_at"], name="scheduled_report_running")]

    def __str__(self) -> str:
        return f"{self.report} every {self.every}"


class ReportDelivery(models.Model):
    """One sending of a scheduled report: the one for the day it was due. Marked sent only
    once the mail server took it; a server that is down is tried again on the next runs."""

    schedule = models.ForeignKey(
        ScheduledReport, on_delete=models.CASCADE, related_name="deliveries"
    )
    due_on = models.DateField()  # rules.due_on: the day it was due
    start = models.DateField(null=True, blank=True)  # the period it covered
    end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8)  # sent, retrying, failed
    attempts = models.IntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_on"], name="report_sent_once_when_due")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} due {self.due_on:%Y-%m-%d}: {self.status}"
