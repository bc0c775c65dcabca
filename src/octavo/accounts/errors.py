"""Errors raised by account services."""

from __future__ import annotations

from octavo.shared.errors import OctavoError, Reason


class WeakPassword(OctavoError):
    reason = Reason.WEAK_PASSWORD  # noqa: S105 - a reason code


class Unauthenticated(OctavoError):
    reason = Reason.UNAUTHENTICATED
