"""Title, hold and shelf reports: the most checked-out titles of the period, titles none of whose
copies was ever checked out, how long holds wait before a copy is on the hold shelf, and a site's
shelf list in call-number order."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from octavo.catalog.callnumbers import ShelfKey, shelf_key
from octavo.catalog.models import Record
from octavo.circulation.states import EventKind
from octavo.db import rows
from octavo.holdings.states import ItemStatus
from octavo.reports import sql
from octavo.reports.circulation import hours
from octavo.reports.collection import GONE
from octavo.reports.definitions import Column, Kind, Row, Scope, Table, listing
from octavo.reports.labels import DEWEY_CLASSES, NO_DEWEY, status_label
from octavo.reports.rules import dewey_class as dewey_class_of
from octavo.reports.rules import median, percentile

TOP = 100  # a top list, not an export of every title


def first_author(authors: Any) -> str:
    """The first name of a record's `authors` (a JSON list: text on SQLite, a list on
    PostgreSQL)."""
    names = json.loads(authors) if isinstance(authors, str | bytes) else authors
    return str(names[0]) if names else ""


_CHUNK = 900  # ids per query: under SQLite's limit on parameters


def _titles(record_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{record id: (title, first author)} of the records a list names (a file's list can name
    a hundred thousand, read a chunk at a time)."""
    titles: dict[int, tuple[str, str]] = {}
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start : start + _CHUNK]
        found = Record.objects.filter(id__in=chunk).values_list("id", "title", "authors")
        titles |= {pk: (title, first_author(authors)) for pk, title, authors in found}
    return titles


# --- top titles ------------------------------------------------------------------------------

TOP_COLUMNS = (
    Column("rank", _("Rank"), Kind.COUNT),
    Column("title", _("Title")),
    Column("author", _("Author")),
    Column("check_outs", _("Check-outs"), Kind.COUNT),
)


def top_titles(scope: Scope) -> Table:
    first, last = hours(scope)
    where = "f.kind = %s AND +f.hour >= %s AND +f.hour < %s"
    params: list[Any] = [EventKind.CHECK_OUT.value, first, last]
    if scope.site is not None:
        where = "f.site_id = %s AND f.kind = %s AND f.hour >= %s AND f.hour < %s"
        params.insert(0, scope.site.id)
    # District-wide the check-outs are read by record (the `+` keeps the hour index out), so
    # they are counted in order, title by title; only the titles' counts are then sorted.
    found = rows.table(
        f"SELECT f.record_id, COUNT(*) FROM reports_circulationfact f WHERE {where} "  # noqa: S608
        f"GROUP BY f.record_id ORDER BY 2 DESC, 1 LIMIT {TOP}",
        params,
    )
    records = _titles([f[0] for f in found])
    table: list[Row] = []
    rank, previous = 0, None
    for position, (record_id, count) in enumerate(found, start=1):
        if count != previous:  # equal counts share a rank: 1, 2, 2, 4
            rank, previous = position, count
        title, author = records.get(record_id, ("", ""))
        table.append((rank, title, author, int(count)))
    return Table(table)


# --- never checked out -----------------------------------------------------------------------

NEVER_COLUMNS = (
    Column("dewey", _("Dewey class")),
    Column("call_number", _("Call number")),
    Column("title", _("Title")),
    Column("author", _("Author")),
    Column("copies", _("Copies"), Kind.COUNT),
    Column("acquired", _("Acquired"), Kind.DATE),
)


def never_circulated(scope: Scope) -> Table:
    """Records with copies in the collection (at the site) of which no copy was ever checked
    out (at the site), in call-number order (prefix, class, cutter of their first copy)."""
    where, params = "i.status NOT IN (%s, %s)", list[Any](GONE)
    circulated, also = "f.kind = %s", list[Any]([EventKind.CHECK_OUT.value])
    if scope.site is not None:
        where += " AND i.site_id = %s"
        params.append(scope.site.id)
        circulated = "f.site_id = %s AND f.kind = %s"
        also.insert(0, scope.site.id)
    found = rows.table(
        scope.limited(
            "SELECT i.record_id, COUNT(*), MIN(i.acquired_on), MIN(i.call_prefix), "  # noqa: S608
            f"MIN(i.call_class), MIN(i.call_cutter) FROM holdings_item i WHERE {where} "
            "AND i.record_id NOT IN (SELECT f.record_id FROM reports_circulationfact f "
            f"WHERE {circulated}) GROUP BY i.record_id ORDER BY 4, 5, 6, 1"
        ),
        [*params, *also],
    )
    records = _titles([f[0] for f in found])
    table: list[Row] = []
    for record_id, copies, acquired, prefix, klass, cutter in found:
        title, author = records.get(record_id, ("", ""))
        dewey = dewey_class_of(klass or "")
        table.append(
            (
                str(DEWEY_CLASSES[dewey]) if dewey is not None else str(NO_DEWEY),
                " ".join(p for p in (prefix, klass, cutter) if p),
                title,
                author,
                int(copies),
                sql.as_date(acquired),
            )
        )
    return listing(table, scope)


