"""Patron reports: active patrons by patron type and grade, active patrons with no activity in
the period, and cards that expire in the period. Each patron counts at their home site.

"No activity" is what Octavo keeps tied to a patron: no loan checked out in the period and none
still out, no hold placed and no fine or payment in the period. A returned loan of a patron who
keeps no reading history is no longer tied to them (issue #4, privacy), so a patron whose only
activity was a loan already returned is listed too; the report says so (docs/librarians/
reports.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from octavo.circulation.states import LoanStatus
from octavo.db import rows
from octavo.patrons.states import PatronStatus
from octavo.reports import sql
from octavo.reports.definitions import Column, Kind, Row, Scope, Table, column_sum, listing
from octavo.reports.labels import grade_label
from octavo.reports.rules import grade_key

ACTIVE_COLUMNS = (
    Column("patron_type", _("Patron type")),
    Column("grade", _("Grade")),
    Column("patrons", _("Patrons"), Kind.COUNT),
)


def _site_filter(scope: Scope, where: str, params: list[Any]) -> tuple[str, list[Any]]:
    if scope.site is None:
        return where, params
    return f"{where} AND p.home_site_id = %s", [*params, scope.site.id]


def active(scope: Scope) -> Table:
    where, params = _site_filter(scope, "p.status = %s", [PatronStatus.ACTIVE.value])
    found = rows.table(
        "SELECT t.code, t.name, p.grade, COUNT(*) FROM patrons_patron p "  # noqa: S608
        f"JOIN patrons_patrontype t ON t.id = p.patron_type_id WHERE {where} "
        "GROUP BY t.code, t.name, p.grade",
        params,
    )
    found.sort(key=lambda r: (r[0], grade_key(r[2] or "")))
    table: list[Row] = [(name, grade_label(grade or ""), int(n)) for _c, name, grade, n in found]
    return Table(table, ("", "", column_sum(table, 2)) if table else None)


_PERSON = "s.code, p.barcode, p.last_name, p.first_name, t.name, p.grade, p.homeroom"
_PEOPLE = (
    "FROM patrons_patron p JOIN patrons_patrontype t ON t.id = p.patron_type_id "
    "JOIN district_site s ON s.id = p.home_site_id"
)

INACTIVE_COLUMNS = (
    Column("site", _("Site")),
    Column("card", _("Card")),
    Column("name", _("Name")),
    Column("patron_type", _("Patron type")),
    Column("grade", _("Grade")),
    Column("homeroom", _("Homeroom teacher")),
)


def _person(found: tuple[Any, ...]) -> Row:
    code, card, last, first, kind, grade, homeroom = found[:7]
    return (code, card, f"{last}, {first}", kind, grade_label(grade or ""), homeroom or "")


def inactive(scope: Scope) -> Table:
    first, after = scope.period_params()
    where, params = _site_filter(scope, "p.status = %s", [PatronStatus.ACTIVE.value])
    where += (
        " AND NOT EXISTS (SELECT 1 FROM circulation_loan l WHERE l.patron_id = p.id "
        "AND (l.status = %s OR (l.checked_out_at >= %s AND l.checked_out_at < %s)))"
        " AND NOT EXISTS (SELECT 1 FROM holds_hold h WHERE h.patron_id = p.id "
        "AND h.placed_at >= %s AND h.placed_at < %s)"
        " AND NOT EXISTS (SELECT 1 FROM fines_ledgerentry f WHERE f.patron_id = p.id "
        "AND f.at >= %s AND f.at < %s)"
    )
    params += [LoanStatus.OPEN.value, first, after, first, after, first, after]
    found = rows.table(
        scope.limited(
            f"SELECT {_PERSON} {_PEOPLE} WHERE {where} "
            "ORDER BY s.code, p.last_name, p.first_name, p.barcode"
        ),
        params,
    )
    return listing([_person(r) for r in found], scope)


EXPIRING_COLUMNS = (
    Column("expires", _("Card expires"), Kind.DATE),
    *INACTIVE_COLUMNS,
)


def expiring(scope: Scope) -> Table:
    where, params = _site_filter(
        scope,
        "p.status IN (%s, %s) AND p.card_expires >= %s AND p.card_expires <= %s",
        [
            PatronStatus.ACTIVE.value,
            PatronStatus.BLOCKED.value,
            sql.day(scope.start),
            sql.day(scope.end),
        ],
    )
    found = rows.table(
        scope.limited(
            f"SELECT {_PERSON}, p.card_expires {_PEOPLE} WHERE {where} "
            "ORDER BY p.card_expires, s.code, p.last_name, p.first_name, p.barcode"
        ),
        params,
    )
    return listing([(sql.as_date(r[7]), *_person(r)) for r in found], scope)
