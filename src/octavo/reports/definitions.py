"""What a report is: its name, title, columns and chart, the period it covers and the function
that computes it; and the scope it is computed for (a site or the district, a period, now).

The registry (octavo.reports.registry) lists the reports; the staff screens, the `octavo
report` command and the files are all built from these definitions, so a report is written
once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from octavo.db import rows
from octavo.district.models import Site

Text = str | Promise
Value = str | int | Decimal | date | None
Row = tuple[Value, ...]


class Kind(StrEnum):
    """How a column's values are kept, shown and written."""

    TEXT = "text"
    COUNT = "count"  # a whole number, with thousands separators
    NUMBER = "number"  # a Decimal with one decimal place (averages, ratios, days)
    MONEY = "money"  # a Decimal with two decimal places
    YEAR = "year"  # a year or an average year: no thousands separator
    PERCENT = "percent"  # a Decimal percentage with one decimal place
    DATE = "date"

    @property
    def numeric(self) -> bool:
        return self not in (Kind.TEXT, Kind.DATE)


@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    kind: Kind = Kind.TEXT


class ChartKind(StrEnum):
    BARS = "bars"  # one bar (or one per series, side by side or stacked) per row
    LINE = "line"  # a line per series over the rows (days)
    COUNT = "count"  # how many rows have each value of the category column
    TOTALS = "totals"  # one bar per series, from the total row


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    category: str = ""  # the column that labels each bar (BARS, COUNT)
    series: tuple[str, ...] = ()  # the numeric columns drawn (BARS, LINE, TOTALS)
    horizontal: bool = False
    stacked: bool = False
    limit: int | None = None  # the first rows only (a top-N list)


class Family(StrEnum):
    CIRCULATION = "circulation"
    COLLECTION = "collection"
    OVERDUES_AND_MONEY = "money"
    PATRONS = "patrons"
    TITLES = "titles"


FAMILY_TITLES: dict[Family, Text] = {
    Family.CIRCULATION: _("Circulation"),
    Family.COLLECTION: _("Collection"),
    Family.OVERDUES_AND_MONEY: _("Overdues, fines and lost items"),
    Family.PATRONS: _("Patrons"),
    Family.TITLES: _("Titles, holds and shelves"),
}


@dataclass(frozen=True)
class Scope:
    """What a report is computed for: one site or (site None) the whole district, the days from
    `start` to `end` (both included, in `zone`), and the moment `at` it is asked for."""

    site: Site | None
    sites: dict[int, Site]  # every site, by id, for labels and time zones
    start: date
    end: date
    at: datetime
    zone: ZoneInfo
    # At most this many rows of a list (the screen shows the first ones); None: all of them.
    limit: int | None = None

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0), self.zone).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (midnight after `end`)."""
        following = self.end + timedelta(days=1)
        return datetime.combine(following, time(0), self.zone).astimezone(UTC)

    def period_params(self) -> list[Any]:
        return [rows.moment(self.start_at), rows.moment(self.end_at)]

    def zone_of(self, site_id: int) -> ZoneInfo:
        site = self.sites.get(site_id)
        return ZoneInfo(site.time_zone) if site else self.zone

    def site_label(self, site_id: int | None) -> str:
        site = self.sites.get(site_id) if site_id is not None else None
        return f"{site.code} {site.name}" if site else "—"

    def site_code(self, site_id: int | None) -> str:
        site = self.sites.get(site_id) if site_id is not None else None
        return site.code if site else "—"

    def limited(self, sql: str) -> str:
        # One more than the limit, so that `listing` knows there were more.
        return f"{sql} LIMIT {int(self.limit) + 1}" if self.limit is not None else sql


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    total: Row | None = None
    # More rows than `Scope.limit` let through: the screen says so and the files have all.
    truncated: bool = False


def listing(found: Sequence[Row], scope: Scope) -> Table:
    """A list's rows, cut at the scope's limit (the query asked for one more to know)."""
    if scope.limit is not None and len(found) > scope.limit:
        return Table(list(found[: scope.limit]), truncated=True)
    return Table(list(found))


Period = Callable[[date], tuple[date, date]]


@dataclass(frozen=True)
class Report:
    name: str  # the contract: `octavo report NAME`, /staff/reports/NAME/
    title: Text
    description: Text
    family: Family
    columns: tuple[Column, ...]
    compute: Callable[[Scope], Table]
    chart: Chart | None = None
    # None: a picture of now (the collection, overdues, a shelf list); the period is not asked.
    period: Period | None = None
    site_required: bool = False
    # Said under the title on the screen and in the file's notes: how a figure is counted.
    note: Text = ""
    # The label of the total row's first cell, when the report has one.
    total_label: Text = field(default=_("Total"))

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def index(self, key: str) -> int:
        return [c.key for c in self.columns].index(key)


def whole(value: Value) -> int:
    """A count cell as an int (a blank is 0)."""
    return int(value) if isinstance(value, int | Decimal) else 0


def column_sum(found: Sequence[Row], at: int) -> int:
    """The sum of the counts in column `at` of the rows (for a total row)."""
    return sum(whole(row[at]) for row in found)
