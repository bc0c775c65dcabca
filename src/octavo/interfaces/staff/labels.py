"""The staff side's words for codes the services use: reasons, audit actions, object types.

STYLE.md, "Where logic goes" 5: each interface keeps one table from `Reason` to its own words.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from octavo.shared.errors import OctavoError, Reason

REASON_WORDS: dict[Reason, Promise] = {
    Reason.INVALID: _("Please check this value"),
    Reason.NOT_FOUND: _("Not found"),
    Reason.DUPLICATE: _("Already in use"),
    Reason.PERMISSION_DENIED: _("Not allowed"),
    Reason.WEAK_PASSWORD: _("Password too weak"),
    Reason.UNKNOWN_SITE: _("Unknown site"),
    Reason.UNAUTHENTICATED: _("Please log in again"),
}

ACTION_LABELS: dict[str, Promise] = {
    "site.create": _("Site added"),
    "site.update": _("Site changed"),
    "location.create": _("Location added"),
    "location.update": _("Location changed"),
    "user.create": _("Account added"),
    "user.update": _("Account changed"),
    "user.password": _("Password set"),
    "token.create": _("API token issued"),
    "token.revoke": _("API token revoked"),
    "record.create": _("Record added"),
    "record.update": _("Record changed"),
    "record.marc": _("MARC record edited"),
    "item.create": _("Item added"),
    "item.update": _("Item changed"),
    "catalog.import": _("MARC file imported"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "site": _("Site"),
    "location": _("Location"),
    "user": _("Account"),
    "api_token": _("API token"),
    "record": _("Record"),
    "item": _("Item"),
    "import": _("MARC import"),
}

# The field names services write into an audit entry's changes.
FIELD_LABELS: dict[str, Promise] = {
    "code": _("Code"),
    "name": _("Name"),
    "address": _("Address"),
    "time_zone": _("Time zone"),
    "is_active": _("Active"),
    "hours": _("Opening hours"),
    "username": _("Username"),
    "role": _("Role"),
    "sites": _("Sites"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail address"),
    "password": _("Password"),
    "user": _("Account"),
    "revoked": _("Revoked"),
}

SOURCE_LABELS: dict[str, Promise] = {
    "staff": _("Staff screens"),
    "api": _("API"),
    "cli": _("Command line"),
    "system": _("System"),
}


def error_text(exc: OctavoError) -> str:
    """The reason in the reader's language, then the service's message naming the record."""
    words = REASON_WORDS.get(exc.reason, REASON_WORDS[Reason.INVALID])
    return f"{words}: {capfirst(exc.message)}"


def label(table: dict[str, Promise], code: str) -> str:
    """A code's label, or the code itself for codes added after this table."""
    return str(table.get(code, code))
