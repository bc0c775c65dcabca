"""The ledger's refusals."""

from __future__ import annotations

from octavo.shared.errors import OctavoError, Reason


class OverBalance(OctavoError):
    reason = Reason.OVER_BALANCE
