"""The few SQL expressions that SQLite and PostgreSQL write differently (or that several
reports share), for the reports' queries. Every report query groups in the database; Python
then only labels the groups.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def dewey_class(column: str) -> str:
    """The Dewey main class (0-9) of a classification column, or NULL: three digits first, or
    `92` (octavo.reports.rules.dewey_class says the same in Python)."""
    digit = "BETWEEN '0' AND '9'"
    return (
        f"CASE WHEN substr({column}, 1, 1) {digit} AND substr({column}, 2, 1) {digit} "
        f"AND substr({column}, 3, 1) {digit} AND NOT (substr({column}, 4, 1) {digit}) "
        f"THEN CAST(substr({column}, 1, 1) AS INTEGER) "
        f"WHEN {column} = '92' THEN 9 ELSE NULL END"
    )


def cents(column: str) -> str:
    """A money column in whole cents, exact on SQLite too (octavo.fines.selectors)."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def days_between(first: str, last: str) -> str:
    """Days (with the fraction) from one timestamp column to another."""
    if _postgresql():
        return f"(EXTRACT(EPOCH FROM ({last} - {first})) / 86400.0)"
    return f"(julianday({last}) - julianday({first}))"


def whole(expression: str) -> str:
    """An expression's value rounded down to a whole number (days >= 0)."""
    return (
        f"CAST(FLOOR({expression}) AS INTEGER)"
        if _postgresql()
        else f"CAST({expression} AS INTEGER)"
    )


def day(value: Any) -> Any:
    """A date as a query parameter, the way the database stores it."""
    return connection.ops.adapt_datefield_value(value)


def as_date(value: Any) -> Any:
    """A date column's raw value (text on SQLite) as a date; None stays None."""
    if value is None or isinstance(value, datetime):
        return value.date() if isinstance(value, datetime) else None
    return value if isinstance(value, date) else date.fromisoformat(str(value))
