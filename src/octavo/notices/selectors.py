"""Reading for notices: which notices are due as of a day, the facts a template needs, the
templates in use, the log and the printable stacks.

Which notices are due is set-based SQL over loans, holds, the fines ledger and patrons, one
statement per kind of object and time zone, each with NOT EXISTS against the log: only the
notices not made yet come back, so a night with 100,000 overdue loans reads them once and
writes only what is new (bench/bench_notices.py). Each threshold is a day's midnight in the
sites' own time zone, computed here from rules.thresholds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import QuerySet

from octavo.accounts.rules import Action, decide, may_ever
from octavo.db import rows
from octavo.district.models import Site
from octavo.notices.models import Notice, NoticeSchedule, NoticeTemplate
from octavo.notices.rendering import Source
from octavo.notices.rules import (
    LANGUAGES,
    About,
    NoticeKind,
    NoticeStatus,
    Schedule,
    thresholds,
)
from octavo.shared.actor import Actor
from octavo.shared.errors import InvalidInput, PermissionDenied

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Due:
    """One notice due: to whom, what kind, about what, on which occasion, whose templates."""

    patron_id: int
    kind: NoticeKind
    about: About
    object_id: int
    occasion: int
    site_id: int


def schedule() -> Schedule:
    """The district's schedule (models.NoticeSchedule), or the defaults."""
    row = NoticeSchedule.objects.filter(pk=1).first()
    if row is None:
        return Schedule()
    return Schedule(
        courtesy_days=row.courtesy_days,
        overdue_days=(row.overdue_first_days, row.overdue_second_days, row.overdue_final_days),
        hold_expiring_days=row.hold_expiring_days,
        card_expiring_days=row.card_expiring_days,
        fines_minimum=Decimal(row.fines_minimum),
    )


# --- vendor SQL: a moment as whole minutes, a date as whole days (the occasion numbers) ----------


def _minutes(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / 60) AS BIGINT)"
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) / 60)"


def _days(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def day_number(day: date) -> int:
    """A date as _days() gives it in SQL (the occasion of a card expiring notice)."""
    return (day - date(1970, 1, 1)).days


_NOT_NOTICED = (
    "NOT EXISTS (SELECT 1 FROM notices_notice n WHERE n.object_id = c.object_id "
    "AND n.object_type = c.about AND n.kind = c.kind AND n.occasion = c.occasion "
    "AND n.patron_id = c.patron_id)"
)


def _midnight(day: date, zone: str) -> Any:
    return rows.moment(datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)))


def _zones() -> dict[str, list[int]]:
    zones: dict[str, list[int]] = defaultdict(list)
    for site_id, zone in Site.objects.values_list("id", "time_zone"):
        zones[zone].append(site_id)
    return zones


def _loan_sql() -> str:
    return (
        "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
        "SELECT l.patron_id, 'loan' AS about, l.id AS object_id, l.site_id, "
        f"{_minutes('l.due_at')} AS occasion, "
        "CASE WHEN l.due_at < %s THEN 'overdue_final' WHEN l.due_at < %s THEN 'overdue_2' "
        "WHEN l.due_at < %s THEN 'overdue_1' ELSE 'courtesy' END AS kind "
        "FROM circulation_loan l JOIN district_site s ON s.id = l.site_id "
        "WHERE l.status = 'open' AND l.patron_id IS NOT NULL AND s.time_zone = %s "
        "AND (l.due_at < %s OR (l.due_at >= %s AND l.due_at < %s AND l.checked_out_at < %s))"
        f") c WHERE {_NOT_NOTICED}"
    )


