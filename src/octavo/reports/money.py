"""Money reports from the fines ledger (octavo.fines: append-only; a balance is a sum): what was
charged, collected, waived and refunded in the period at each site, what is still owed, and the
lost items billed in the period with what has been paid on each.

Sums are taken in whole cents by the database (octavo.reports.sql.cents) and shown as Decimal.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from octavo.db import rows
from octavo.fines.models import LedgerEntry
from octavo.fines.states import ChargeType, EntryKind
from octavo.reports import sql
from octavo.reports.definitions import Column, Kind, Row, Scope, Table

FINES_COLUMNS = (
    Column("site", _("Site")),
    Column("charged", _("Charged"), Kind.MONEY),
    Column("collected", _("Collected"), Kind.MONEY),
    Column("waived", _("Waived"), Kind.MONEY),
    Column("refunded", _("Refunded"), Kind.MONEY),
    Column("outstanding", _("Outstanding now"), Kind.MONEY),
)
_KIND_COLUMN = {EntryKind.CHARGE: 0, EntryKind.PAYMENT: 1, EntryKind.WAIVER: 2, EntryKind.REFUND: 3}


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def fines(scope: Scope) -> Table:
    where, params = "e.at >= %s AND e.at < %s", scope.period_params()
    if scope.site is not None:
        where += " AND e.site_id = %s"
        params.append(scope.site.id)
    moved = rows.table(
        f"SELECT e.site_id, e.kind, SUM({sql.cents('e.amount')}) "  # noqa: S608
        f"FROM fines_ledgerentry e WHERE {where} GROUP BY 1, 2",
        params,
    )
    # What is owed now, at the site of the charge it settles: a fine paid at another school
    # still counts against the school that charged it.
    owed_site = "COALESCE(c.site_id, e.site_id)"
    where, params = "e.at <= %s", [rows.moment(scope.at)]
    if scope.site is not None:
        where += f" AND {owed_site} = %s"
        params.append(scope.site.id)
    owed = rows.table(
        f"SELECT {owed_site}, SUM(CASE WHEN e.kind IN (%s, %s) THEN 1 ELSE -1 END "  # noqa: S608
        f"* {sql.cents('e.amount')}) FROM fines_ledgerentry e "
        f"LEFT JOIN fines_ledgerentry c ON c.id = e.charge_id WHERE {where} GROUP BY 1",
        [EntryKind.CHARGE.value, EntryKind.REFUND.value, *params],
    )
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for site_id, kind, cents in moved:
        sums[int(site_id)][_KIND_COLUMN[EntryKind(kind)]] += int(cents or 0)
    for site_id, cents in owed:
        sums[int(site_id)][4] += int(cents or 0)
    found: list[Row] = [
        (scope.site_label(site_id), *(_money(c) for c in sums[site_id]))
        for site_id in sorted(sums, key=scope.site_code)
    ]
    if not found:
        return Table([])
    total: Row = ("", *(_money(sum(sums[s][n] for s in sums)) for n in range(5)))
    return Table(found, total)


LOST_COLUMNS = (
    Column("billed", _("Billed on"), Kind.DATE),
    Column("site", _("Site")),
    Column("patron_card", _("Patron card")),
    Column("patron", _("Patron")),
    Column("barcode", _("Item barcode")),
    Column("title", _("Title")),
    Column("charged", _("Charged"), Kind.MONEY),
    Column("paid", _("Paid"), Kind.MONEY),
    Column("waived", _("Waived"), Kind.MONEY),
    Column("refunded", _("Refunded"), Kind.MONEY),
    Column("owed", _("Still owed"), Kind.MONEY),
)


def lost_and_paid(scope: Scope) -> Table:
    one = f"COALESCE(SUM(CASE WHEN s.kind = %s THEN {sql.cents('s.amount')} END), 0)"
    settled = ", ".join([one] * 3)
    where = "c.kind = %s AND c.charge_type = %s AND c.at >= %s AND c.at < %s"
    params: list[Any] = [
        EntryKind.PAYMENT.value,
        EntryKind.WAIVER.value,
        EntryKind.REFUND.value,
        EntryKind.CHARGE.value,
        ChargeType.LOST.value,
        *scope.period_params(),
    ]
    if scope.site is not None:
        where += " AND c.site_id = %s"
        params.append(scope.site.id)
    columns = (
        "c.id, c.at, c.site_id, p.barcode, p.last_name, p.first_name, i.barcode, r.title, "
        f"{sql.cents('c.amount')}"
    )
    # Not cut at the screen's limit: a district bills a few hundred lost items a year, and the
    # total row must add them all.
    found = rows.table(
        f"SELECT {columns}, {settled} FROM fines_ledgerentry c "  # noqa: S608
        "JOIN patrons_patron p ON p.id = c.patron_id "
        "LEFT JOIN holdings_item i ON i.id = c.item_id "
        "LEFT JOIN catalog_record r ON r.id = i.record_id "
        "LEFT JOIN fines_ledgerentry s ON s.charge_id = c.id "
        f"WHERE {where} GROUP BY {columns} ORDER BY c.at, c.id",
        params,
    )
    table: list[Row] = []
    for (
        _id,
        at,
        site_id,
        card,
        last,
        first,
        barcode,
        title,
        charged,
        paid,
        waived,
        refunded,
    ) in found:
        billed = rows.converted(LedgerEntry, "at", at).astimezone(scope.zone_of(site_id)).date()
        owed = int(charged) - int(paid) - int(waived) + int(refunded)
        table.append(
            (
                billed,
                scope.site_code(site_id),
                card,
                f"{last}, {first}",
                barcode or "",
                title or "",
                *(_money(int(c)) for c in (charged, paid, waived, refunded, owed)),
            )
        )
    if not table:
        return Table([])
    sums = [sum(Decimal(str(r[n])) for r in table) for n in range(6, 11)]
    return Table(table, ("", "", "", "", "", "", *sums))
