"""Circulation reports: check-outs, check-ins and renewals by day, hour of day, site, patron
type, grade, material type and Dewey class.

They count the reports' copy of the circulation statistics (octavo.reports.models.CirculationFact:
one row per check-out, check-in and renewal, no patron). Each report is one GROUP BY whose
WHERE names every value of its dimension, every kind and the period's hours
(`grade IN (...) AND kind IN (...) AND hour >= ... AND hour < ...`): the database reads one
index range per value and kind, already in group order, and counts it; no row is sorted or
read from the table. Days and hours are grouped by UTC hour, then placed at the day and hour
of each site's own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from octavo.circulation.states import EventKind
from octavo.db import rows
from octavo.holdings.models import MaterialType
from octavo.patrons.models import PatronType
from octavo.patrons.rules import GRADES
from octavo.reports.definitions import Column, Kind, Row, Scope, Table, column_sum
from octavo.reports.labels import DEWEY_CLASSES, NO_DEWEY, grade_label
from octavo.reports.models import NO_DEWEY as NO_DEWEY_CLASS
from octavo.reports.models import NOT_RECORDED
from octavo.reports.rules import grade_key

KINDS = (EventKind.CHECK_OUT, EventKind.CHECK_IN, EventKind.RENEW)
_KIND_AT = {kind.value: n for n, kind in enumerate(KINDS)}

COUNT_COLUMNS = (
    Column("check_outs", _("Check-outs"), Kind.COUNT),
    Column("check_ins", _("Check-ins"), Kind.COUNT),
    Column("renewals", _("Renewals"), Kind.COUNT),
    Column("total", _("Total"), Kind.COUNT),
)
SERIES = ("check_outs", "check_ins", "renewals")

Counts = tuple[int, int, int]


def hours(scope: Scope) -> tuple[int, int]:
    """The period as whole UTC hours since 1970: from the first, up to (not with) the last."""
    return int(scope.start_at.timestamp()) // 3600, int(scope.end_at.timestamp()) // 3600


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _counted(scope: Scope, group: str, values: Sequence[Any]) -> dict[Any, Counts]:
    """{group value: (check-outs, check-ins, renewals)} over the scope's period and site.

    For one site the site's index is read; for the district, the WHERE names every `values`
    of `group`, so that the index starting with `group` is read range by range."""
    first, last = hours(scope)
    kinds = [k.value for k in KINDS]
    params: list[Any]
    if scope.site is not None:
        where, params = "f.site_id = %s", [scope.site.id]
    else:
        where, params = f"{group} IN ({_marks(values)})", list(values)
    where += f" AND f.kind IN ({_marks(kinds)}) AND f.hour >= %s AND f.hour < %s"
    params += [*kinds, first, last]
    found = rows.table(
        f"SELECT {group}, f.kind, COUNT(*) FROM reports_circulationfact f "  # noqa: S608
        f"WHERE {where} GROUP BY 1, 2",
        params,
    )
    sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for value, kind, count in found:
        sums[value][_KIND_AT[kind]] += int(count)
    return {value: (c[0], c[1], c[2]) for value, c in sums.items()}


def _row(label: Any, counts: Counts) -> Row:
    return (label, *counts, sum(counts))


def _table(found: list[Row]) -> Table:
    if not found:
        return Table([])
    sums = [column_sum(found, n) for n in range(1, 5)]
    return Table(found, ("", *sums))


def _by_time(scope: Scope, key: Callable[[datetime], Hashable]) -> dict[Hashable, Counts]:
    """Counts per `key(local time)`, from the counts per UTC hour of each time zone's sites."""
    zones: dict[str, list[int]] = defaultdict(list)
    if scope.site is not None:
        zones[scope.site.time_zone].append(scope.site.id)
    else:
        for site in scope.sites.values():
            zones[site.time_zone].append(site.id)
    folded: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0, 0])
    first, last = hours(scope)
    for zone_name, site_ids in zones.items():
        zone = ZoneInfo(zone_name)
        only = None
        if scope.site is None and len(zones) > 1:
            # `+`: the district's hour index is read; this zone's sites are picked out as it is.
            only = (f"+f.site_id IN ({_marks(site_ids)})", list(site_ids))
        for hour, counts in _hours_of(scope, first, last, only).items():
            local = datetime.fromtimestamp(int(hour) * 3600, UTC).astimezone(zone)
            sums = folded[key(local)]
            for n, count in enumerate(counts):
                sums[n] += count
    return {k: (v[0], v[1], v[2]) for k, v in folded.items()}


def _hours_of(
    scope: Scope, first: int, last: int, also: tuple[str, list[Any]] | None
) -> dict[Any, Counts]:
    kinds = [k.value for k in KINDS]
    where = f"f.kind IN ({_marks(kinds)}) AND f.hour >= %s AND f.hour < %s"
    params: list[Any] = [*kinds, first, last]
    if scope.site is not None:
        where = f"f.site_id = %s AND {where}"
        params.insert(0, scope.site.id)
    if also is not None:
        where += f" AND {also[0]}"
        params += also[1]
    found = rows.table(
        "SELECT f.hour, f.kind, COUNT(*) FROM reports_circulationfact f "  # noqa: S608
        f"WHERE {where} GROUP BY 1, 2",
        params,
    )
    sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for hour, kind, count in found:
        sums[hour][_KIND_AT[kind]] += int(count)
    return {h: (c[0], c[1], c[2]) for h, c in sums.items()}


def by_day(scope: Scope) -> Table:
    folded = _by_time(scope, lambda local: local.date())
    return _table([_row(day, folded[day]) for day in sorted(folded)])  # type: ignore[type-var]


def by_hour(scope: Scope) -> Table:
    folded = _by_time(scope, lambda local: local.hour)
    return _table([_row(f"{h:02d}:00", folded[h]) for h in sorted(folded)])  # type: ignore[type-var]


def by_site(scope: Scope) -> Table:
    found = _counted(scope, "f.site_id", list(scope.sites))
    ordered = sorted(found, key=lambda site_id: scope.site_code(site_id))
    return _table([_row(scope.site_label(site_id), found[site_id]) for site_id in ordered])


def _named(found: dict[Any, Counts], names: dict[int, tuple[str, str]], none: str) -> Table:
    ordered = sorted(found, key=lambda pk: (pk == NOT_RECORDED, names.get(pk, ("", ""))[0]))
    return _table([_row(names[pk][1] if pk in names else none, found[pk]) for pk in ordered])


def by_patron_type(scope: Scope) -> Table:
    names = {t.id: (t.code, t.name) for t in PatronType.objects.all()}
    found = _counted(scope, "f.patron_type_id", [*names, NOT_RECORDED])
    return _named(found, names, str(_("Not recorded")))


def by_grade(scope: Scope) -> Table:
    # Grades are PK, TK, K, 1-12 or blank (octavo.patrons.rules.normalize_grade).
    found = _counted(scope, "f.grade", [*GRADES, ""])
    return _table([_row(grade_label(g), found[g]) for g in sorted(found, key=grade_key)])


def by_material_type(scope: Scope) -> Table:
    names = {t.id: (t.code, t.name) for t in MaterialType.objects.all()}
    found = _counted(scope, "f.material_type_id", [*names, NOT_RECORDED])
    return _named(found, names, str(_("Not set")))


def by_dewey(scope: Scope) -> Table:
    found = _counted(scope, "f.dewey_class", list(range(NO_DEWEY_CLASS + 1)))
    return _table(
        [
            _row(str(DEWEY_CLASSES[c]) if c != NO_DEWEY_CLASS else str(NO_DEWEY), found[c])
            for c in sorted(found)
        ]
    )