def _hold_sql() -> str:
    return (
        "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
        "SELECT h.patron_id, 'hold_ready' AS kind, 'hold' AS about, h.id AS object_id, "
        f"{_minutes('h.ready_at')} AS occasion, h.pickup_site_id AS site_id "
        "FROM holds_hold h JOIN district_site s ON s.id = h.pickup_site_id "
        "WHERE h.status = 'ready' AND h.patron_id IS NOT NULL AND s.time_zone = %s "
        "AND h.ready_at <= %s "
        "UNION ALL "
        "SELECT h.patron_id, 'hold_expiring', 'hold', h.id, "
        f"{_minutes('h.expires_at')}, h.pickup_site_id "
        "FROM holds_hold h JOIN district_site s ON s.id = h.pickup_site_id "
        "WHERE h.status = 'ready' AND h.patron_id IS NOT NULL AND s.time_zone = %s "
        "AND h.expires_at >= %s AND h.expires_at < %s AND h.ready_at < %s"
        f") c WHERE {_NOT_NOTICED}"
    )


_BILLED = (
    "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
    "SELECT e.patron_id, 'billed' AS kind, 'charge' AS about, e.id AS object_id, "
    "0 AS occasion, e.site_id FROM fines_ledgerentry e "
    "WHERE e.kind = 'charge' AND e.charge_type = 'lost' AND e.at >= %s AND e.at <= %s"
    f") c WHERE {_NOT_NOTICED}"
)

# The newest charge, at least fines_after_days old and at most fines_window_days, and the
# balance in whole cents (as fines.selectors.balance sums it).
_FINES = (
    "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
    "SELECT e.patron_id, 'fines' AS kind, 'patron' AS about, e.patron_id AS object_id, "
    "MAX(CASE WHEN e.kind = 'charge' THEN e.id END) AS occasion, p.home_site_id AS site_id "
    "FROM fines_ledgerentry e JOIN patrons_patron p ON p.id = e.patron_id "
    "WHERE e.patron_id IN (SELECT x.patron_id FROM fines_ledgerentry x "
    "WHERE x.kind = 'charge' AND x.at >= %s AND x.at <= %s) "
    "GROUP BY e.patron_id, p.home_site_id "
    "HAVING SUM(CASE WHEN e.kind IN ('charge', 'refund') THEN 1 ELSE -1 END "
    "* CAST(ROUND(e.amount * 100) AS BIGINT)) >= %s "
    "AND MAX(CASE WHEN e.kind = 'charge' THEN e.at END) <= %s"
    f") c WHERE {_NOT_NOTICED}"
)


def _card_sql() -> str:
    return (
        "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
        "SELECT p.id AS patron_id, 'card_expiring' AS kind, 'patron' AS about, "
        f"p.id AS object_id, {_days('p.card_expires')} AS occasion, p.home_site_id AS site_id "
        "FROM patrons_patron p WHERE p.status = 'active' "
        "AND p.card_expires >= %s AND p.card_expires <= %s"
        f") c WHERE {_NOT_NOTICED}"
    )


def _read(sql: str, params: Sequence[Any]) -> Iterator[Due]:
    for patron_id, kind, about, object_id, occasion, site_id in rows.table(sql, params):
        yield Due(
            int(patron_id), NoticeKind(kind), About(about), int(object_id), int(occasion), site_id
        )


def holds_ready_due(*, at: datetime) -> list[Due]:
    """The "ready for pickup" notices of holds put on the hold shelf by `at` that the log
    does not have yet: what the frequent `hold-notices` job sends the same day, rather than
    after the night. Each is the notice the nightly run would queue (same occasion), so
    neither queues it twice."""
    sql = (
        "SELECT c.patron_id, c.kind, c.about, c.object_id, c.occasion, c.site_id FROM ("  # noqa: S608
        "SELECT h.patron_id, 'hold_ready' AS kind, 'hold' AS about, h.id AS object_id, "
        f"{_minutes('h.ready_at')} AS occasion, h.pickup_site_id AS site_id "
        "FROM holds_hold h WHERE h.status = 'ready' AND h.patron_id IS NOT NULL "
        f"AND h.ready_at <= %s) c WHERE {_NOT_NOTICED}"
    )
    return list(_read(sql, [rows.moment(at)]))


