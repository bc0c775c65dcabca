"""Accounts: one table of people who log in, with a role and the sites they work at."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from octavo.db import rows
from octavo.district.models import Site
from octavo.shared.actor import Actor, Role, Source

ROLE_LABELS = {
    Role.DISTRICT_ADMIN: _("District administrator"),
    Role.SITE_LIBRARIAN: _("Site librarian"),
    Role.TECHNICIAN: _("Library technician"),
    Role.STUDENT_HELPER: _("Student helper"),
    Role.TEACHER: _("Teacher"),
    Role.STUDENT: _("Student"),
    Role.PARENT: _("Parent"),
}


# The sites an account works at, asked on every request (octavo.db.rows): the many-to-many
# table Django makes for User.sites.
_SITES_OF = "SELECT site_id FROM accounts_user_sites WHERE user_id = %s"


class User(AbstractUser):
    role = models.CharField(
        _("role"), max_length=32, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="staff", verbose_name=_("sites"))

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="user_role_known"
            ),
        ]

    def actor(self, *, source: Source = Source.STAFF, address: str | None = None) -> Actor:
        return Actor(
            username=self.username,
            role=Role(self.role),
            site_ids=frozenset(rows.values(_SITES_OF, [self.pk])),
            user_id=self.pk,
            source=source,
            address=address,
        )


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user.username} token {self.prefix}"
