"""What a patron owes: always a sum over the ledger, in the database."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When

from octavo.db import rows
from octavo.fines.models import LedgerEntry
from octavo.fines.states import EntryKind

# In whole cents, so the sum is exact on SQLite too (which keeps a decimal column's values as
# numbers, not decimals); the desk asks on every check-out, so the SQL is written out.
_BALANCE_CENTS = (
    "SELECT COALESCE(SUM(CASE WHEN kind IN (%s, %s) THEN 1 ELSE -1 END "
    "* CAST(ROUND(amount * 100) AS BIGINT)), 0) FROM fines_ledgerentry WHERE patron_id = %s"
)


def balance(patron_id: int) -> Decimal:
    """Charges and refunds less payments and waivers; negative when the library owes."""
    found = rows.values(_BALANCE_CENTS, [EntryKind.CHARGE.value, EntryKind.REFUND.value, patron_id])
    cents = int(found[0])  # a sum: always one row
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def open_charges(patron_id: int) -> list[tuple[LedgerEntry, Decimal]]:
    """Each charge with what is still owed on it (settlements naming it taken off), oldest
    first; fully settled charges are left out."""
    charges = list(
        LedgerEntry.objects.filter(patron_id=patron_id, kind=EntryKind.CHARGE.value)
        .annotate(
            settled=Sum(
                Case(
                    When(
                        settlements__kind__in=[EntryKind.PAYMENT.value, EntryKind.WAIVER.value],
                        then=F("settlements__amount"),
                    ),
                    When(settlements__kind=EntryKind.REFUND.value, then=-F("settlements__amount")),
                    default=Value(Decimal("0")),
                    output_field=DecimalField(max_digits=11, decimal_places=2),
                ),
                default=Value(Decimal("0")),
            )
        )
        .order_by("at", "id")
    )
    out: list[tuple[LedgerEntry, Decimal]] = []
    for charge in charges:
        left = Decimal(charge.amount) - Decimal(charge.settled)
        if left > 0:
            out.append((charge, left.quantize(Decimal("0.01"))))
    return out


def ledger(patron_id: int) -> list[LedgerEntry]:
    """Every entry of the patron's ledger, oldest first (the staff patron page)."""
    return list(
        LedgerEntry.objects.filter(patron_id=patron_id)
        .select_related("site", "item")
        .order_by("at", "id")
    )


_CHARGE_LINES = (
    "SELECT c.id, c.charge_type, i.barcode, CAST(ROUND(c.amount * 100) AS BIGINT) - COALESCE(("
    "SELECT SUM(CASE WHEN s.kind = %s THEN -1 ELSE 1 END * CAST(ROUND(s.amount * 100) AS BIGINT)) "
    "FROM fines_ledgerentry s WHERE s.charge_id = c.id), 0) "
    "FROM fines_ledgerentry c LEFT JOIN holdings_item i ON i.id = c.item_id "
    "WHERE c.patron_id = %s AND c.kind = %s ORDER BY c.at, c.id"
)


def open_charge_lines(patron_id: int) -> list[tuple[int, str, str | None, Decimal]]:
    """open_charges as (charge id, charge type, item barcode or None, left to pay), summed in
    whole cents by the database (a kiosk's fine list)."""
    found = rows.table(_CHARGE_LINES, [EntryKind.REFUND.value, patron_id, EntryKind.CHARGE.value])
    return [
        (int(charge_id), kind, barcode, (Decimal(int(cents)) / 100).quantize(Decimal("0.01")))
        for charge_id, kind, barcode, cents in found
        if int(cents) > 0
    ]
