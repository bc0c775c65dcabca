"""Sites, their weekly opening hours and their shelving locations."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Site(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Los_Angeles")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="site_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OpeningHours(models.Model):
    """One open period on one weekday (0 = Monday). A weekday with no rows is closed."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_0_6"),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="hours_opens_before_closes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} day {self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Location(models.Model):
    """A shelving area within a site (Easy, Fiction, Reference, Textbook room...)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="locations")
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="location_code_unique_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}/{self.code} {self.name}"


class ClosedDay(models.Model):
    """A day a site is closed besides its weekly pattern (holidays, breaks, in-service days).
    No loan falls due on one (issue #4, "Policy")."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closed_days")
    day = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["site", "day"]
        constraints = [
            models.UniqueConstraint(fields=["site", "day"], name="closed_day_once_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day:%Y-%m-%d}"


class ConfigVersion(models.Model):
    """One row (id 1) whose token changes, by trigger, whenever sites, opening hours, closed
    days, material types or circulation policy rows change (octavo.shared.change_token):
    each process keeps those rows in memory while the token stands (selectors.cached)."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"configuration {self.token}"


class LabelSettings(models.Model):
    """How a site's label printer is set up (issue #8, "save printer offsets per site"): how far
    its labels land from where they should, and how its barcodes are drawn. No row: no offset,
    Codabar for barcodes of digits and Code 128 for the others (octavo.holdings.labels)."""

    SYMBOLOGIES = ("auto", "codabar", "code39", "code128")

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="label_settings")
    # Millimetres; right and down are positive. A printer that feeds a sheet 2 mm low is
    # corrected with -2.
    offset_x_mm = models.DecimalField(
        _("horizontal offset (mm)"), max_digits=4, decimal_places=1, default=0
    )
    offset_y_mm = models.DecimalField(
        _("vertical offset (mm)"), max_digits=4, decimal_places=1, default=0
    )
    symbology = models.CharField(_("barcode symbology"), max_length=16, default="auto")
    codabar_start = models.CharField(_("Codabar start character"), max_length=1, default="A")
    codabar_stop = models.CharField(_("Codabar stop character"), max_length=1, default="A")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(offset_x_mm__gte=-20, offset_x_mm__lte=20)
                & Q(offset_y_mm__gte=-20, offset_y_mm__lte=20),
                name="label_offsets_within_20_mm",
            ),
            models.CheckConstraint(
                condition=Q(symbology__in=["auto", "codabar", "code39", "code128"]),
                name="label_symbology_known",
            ),
            models.CheckConstraint(
                condition=Q(codabar_start__in=list("ABCD")) & Q(codabar_stop__in=list("ABCD")),
                name="label_codabar_ends_abcd",
            ),
        ]

    def __str__(self) -> str:
        return f"label settings of site {self.site_id}"
