"""Ledger entry kinds, charge types and payment methods. Pure: no Django."""

from __future__ import annotations

from enum import StrEnum


class EntryKind(StrEnum):
    CHARGE = "charge"  # + owed
    PAYMENT = "payment"  # - owed
    WAIVER = "waiver"  # - owed, with a reason
    REFUND = "refund"  # + owed: money handed back to the patron


OWED_SIGN = {EntryKind.CHARGE: 1, EntryKind.REFUND: 1, EntryKind.PAYMENT: -1, EntryKind.WAIVER: -1}


class ChargeType(StrEnum):
    OVERDUE = "overdue"
    LOST = "lost"
    DAMAGED = "damaged"
    PROCESSING = "processing"
    MANUAL = "manual"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    OTHER = "other"
