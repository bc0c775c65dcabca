"""Collection reports: copies and titles by Dewey class with their average and median
publication year, the collection's age profile, and per site the figures a state's annual
school library evaluation asks for (volumes, titles, volumes per student, average copyright
year, copies added and withdrawn in the year).

A copy counts while it is in the collection: not withdrawn and not lost. Years are the record's
publication year (Record.year, from the MARC 008/264). Medians come from per-year counts the
database groups (class x year: a few hundred groups), not from the copies themselves.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from octavo.db import rows
from octavo.holdings.states import ItemStatus
from octavo.reports import sql
from octavo.reports.definitions import Column, Kind, Row, Scope, Table, column_sum
from octavo.reports.labels import DEWEY_CLASSES, NO_DEWEY
from octavo.reports.models import NO_DEWEY as NO_DEWEY_CLASS
from octavo.reports.rules import (
    AGE_BANDS,
    age_band,
    average,
    count_of,
    median,
    ratio,
    share,
)

GONE = (ItemStatus.WITHDRAWN.value, ItemStatus.LOST.value)

Histogram = dict[int, int]

# They read the reports' copy of the items (octavo.reports.models.ItemFact): the site, record,
# Dewey class and year of every copy, each grouping an index range read in order.
_FACTS = "reports_itemfact f"


def _where(scope: Scope, group: str = "") -> tuple[str, list[Any]]:
    """Copies in the collection, at the scope's site; for the district grouped by site, every
    site named (so that the index starting with the site is read site by site)."""
    if scope.site is not None:
        return "f.site_id = %s AND f.kept = %s", [scope.site.id, True]
    if group == "f.site_id":
        sites = list(scope.sites)
        return f"f.site_id IN ({', '.join(['%s'] * len(sites))}) AND f.kept = %s", [*sites, True]
    return "f.kept = %s", [True]


def _years_by(scope: Scope, group: str) -> tuple[dict[Any, Histogram], dict[Any, int]]:
    """Per group: the copies counted by publication year, and the copies with no year."""
    where, params = _where(scope, group)
    found = rows.table(
        f"SELECT {group}, f.year, COUNT(*) FROM {_FACTS} WHERE {where} GROUP BY 1, 2",  # noqa: S608
        params,
    )
    years: dict[Any, Histogram] = defaultdict(dict)
    unknown: dict[Any, int] = defaultdict(int)
    for key, year, count in found:
        if year is None:
            unknown[key] += int(count)
        else:
            years[key][int(year)] = int(count)
    return years, unknown


def _titles_by(scope: Scope, group: str) -> dict[Any, int]:
    # The index gives each group's records in order, so the distinct ones are counted as they
    # are read (a DISTINCT subquery would sort every pair again to group them).
    where, params = _where(scope, group)
    found = rows.table(
        f"SELECT {group}, COUNT(DISTINCT f.record_id) FROM {_FACTS} "  # noqa: S608
        f"WHERE {where} GROUP BY 1",
        params,
    )
    return {key: int(count) for key, count in found}


def _all_titles(scope: Scope) -> int:
    if scope.site is not None:
        where, params = _where(scope)
        sql_text = f"SELECT COUNT(DISTINCT f.record_id) FROM {_FACTS} WHERE {where}"  # noqa: S608
    else:
        # The items' own (record, status, site) index gives the records in order.
        where, params = "i.status NOT IN (%s, %s)", list[Any](GONE)
        sql_text = (
            "SELECT COUNT(*) FROM (SELECT DISTINCT i.record_id FROM holdings_item i "  # noqa: S608
            f"WHERE {where}) d"
        )
    found = rows.values(sql_text, params)
    return int(found[0] or 0)


def _merged(histograms: list[Histogram]) -> Histogram:
    merged: Histogram = defaultdict(int)
    for histogram in histograms:
        for year, count in histogram.items():
            merged[year] += count
    return merged


def _class_label(key: Any) -> str:
    return str(DEWEY_CLASSES[int(key)]) if int(key) != NO_DEWEY_CLASS else str(NO_DEWEY)


def _class_order(keys: Any) -> list[Any]:
    return sorted(keys, key=int)


# --- copies and titles by Dewey class ----------------------------------------------------------

BY_DEWEY_COLUMNS = (
    Column("dewey", _("Dewey class")),
    Column("copies", _("Copies"), Kind.COUNT),
    Column("titles", _("Titles"), Kind.COUNT),
    Column("share", _("Share of copies (%)"), Kind.PERCENT),
    Column("average_year", _("Average publication year"), Kind.YEAR),
    Column("median_year", _("Median publication year"), Kind.YEAR),
)


def by_dewey(scope: Scope) -> Table:
    years, unknown = _years_by(scope, "f.dewey_class")
    titles = _titles_by(scope, "f.dewey_class")
    classes = _class_order(set(years) | set(unknown) | set(titles))
    copies = {c: count_of(years.get(c, {})) + unknown.get(c, 0) for c in classes}
    all_copies = sum(copies.values())
    found: list[Row] = [
        (
            _class_label(c),
            copies[c],
            titles.get(c, 0),
            share(copies[c], all_copies),
            average(years.get(c, {})),
            median(years.get(c, {})),
        )
        for c in classes
    ]
    if not found:
        return Table([])
    everything = _merged(list(years.values()))
    total: Row = (
        "",
        all_copies,
        _all_titles(scope),
        share(all_copies, all_copies),
        average(everything),
        median(everything),
    )
    return Table(found, total)


# --- the age profile -----------------------------------------------------------------------------


def _band_text(first: int, last: int | None) -> str:
    if last is None:
        return gettext("Over %(years)s years") % {"years": first - 1}
    return gettext("%(first)s-%(last)s years") % {"first": first, "last": last}


# Column labels are read in the language of each request, so the band's words wait till then.
_band_label = lazy(_band_text, str)


AGE_COLUMNS = (
    Column("dewey", _("Dewey class")),
    *(
        Column(f"age_{n}", _band_label(first, last), Kind.COUNT)
        for n, (first, last) in enumerate(AGE_BANDS)
    ),
    Column("unknown", _("Year not known"), Kind.COUNT),
    Column("copies", _("Copies"), Kind.COUNT),
)
AGE_SERIES = (*(f"age_{n}" for n in range(len(AGE_BANDS))), "unknown")


def age_profile(scope: Scope) -> Table:
    years, unknown = _years_by(scope, "f.dewey_class")
    this_year = scope.at.astimezone(scope.zone).year
    found: list[Row] = []
    for c in _class_order(set(years) | set(unknown)):
        bands = [0] * len(AGE_BANDS)
        for year, count in years.get(c, {}).items():
            bands[age_band(max(0, this_year - year))] += count
        copies = sum(bands) + unknown.get(c, 0)
        found.append((_class_label(c), *bands, unknown.get(c, 0), copies))
    if not found:
        return Table([])
    sums = [column_sum(found, n) for n in range(1, len(AGE_COLUMNS))]
    return Table(found, ("", *sums))


# --- the evaluation's figures, per site ---------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("site", _("Site")),
    Column("students", _("Students"), Kind.COUNT),
    Column("copies", _("Copies"), Kind.COUNT),
    Column("titles", _("Titles"), Kind.COUNT),
    Column("copies_per_student", _("Copies per student"), Kind.NUMBER),
    Column("average_year", _("Average publication year"), Kind.YEAR),
    Column("median_year", _("Median publication year"), Kind.YEAR),
    Column("added", _("Copies added"), Kind.COUNT),
    Column("withdrawn", _("Copies withdrawn"), Kind.COUNT),
)


def _students_by_site(scope: Scope) -> dict[int, int]:
    where = "t.code = %s AND p.status = %s"
    params: list[Any] = ["student", "active"]
    if scope.site is not None:
        where += " AND p.home_site_id = %s"
        params.append(scope.site.id)
    found = rows.table(
        "SELECT p.home_site_id, COUNT(*) FROM patrons_patron p "  # noqa: S608
        f"JOIN patrons_patrontype t ON t.id = p.patron_type_id WHERE {where} GROUP BY 1",
        params,
    )
    return {int(site_id): int(count) for site_id, count in found}


def _added_by_site(scope: Scope) -> dict[int, int]:
    # A copy arrived on its acquisition date, else on the day it was entered (as the OPAC's new
    # arrivals count: octavo.holdings.selectors.new_arrivals).
    return _count_days(scope, "f.added_on")


def _withdrawn_by_site(scope: Scope) -> dict[int, int]:
    return _count_days(scope, "f.withdrawn_on")


def _count_days(scope: Scope, column: str) -> dict[int, int]:
    where = f"{column} >= %s AND {column} <= %s"
    params: list[Any] = [sql.day(scope.start), sql.day(scope.end)]
    if scope.site is not None:
        where += " AND f.site_id = %s"
        params.append(scope.site.id)
    found = rows.table(
        f"SELECT f.site_id, COUNT(*) FROM {_FACTS} WHERE {where} GROUP BY 1",  # noqa: S608
        params,
    )
    return {int(site_id): int(count) for site_id, count in found}


def summary(scope: Scope) -> Table:
    years, unknown = _years_by(scope, "f.site_id")
    titles = _titles_by(scope, "f.site_id")
    students = _students_by_site(scope)
    added = _added_by_site(scope)
    withdrawn = _withdrawn_by_site(scope)
    site_ids = set(years) | set(unknown) | set(students) | set(added) | set(withdrawn)
    found: list[Row] = []
    for site_id in sorted(site_ids, key=scope.site_code):
        copies = count_of(years.get(site_id, {})) + unknown.get(site_id, 0)
        found.append(
            (
                scope.site_label(site_id),
                students.get(site_id, 0),
                copies,
                titles.get(site_id, 0),
                ratio(copies, students.get(site_id, 0)),
                average(years.get(site_id, {})),
                median(years.get(site_id, {})),
                added.get(site_id, 0),
                withdrawn.get(site_id, 0),
            )
        )
    if scope.site is not None or not found:
        return Table(found)
    everything = _merged(list(years.values()))
    copies = column_sum(found, 2)
    pupils = column_sum(found, 1)
    total: Row = (
        "",
        pupils,
        copies,
        _all_titles(scope),
        ratio(copies, pupils),
        average(everything),
        median(everything),
        column_sum(found, 7),
        column_sum(found, 8),
    )
    return Table(found, total)