# --- hold fill time ---------------------------------------------------------------------------

FILL_COLUMNS = (
    Column("site", _("Pickup site")),
    Column("filled", _("Holds filled"), Kind.COUNT),
    Column("average_days", _("Average days"), Kind.NUMBER),
    Column("median_days", _("Median days"), Kind.NUMBER),
    Column("p90_days", _("90 % filled within (days)"), Kind.NUMBER),
    Column("longest_days", _("Longest (days)"), Kind.NUMBER),
)
_NINETY = Decimal("0.9")


def hold_fill_time(scope: Scope) -> Table:
    days = sql.days_between("h.placed_at", "h.ready_at")
    where = "h.ready_at IS NOT NULL AND h.ready_at >= %s AND h.ready_at < %s"
    params = scope.period_params()
    if scope.site is not None:
        where += " AND h.pickup_site_id = %s"
        params.append(scope.site.id)
    found = rows.table(
        f"SELECT h.pickup_site_id, {sql.whole(days)}, COUNT(*), SUM({days}), MAX({days}) "  # noqa: S608
        f"FROM holds_hold h WHERE {where} GROUP BY 1, 2",
        params,
    )
    per_site: dict[int, tuple[dict[int, int], list[float]]] = {}
    for site_id, whole_days, count, total, longest in found:
        histogram, sums = per_site.setdefault(int(site_id), ({}, [0.0, 0.0, 0.0]))
        histogram[max(0, int(whole_days))] = int(count)
        sums[0] += float(total)
        sums[1] += int(count)
        sums[2] = max(sums[2], float(longest))

    def line(label: str, histogram: dict[int, int], sums: list[float]) -> Row:
        filled = int(sums[1])
        mean = Decimal(str(round(sums[0] / filled, 1))) if filled else None
        return (
            label,
            filled,
            mean,
            median(histogram),
            percentile(histogram, _NINETY),
            Decimal(str(round(sums[2], 1))),
        )

    table = [line(scope.site_label(s), *per_site[s]) for s in sorted(per_site, key=scope.site_code)]
    if scope.site is not None or not table:
        return Table(table)
    merged: dict[int, int] = {}
    for histogram, _sums in per_site.values():
        for d, n in histogram.items():
            merged[d] = merged.get(d, 0) + n
    all_sums = [
        sum(s[0] for _h, s in per_site.values()),
        sum(s[1] for _h, s in per_site.values()),
        max(s[2] for _h, s in per_site.values()),
    ]
    return Table(table, line("", merged, all_sums))


# --- shelf list ------------------------------------------------------------------------------

SHELF_COLUMNS = (
    Column("call_number", _("Call number")),
    Column("barcode", _("Barcode")),
    Column("title", _("Title")),
    Column("author", _("Author")),
    Column("location", _("Location")),
    Column("status", _("Status")),
    Column("acquired", _("Acquired"), Kind.DATE),
    Column("price", _("Price"), Kind.MONEY),
)


def shelf_list(scope: Scope) -> Table:
    """A site's copies (withdrawn ones left out) in shelf order. The order is the catalog's
    (octavo.catalog.callnumbers.shelf_key), which no SQL ORDER BY can give; the key is computed
    once per distinct call number."""
    if scope.site is None:  # the registry asks for a site; a caller that does not is wrong
        raise ValueError("a shelf list is one site's")
    found = rows.table(
        "SELECT i.barcode, i.call_prefix, i.call_class, i.call_cutter, i.call_volume, "  # noqa: S608
        "i.copy_number, r.title, r.authors, l.name, i.status, i.acquired_on, "
        f"{sql.cents('i.price')} FROM holdings_item i "
        "JOIN catalog_record r ON r.id = i.record_id "
        "LEFT JOIN district_location l ON l.id = i.location_id "
        "WHERE i.site_id = %s AND i.status <> %s",
        [scope.site.id, ItemStatus.WITHDRAWN.value],
    )
    keys: dict[str, ShelfKey] = {}
    lines: list[tuple[ShelfKey, str, Row]] = []
    for (
        barcode,
        prefix,
        klass,
        cutter,
        volume,
        copy,
        title,
        authors,
        where,
        status,
        got,
        cents,
    ) in found:
        call = " ".join(p for p in (prefix, klass, cutter, volume) if p)
        if copy:
            call = f"{call} c.{copy}"
        key = keys.get(call)
        if key is None:
            key = keys[call] = shelf_key(call)  # blank or unreadable: after the rest
        price = (Decimal(int(cents)) / 100).quantize(Decimal("0.01")) if cents is not None else None
        row: Row = (
            call,
            barcode,
            title,
            first_author(authors),
            where or "",
            status_label(status),
            sql.as_date(got),
            price,
        )
        lines.append((key, barcode, row))
    lines.sort(key=lambda line: (line[0], line[1]))
    return listing([row for _k, _b, row in lines], scope)