def due_notices(*, day: date, at: datetime, schedule: Schedule) -> list[Due]:
    """Every notice due as of `day` (the run's moment `at`) that the log does not have yet."""
    limits = thresholds(day, schedule)
    found: list[Due] = []
    for zone in _zones():
        first, second, final = (_midnight(d, zone) for d in limits.overdue)
        today = _midnight(day, zone)
        courtesy_until = _midnight(limits.courtesy_until, zone)
        found += _read(
            _loan_sql(), [final, second, first, zone, first, today, courtesy_until, today]
        )
        found += _read(
            _hold_sql(),
            [
                zone,
                rows.moment(at),
                zone,
                today,
                _midnight(limits.expiring_until, zone),
                _midnight(day - timedelta(days=1), zone),
            ],
        )
    found += _read(
        _BILLED, [rows.moment(at - timedelta(days=schedule.billed_window_days)), rows.moment(at)]
    )
    found += _read(
        _FINES,
        [
            rows.moment(at - timedelta(days=schedule.fines_window_days)),
            rows.moment(at - timedelta(days=schedule.fines_after_days)),
            int(schedule.fines_minimum * 100),
            rows.moment(at - timedelta(days=schedule.fines_after_days)),
        ],
    )
    found += _read(_card_sql(), [day, limits.card_until])
    return found


# --- templates --------------------------------------------------------------------------------


def _parse_default(text: str) -> Source:
    parts: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines(keepends=True):
        marker = line.strip()
        if marker.startswith("=== ") and marker.endswith(" ==="):
            current = marker[4:-4]
            parts[current] = []
        elif current is not None:
            parts[current].append(line)
    return Source(
        subject="".join(parts.get("subject", [])).strip(),
        text="".join(parts.get("text", [])),
        html="".join(parts.get("html", [])),
    )


@cache
def default_source(kind: NoticeKind, language: str) -> Source:
    """The template shipped with Octavo (octavo/notices/defaults/LANGUAGE/KIND.txt)."""
    lang = language if language in LANGUAGES else "en"
    return _parse_default((DEFAULTS_DIR / lang / f"{kind.value}.txt").read_text(encoding="utf-8"))


def current_template_ids() -> dict[tuple[int, str, str], int]:
    """(site id, kind, language) -> the id of the site's latest saved version."""
    latest: dict[tuple[int, str, str], int] = {}
    for pk, site_id, kind, language in NoticeTemplate.objects.order_by("version").values_list(
        "id", "site_id", "kind", "language"
    ):
        latest[(site_id, kind, language)] = pk
    return latest


def template_sources(ids: Iterable[int]) -> dict[int, Source]:
    wanted = set(ids)
    return {
        t.pk: Source(t.subject, t.text, t.html)
        for t in NoticeTemplate.objects.filter(pk__in=wanted)
    }


@dataclass(frozen=True, slots=True)
class TemplateState:
    kind: NoticeKind
    language: str
    version: int | None  # None: the shipped default is in use
    saved_at: datetime | None
    saved_by: str


def require_template_site(actor: Actor, site: Site) -> None:
    """A site's templates are edited by who sets its policies (accounts.rules POLICY_EDIT)."""
    decision = decide(actor, Action.POLICY_EDIT, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def template_states(*, actor: Actor, site: Site) -> list[TemplateState]:
    require_template_site(actor, site)
    latest: dict[tuple[str, str], NoticeTemplate] = {}
    for saved in NoticeTemplate.objects.filter(site=site).order_by("version"):
        latest[(saved.kind, saved.language)] = saved
    states = []
    for kind in NoticeKind:
        for language in LANGUAGES:
            t = latest.get((kind.value, language))
            states.append(
                TemplateState(
                    kind,
                    language,
                    t.version if t else None,
                    t.created_at if t else None,
                    t.created_by if t else "",
                )
            )
    return states


def template_for_editing(
    *, actor: Actor, site: Site, kind: NoticeKind, language: str
) -> tuple[Source, int | None]:
    """The source in use (the site's latest version, else the default) and its version."""
    require_template_site(actor, site)
    t = (
        NoticeTemplate.objects.filter(site=site, kind=kind.value, language=language)
        .order_by("-version")
        .first()
    )
    if t is None:
        return default_source(kind, language), None
    return Source(t.subject, t.text, t.html), t.version


# --- the log ----------------------------------------------------------------------------------


def may_read_log(actor: Actor) -> bool:
    """Who may change patrons (PATRON_EDIT) may read what was sent to them: the log holds
    addresses, which a student helper does not see (MISSION.md)."""
    return may_ever(actor, Action.PATRON_EDIT)


def notice_log(
    *,
    actor: Actor,
    kind: str = "",
    status: str = "",
    site_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Notice]:
    """The notices sent (or not) to patrons of the actor's sites, newest first."""
    if not may_read_log(actor):
        raise PermissionDenied(f"role {actor.role.value} may not read the notice log")
    if since and until and since > until:
        raise InvalidInput(
            f"the first day ({since.isoformat()}) is after the last ({until.isoformat()})",
            field="since",
        )
    qs = Notice.objects.select_related("patron", "site")
    if not actor.is_district_admin:
        qs = qs.filter(patron__home_site_id__in=actor.site_ids)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if site_id is not None:
        qs = qs.filter(patron__home_site_id=site_id)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "-id")


