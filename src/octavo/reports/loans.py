"""Overdue reports: the loans still open past their due time, counted by the borrower's
homeroom teacher and grade at their home school, for the lists a librarian hands teachers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from octavo.circulation.states import LoanStatus
from octavo.db import rows
from octavo.reports.definitions import Column, Kind, Row, Scope, Table, column_sum
from octavo.reports.labels import grade_label
from octavo.reports.rules import grade_key

OVERDUE_COLUMNS = (
    Column("overdue", _("Overdue items"), Kind.COUNT),
    Column("patrons", _("Patrons with overdue items"), Kind.COUNT),
)
BY_HOMEROOM_COLUMNS = (
    Column("site", _("Site")),
    Column("homeroom", _("Homeroom teacher")),
    Column("grade", _("Grade")),
    *OVERDUE_COLUMNS,
)
BY_GRADE_COLUMNS = (Column("site", _("Site")), Column("grade", _("Grade")), *OVERDUE_COLUMNS)


def _overdue(scope: Scope, *groups: str) -> list[tuple[Any, ...]]:
    # An open loan always names its patron (the link is cleared only when it ends).
    where = "l.status = %s AND l.due_at < %s"
    params: list[Any] = [LoanStatus.OPEN.value, rows.moment(scope.at)]
    if scope.site is not None:
        where += " AND p.home_site_id = %s"
        params.append(scope.site.id)
    ordinals = ", ".join(str(n) for n in range(1, len(groups) + 1))
    return rows.table(
        f"SELECT {', '.join(groups)}, COUNT(*), COUNT(DISTINCT l.patron_id) "  # noqa: S608
        "FROM circulation_loan l JOIN patrons_patron p ON p.id = l.patron_id "
        f"WHERE {where} GROUP BY {ordinals}",
        params,
    )


def _total(found: list[Row], first: int) -> Row | None:
    if not found:
        return None
    blanks = ("",) * first
    return (
        *blanks,
        column_sum(found, first),
        column_sum(found, first + 1),
    )


def by_homeroom(scope: Scope) -> Table:
    found = _overdue(scope, "p.home_site_id", "p.homeroom", "p.grade")
    found.sort(
        key=lambda r: (scope.site_code(r[0]), (r[1] or "").casefold(), grade_key(r[2] or ""))
    )
    table: list[Row] = [
        (
            scope.site_code(site_id),
            homeroom or str(_("No homeroom")),
            grade_label(grade or ""),
            int(items),
            int(patrons),
        )
        for site_id, homeroom, grade, items, patrons in found
    ]
    return Table(table, _total(table, 3))


def by_grade(scope: Scope) -> Table:
    found = _overdue(scope, "p.home_site_id", "p.grade")
    found.sort(key=lambda r: (scope.site_code(r[0]), grade_key(r[1] or "")))
    table: list[Row] = [
        (scope.site_code(site_id), grade_label(grade or ""), int(items), int(patrons))
        for site_id, grade, items, patrons in found
    ]
    return Table(table, _total(table, 2))
