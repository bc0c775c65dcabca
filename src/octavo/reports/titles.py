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
    out (at the site), in call-number order of their first copy (its prefix, class and cutter
    together, never one copy's class with another's cutter), with how many copies they have
    and when the first was acquired."""
    kept, kept_params = "{t}.status NOT IN (%s, %s)", list[Any](GONE)
    if scope.site is not None:
        # `+`: a title's copies are found by its record, never by the site's every item.
        kept += " AND +{t}.site_id = %s"
        kept_params.append(scope.site.id)
    first_copy = (
        "(SELECT c.id FROM holdings_item c WHERE c.record_id = {r} AND "  # noqa: S608
        + kept.format(t="c")
        + " ORDER BY c.call_prefix, c.call_class, c.call_cutter, c.id LIMIT 1)"
    )
    order = "ORDER BY i.call_prefix, i.call_class, i.call_cutter, i.id"
    if scope.site is None and scope.limit is not None:
        # The district on the screen: its copies read in call-number order (item_call_number)
        # until enough titles are found, each title at its first copy; a title's check-outs
        # are looked up by record (fact_record). Milliseconds where grouping every title of
        # 2M copies first took two seconds (docs/benchmarks.md).
        count = (
            "(SELECT {what} FROM holdings_item c WHERE c.record_id = i.record_id AND "  # noqa: S608
            + kept.format(t="c")
            + ")"
        )
        sql_text = (
            f"SELECT i.record_id, {count.format(what='COUNT(*)')}, "  # noqa: S608
            f"{count.format(what='MIN(c.acquired_on)')}, i.call_prefix, i.call_class, "
            f"i.call_cutter FROM holdings_item i WHERE {kept.format(t='i')} AND NOT EXISTS "
            "(SELECT 1 FROM reports_circulationfact f WHERE f.kind = %s "
            f"AND f.record_id = i.record_id) AND i.id = {first_copy.format(r='i.record_id')} "
            f"{order}"
        )
        params = [
            *kept_params,
            *kept_params,
            *kept_params,
            EventKind.CHECK_OUT.value,
            *kept_params,
        ]
    else:
        # A site, or every title (a file): the titles grouped first (the site's check-outs
        # read once), then each one's first copy.
        circulated, also = "f.kind = %s", list[Any]([EventKind.CHECK_OUT.value])
        site = ""
        if scope.site is not None:
            circulated = "f.site_id = %s AND f.kind = %s"
            also.insert(0, scope.site.id)
            site = " AND g.site_id = %s"
        sql_text = (
            "SELECT t.record_id, t.copies, t.acquired, i.call_prefix, i.call_class, "  # noqa: S608
            "i.call_cutter FROM (SELECT g.record_id, COUNT(*) AS copies, "
            f"MIN(g.acquired_on) AS acquired, {first_copy.format(r='g.record_id')} AS first_id "
            f"FROM holdings_item g WHERE g.status NOT IN (%s, %s){site} AND g.record_id NOT IN "
            f"(SELECT f.record_id FROM reports_circulationfact f WHERE {circulated}) "
            f"GROUP BY g.record_id) t JOIN holdings_item i ON i.id = t.first_id {order}"
        )
        params = [*kept_params, *kept_params, *also]
    found = rows.table(scope.limited(sql_text), params)
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