def what_about(notices: Sequence[Notice]) -> dict[int, str]:
    """Notice id -> the title it is about (loans, holds, lost charges), for the log."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for n in notices:
        by_type[n.object_type].append(n.object_id)
    titles: dict[tuple[str, int], str] = {}
    queries = {
        About.LOAN.value: "SELECT l.id, r.title FROM circulation_loan l JOIN holdings_item i "
        "ON i.id = l.item_id JOIN catalog_record r ON r.id = i.record_id WHERE l.id IN ",
        About.HOLD.value: "SELECT h.id, r.title FROM holds_hold h JOIN catalog_record r "
        "ON r.id = h.record_id WHERE h.id IN ",
        About.CHARGE.value: "SELECT e.id, r.title FROM fines_ledgerentry e JOIN holdings_item i "
        "ON i.id = e.item_id JOIN catalog_record r ON r.id = i.record_id WHERE e.id IN ",
    }
    for about, ids in by_type.items():
        sql = queries.get(about)
        if sql is None:
            continue
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            for pk, title in rows.table(f"{sql}({marks})", chunk):
                titles[(about, int(pk))] = title
    return {n.pk: titles.get((n.object_type, n.object_id), "") for n in notices}


def _chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- the printable stacks ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StackLine:
    day: date
    homeroom: str
    notices: int
    printed: int


def require_stack_site(actor: Actor, site: Site) -> None:
    """Whoever works a site's desk prints its stacks (CIRCULATE at the site)."""
    decision = decide(actor, Action.CIRCULATE, site_id=site.id)
    if not decision:
        raise PermissionDenied(decision.reason, field="site")


def stack_notices(site_id: int, day: date) -> QuerySet[Notice]:
    """A site's stack for a day: the printed-channel notices of its patrons, and the e-mails
    that failed that day (a failed e-mail is printed rather than lost)."""
    return Notice.objects.filter(
        patron__home_site_id=site_id, day=day, channel="print"
    ) | Notice.objects.filter(
        patron__home_site_id=site_id, day=day, status=NoticeStatus.FAILED.value
    )


def stacks(*, actor: Actor, site: Site, limit_days: int = 30) -> list[StackLine]:
    """The site's stacks of the last days with any, by homeroom: how many notices, how many
    already printed."""
    require_stack_site(actor, site)
    days = list(
        Notice.objects.filter(patron__home_site_id=site.id)
        .filter(channel="print")
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")[:limit_days]
    ) + list(
        Notice.objects.filter(patron__home_site_id=site.id, status=NoticeStatus.FAILED.value)
        .values_list("day", flat=True)
        .distinct()
        .order_by("-day")[:limit_days]
    )
    lines = []
    for day in sorted(set(days), reverse=True)[:limit_days]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for homeroom, printed_at in stack_notices(site.id, day).values_list(
            "patron__homeroom", "printed_at"
        ):
            counts[homeroom][0] += 1
            counts[homeroom][1] += printed_at is not None
        for homeroom in sorted(counts, key=lambda h: (h == "", h.lower())):
            total, printed = counts[homeroom]
            lines.append(StackLine(day, homeroom, total, printed))
    return lines
