"""Notice templates (per site, kind and language, every saved version kept), the notice log,
and the district's notice schedule.

The log has one row per notice about one thing (a loan, a hold, a lost charge, the patron's
account): several rows of one patron, kind, site and day go out as one e-mail or one printed
page listing their items. A row is made once per patron, kind, object and occasion
(`notice_once`), so a run repeated, or two runs at once, never sends a notice twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.notices.rules import About, Channel, NoticeKind, NoticeStatus

_KINDS = [k.value for k in NoticeKind]


class NoticeTemplate(models.Model):
    """One saved version of a site's template for one kind of notice in one language. The
    highest version is the one in use; a site without one uses the shipped default
    (octavo/notices/defaults/)."""

    site = models.ForeignKey("district.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=24)
    language = models.CharField(_("language"), max_length=8)
    version = models.PositiveIntegerField()
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "language", "version"], name="notice_template_version"
            ),
            models.CheckConstraint(condition=Q(kind__in=_KINDS), name="notice_template_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.kind} {self.language} v{self.version}"


class Notice(models.Model):
    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=24)
    object_type = models.CharField(max_length=8)  # rules.About
    object_id = models.BigIntegerField()
    # What makes a repeat legitimate (rules.py): the due date of a loan, the day a hold became
    # ready or its last day, a card's expiry date (as numbers), the newest charge's id; 0.
    occasion = models.BigIntegerField(default=0)
    # Whose templates: the site the loan was made at, the hold's pickup site, the patron's home.
    # Not indexed: nothing reads notices by it, and every index costs the night's inserts.
    site = models.ForeignKey(
        "district.Site", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The run day that queued it; for the printable stack, the day it joined a stack (a failed
    # e-mail joins the stack of the day it failed).
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=8)
    addresses = models.CharField(_("addresses"), max_length=500, blank=True)  # comma-separated
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(_("status"), max_length=8, default=NoticeStatus.QUEUED.value)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    template = models.ForeignKey(
        NoticeTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )  # the version used; None: the shipped default
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # By object first: the due queries' NOT EXISTS look notices up by it.
            models.UniqueConstraint(
                fields=["object_id", "object_type", "kind", "occasion", "patron"],
                name="notice_once",
            ),
            models.CheckConstraint(condition=Q(kind__in=_KINDS), name="notice_kind_known"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in NoticeStatus]), name="notice_status_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]), name="notice_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(object_type__in=[a.value for a in About]), name="notice_about_known"
            ),
        ]
        indexes = [
            # What the sender reads: the notices still waiting (a small part of the log).
            models.Index(
                fields=["channel", "patron"],
                condition=Q(status="queued"),
                name="notice_waiting",
            ),
            models.Index(fields=["day"], name="notice_day"),  # the log, the printable stacks
        ]

    def __str__(self) -> str:
        return f"{self.kind} to patron {self.patron_id} ({self.status})"


class NoticeSchedule(models.Model):
    """The district's notice schedule (one row, id 1; rules.Schedule's defaults without it)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    courtesy_days = models.PositiveSmallIntegerField(_("courtesy notice: days before due"))
    overdue_first_days = models.PositiveSmallIntegerField(_("first overdue notice: days late"))
    overdue_second_days = models.PositiveSmallIntegerField(_("second overdue notice: days late"))
    overdue_final_days = models.PositiveSmallIntegerField(_("final overdue notice: days late"))
    hold_expiring_days = models.PositiveSmallIntegerField(
        _("hold expiring notice: days before the last day")
    )
    card_expiring_days = models.PositiveSmallIntegerField(
        _("card expiring notice: days before expiry")
    )
    fines_minimum = models.DecimalField(
        _("fines notice: smallest balance"), max_digits=7, decimal_places=2
    )

    def __str__(self) -> str:
        return "notice schedule"
