"""The SIP2 server's own memory: the kiosks allowed to log in, and the answers given to
requests that changed something, so that a resent request gets the same answer once more and
changes nothing the second time (issue #5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sip2Account(models.Model):
    """One self-check kiosk, book drop or security gate: the login it sends in a 93 message,
    the site it stands at, where it may connect from and what it may do."""

    name = models.CharField(_("login"), max_length=64, unique=True)
    password_hash = models.CharField(max_length=128)
    site = models.ForeignKey("district.Site", on_delete=models.PROTECT, related_name="+")
    # Comma-separated networks (CIDR); empty: from anywhere the listener accepts.
    allowed_networks = models.TextField(_("allowed source addresses"), blank=True)
    # What the kiosk may do: comma-separated words of accounts.PERMISSIONS.
    permissions = models.CharField(max_length=200)
    encoding = models.CharField(max_length=16, default="utf-8")  # or cp850
    language = models.CharField(max_length=8, default="en")  # screen messages: en or es
    # A patron must give their PIN (AD) for anything but a status look-up, unless this is off
    # (a book drop, or a school whose students have no PINs).
    pin_required = models.BooleanField(default=True)
    # Answers may carry e-mail and phone (BE, BF) only if this is on (issue #5, "Security").
    personal_data = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    disabled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Sip2Answer(models.Model):
    """The answer given to one request that changed something, under the key that finds a
    resend of it: `AY<n>` (the sequence number, with a hash of the request) or `BK<id>` (a fee
    payment's transaction id, whatever the rest of the request says)."""

    # Indexed by sip2_answer_once_per_key (account, key), not on its own as well.
    account = models.ForeignKey(
        Sip2Account, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=80)
    request_sha256 = models.CharField(max_length=64)
    response = models.TextField()  # without its error detection (AY, AZ): added per send
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="sip2_answer_once_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.key}"
