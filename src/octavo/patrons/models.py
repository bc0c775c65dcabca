"""Patrons (the people who borrow), their patron types and their guardians."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.patrons.states import PatronStatus


class PatronType(models.Model):
    """What kind of borrower: student, teacher, staff, community. Policy rows name these."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="patron_type_code_not_blank"),
        ]

    def __str__(self) -> str:
        return self.code


class Patron(models.Model):
    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    patron_type = models.ForeignKey(PatronType, on_delete=models.PROTECT, related_name="+")
    home_site = models.ForeignKey("district.Site", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, default=PatronStatus.ACTIVE.value, db_index=True
    )
    card_expires = models.DateField(_("card expires"), null=True, blank=True)
    # Students: the district's student number, their grade (PK, K, 1-12) and homeroom teacher.
    student_id = models.CharField(_("student ID"), max_length=64, blank=True)
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    homeroom = models.CharField(_("homeroom teacher"), max_length=200, blank=True)
    # The roster's own identifier (OneRoster users.csv sourcedId), to match on re-import.
    roster_id = models.CharField(_("roster ID"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    # Off unless the patron (or, for a child, a parent) chooses it (issue #4, "Privacy").
    keeps_reading_history = models.BooleanField(_("keep reading history"), default=False)
    pin_hash = models.CharField(max_length=128, blank=True)
    notes = models.TextField(_("staff notes"), blank=True)
    # Why staff blocked the card, shown at the desk; cleared when the block is lifted (the audit
    # log keeps every note).
    block_note = models.CharField(_("reason for the block"), max_length=500, blank=True)
    # The names folded (lower case, no accents) for finding "Pérez" by typing "perez"; written
    # by the services whenever a name is (rules.fold).
    last_key = models.CharField(max_length=100, blank=True, editable=False)
    first_key = models.CharField(max_length=100, blank=True, editable=False)
    # A duplicate merged into another record (status merged): the record that stays.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["last_name", "first_name", "barcode"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="patron_name"),
            models.Index(fields=["home_site", "grade", "homeroom"], name="patron_class"),
            # varchar_pattern_ops lets PostgreSQL use the index for a prefix (LIKE 'per%')
            # whatever the database's collation; other databases ignore the operator class.
            models.Index(
                fields=["last_key"], name="patron_last_key", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["first_key"], name="patron_first_key", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(barcode=""), name="patron_barcode_not_blank"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PatronStatus]), name="patron_status_known"
            ),
            models.UniqueConstraint(
                fields=["student_id"], condition=~Q(student_id=""), name="patron_student_id_unique"
            ),
            models.UniqueConstraint(
                fields=["roster_id"], condition=~Q(roster_id=""), name="patron_roster_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.barcode} {self.last_name}, {self.first_name}"


class Guardian(models.Model):
    """A parent or guardian of a patron (usually a student), with their own contact details."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    receives_notices = models.BooleanField(_("receives notices"), default=True)
    # The roster's sourcedId of the parent or guardian; blank for guardians added by hand, which
    # a roster import leaves alone.
    roster_id = models.CharField(_("roster ID"), max_length=255, blank=True)

    class Meta:
        ordering = ["patron", "name"]
        indexes = [models.Index(fields=["roster_id"], name="guardian_roster_id")]

    def __str__(self) -> str:
        return self.name


class PinFailure(models.Model):
    """One wrong PIN, from any interface: counted by rules.pin_locked_until."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["patron", "at"], name="pin_failure_patron_at")]

    def __str__(self) -> str:
        return f"{self.patron_id} {self.at:%Y-%m-%d %H:%M}"


class Rollover(models.Model):
    """A year-end rollover done at a site: one a year, so running the command twice is safe."""

    site = models.ForeignKey("district.Site", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    actor_username = models.CharField(max_length=150)
    moved_up = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="rollover_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.year}"


class ParentAccount(models.Model):
    """A parent or guardian's login to the OPAC, by the e-mail address the school has on file
    for them (Guardian.email). Their children are the patrons with a guardian of that address:
    nothing links an account to a child but the school's own records, which the roster keeps
    up to date."""

    email = models.EmailField(_("e-mail"), unique=True)  # stored lower case
    password_hash = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField()
    last_login_at = models.DateTimeField(null=True, blank=True)
    password_set_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(email=""), name="parent_email_not_blank"),
        ]

    def __str__(self) -> str:
        return self.email


class ParentLoginFailure(models.Model):
    """One wrong password for a parent account: counted by rules.pin_locked_until, the same
    limit as a patron's PIN (issue #6: login attempts share the patron PIN limit)."""

    account = models.ForeignKey(ParentAccount, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "at"], name="parent_failure_account_at")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.at:%Y-%m-%d %H:%M}"
