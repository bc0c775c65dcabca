"""Errors raised by district services."""

from __future__ import annotations

from octavo.shared.errors import OctavoError, Reason


class UnknownSite(OctavoError):
    reason = Reason.UNKNOWN_SITE
