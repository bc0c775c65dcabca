"""Errors raised by account services."""

from __future__ import annotations

from octavo.shared.errors import OctavoError, Reason


class WeakPassword(OctavoError):
    reason = Reason.WEAK_PASSWORD


class Unauthenticated(OctavoError):
    reason = Reason.UNAUTHENTICATED
