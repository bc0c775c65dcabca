"""Circulation at scale (issue #4, "Figures"): the check-out, check-in and renewal services on
the embedded default, the check-out API under four desks at once, and desks racing for one item.

1. In-process. A fresh SQLite file, opened as Octavo opens it (WAL, IMMEDIATE transactions),
   holding BENCH_CHECKOUT_ITEMS items (default 1,000,000) and BENCH_CHECKOUT_PATRONS patrons
   (default 200,000) at three sites. octavo.circulation.services.check_out, check_in and renew
   are called directly, each call its own transaction, by a technician of the desk's site (an
   account made with accounts.services.create_user), in a seeded random mix (MIX): check-outs of
   items on the shelf to patrons of that school, check-ins of items out (one in ten at another
   site, so it goes into transit; an item whose title has a waiting hold is trapped for it),
   renewals. Refusals (an expired card, fines over the limit, no renewals left...) are answers
   too and are timed with the rest; their share is in the figure's detail. p50/p95/p99 per
   service over CALLS calls after WARMUP_CALLS untimed ones.
2. Over HTTP. `octavo serve` (gunicorn sync workers, the default count) on that same database;
   DESKS client threads, each a desk with its own technician's token (`octavo token create`),
   POST /api/v1/circulation/checkout, one item after another, for HTTP_DURATION_S after
   HTTP_WARMUP_S; then each desk checks its items in again (POST /checkin), as the afternoon
   returns come in. Each desk has items and patrons of its own, chosen so nothing is refused.
   p50/p95/p99 of the check-out requests, check-outs per second, and the check-ins' p99.
3. The race. RACERS threads check one item out to RACERS different patrons at the same moment,
   TRIALS times, on SQLite files and on throw-away PostgreSQL servers (scripts/pg-throwaway),
   shared out among lanes (RACE_LANES), each a child process with a database of its own
   (`python -m bench.bench_checkout race LANE LANES`: Django in-process, one connection per
   thread, closed when the thread ends). Every racer's card has expired and
   the desk overrides that, so each check-out that succeeds writes an audit entry; the item is
   an hour loan checked in two hours later, so each check-in writes an overdue charge to the
   fines ledger. Each trial has a time of its own, so the rows are counted per trial at the
   end: exactly one loan, one audit entry, one check-out event and one ledger entry each, and
   every racer but the winner refused as `item_checked_out`, or the benchmark fails. The races
   run while the big database is being built (they measure correctness, not time) and end
   before anything is timed.

How the data is made. `octavo migrate`, then sites, technicians and racers through the
services; the district's circulation policy (POLICY) through the ORM, as there is no policy
service yet. The rest is written straight into the tables with sqlite3, in transactions of
BATCH rows: the columns the models define, with the values the services would write. Records
carry a MARC_BYTES placeholder in `marc`, not a MARC record, and have no search index entry or
match keys (circulation reads none of them). Around the items: open loans for a third of the
patrons (1-4 each, checked out over the last three weeks, some overdue), half a loan per item
of history (ended, the patron link cleared unless the patron keeps a reading history) with
its circulation events, fines for some patrons (paid in part; a few owe more than the limit),
waiting holds on some titles that are out, and an audit log. No ANALYZE is run, as Octavo
runs none.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from array import array
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as daytime
from functools import partial
from itertools import cycle
from pathlib import Path
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from bench.bench_api_overhead import _octavo, _start_server, _stop, _wait_until_serving
from bench.common import Figure, free_port, load_average, percentile
from octavo.shared.barcodes import check_digit  # pure: no Django settings needed

ROOT = Path(__file__).resolve().parent.parent
# bench/run.py's limit for this module. A run takes 13-14 minutes on the 2-core machine with
# other work on it, most of it the 1,000-trial races beside the build of the big database.
TIMEOUT_S = 1500
ITEMS = int(os.environ.get("BENCH_CHECKOUT_ITEMS", "1000000"))
PATRONS = int(os.environ.get("BENCH_CHECKOUT_PATRONS", "200000"))
# Timed calls after WARMUP_CALLS untimed ones: 1,000 or more of each service (renewals are the
# fewest), so each p99 is the 10th slowest or beyond, not a single outlier. QUERY_CALLS more
# are made with the queries counted (untimed).
CALLS = int(os.environ.get("BENCH_CHECKOUT_CALLS", "5000"))
WARMUP_CALLS = 300
QUERY_CALLS = 300
MIX = {"check_out": 45, "check_in": 35, "renew": 20}
DESKS = 4
HTTP_WARMUP_S = 2.0
HTTP_DURATION_S = float(os.environ.get("BENCH_CHECKOUT_HTTP_S", "10"))
# A desk client sends an Idempotency-Key with every POST, so that a retry after a lost answer
# cannot check out twice (interfaces/api/idempotency.py); the server stores each key.
IDEMPOTENCY_KEYS = True
TRIALS = int(os.environ.get("BENCH_CHECKOUT_TRIALS", "1000"))
RACERS = 50
SEED = 2026
BATCH = 5_000  # rows per transaction while building
MARC_BYTES = 100
ZONE = ZoneInfo("America/Los_Angeles")
# (code, name, share of items and patrons)
SITES = (
    ("NOR", "North Elementary", 35),
    ("MID", "Lincoln Middle", 30),
    ("HIG", "Central High", 35),
)
GRADES = {
    "NOR": ["K", "1", "2", "3", "4", "5"],
    "MID": ["6", "7", "8"],
    "HIG": ["9", "10", "11", "12"],
}
OPENS, CLOSES = daytime(7, 30), daytime(16, 0)  # Monday to Friday
# The district's rules: the default row (made by the policy migration) gets fines; teachers,
# audio-visual and textbooks get rows of their own, so the resolver has a choice to make.
POLICY: list[tuple[str | None, str | None, dict[str, object]]] = [
    (None, None, {"loan_days": 14, "max_items": 5, "renewals": 2, "fine_per_day": "0.10",
                  "fine_cap": "5.00"}),
    ("teacher", None, {"loan_days": 28, "max_items": 25, "renewals": 5}),
    (None, "av", {"loan_days": 7, "max_items": 2, "renewals": 1, "fine_per_day": "0.25",
                  "fine_cap": "5.00"}),
    (None, "textbook", {"loan_days": 180, "max_items": 10, "renewals": 0}),
]  # fmt: skip
PATRON_TYPES = {"student": 92, "teacher": 5, "staff": 2, "community": 1}
MATERIALS = {"book": 85, "textbook": 5, "av": 4, "periodical": 3, "reference": 3}
COPIES = {1: 50, 2: 25, 3: 12, 4: 8, 5: 5}  # items per record
NOT_ON_SHELF = {"missing": 1.0, "lost": 0.5, "in_repair": 0.5}  # % of items, besides loans
LOAN_SHARE = 0.35  # patrons with items out now
LOANS_EACH = {1: 50, 2: 25, 3: 15, 4: 10}
PAST_LOANS_PER_ITEM = 0.5
HISTORY_SHARE = 0.05  # patrons who keep a reading history
FINED_SHARE = 0.08  # patrons with overdue charges; some paid
LOST_SHARE = 0.015  # patrons billed for a lost item: over the limit of 10.00
HOLD_TITLE_SHARE = 0.005
AUDIT_PER_ITEM = 0.1
FIRST_NAMES = ["Alex", "Maria", "Sam", "Jordan", "Lee", "Ana", "Chris", "Kim", "Pat", "Robin"]
LAST_NAMES = ["Garcia", "Smith", "Nguyen", "Johnson", "Lopez", "Brown", "Kim", "Patel", "Lee"]
RACE_PREFIX = "RACE-RESULT "
LOADED = (
    "catalog_record",
    "patrons_patron",
    "holdings_item",
    "circulation_loan",
    "circulation_circulationevent",
    "fines_ledgerentry",
    "holds_hold",
    "audit_auditentry",
)


def _say(text: str) -> None:
    print(f"checkout: {text}", file=sys.stderr, flush=True)


def _weighted(table: dict[Any, float]) -> tuple[list[Any], list[float]]:
    return list(table), list(table.values())


def _stamp(moment: datetime) -> str:
    """A datetime as Django writes it to SQLite: UTC, no offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _barcode(kind: str, number: int) -> str:
    """A 14-digit library Codabar barcode with its check digit: kind 3 items, 2 patrons."""
    body = f"{kind}1234{number:08d}"
    return body + str(check_digit(body))


# --- the database ----------------------------------------------------------------------------


class _Writer:
    """Rows for several tables, written together in transactions of about BATCH rows."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.sql: dict[str, str] = {}
        self.rows: dict[str, list[tuple[object, ...]]] = {}
        self.pending = 0
        self.counts: Counter[str] = Counter()

    def table(self, name: str, columns: str) -> None:
        names = [c.strip() for c in columns.split(",")]
        marks = ", ".join("?" * len(names))
        # Table and column names are this module's constants, never input.
        self.sql[name] = f"INSERT INTO {name} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
        self.rows[name] = []

    def add(self, name: str, row: tuple[object, ...]) -> None:
        self.rows[name].append(row)
        self.counts[name] += 1
        self.pending += 1
        if self.pending >= BATCH:
            self.flush()

    def flush(self) -> None:
        self.db.execute("BEGIN")
        for name, rows in self.rows.items():
            if rows:
                self.db.executemany(self.sql[name], rows)
                rows.clear()
        self.db.execute("COMMIT")
        self.pending = 0


@dataclass
class Built:
    seconds: float = 0.0
    megabytes: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    records: int = 0
    open_loans: int = 0
    overdue: int = 0  # open loans past due at t0
    owing: int = 0  # patrons with a balance
    over_limit: int = 0  # patrons owing more than the default row's limit


def _setup(t0: datetime) -> tuple[dict[str, Any], Callable[[int, int, int], int]]:
    """Sites, policy and one technician per site, through the services (the policy through the
    ORM). Returns the technicians' actors by site code, and the loan days for a (site, patron
    type, material type), as the resolver answers."""
    from octavo.accounts.services import create_user
    from octavo.district.rules import Period
    from octavo.district.services import create_site
    from octavo.holdings.models import MaterialType
    from octavo.patrons.models import PatronType
    from octavo.policy.models import PolicyRule
    from octavo.policy.selectors import rules_for
    from octavo.shared.actor import Actor, Role

    admin = Actor.command_line("bench")
    hours = [Period(weekday=day, opens=OPENS, closes=CLOSES) for day in range(5)]
    sites = {
        code: create_site(actor=admin, code=code, name=name, at=t0, hours=hours)
        for code, name, _ in SITES
    }
    types = {t.code: t.id for t in PatronType.objects.all()}
    materials = {m.code: m.id for m in MaterialType.objects.all()}
    for patron_type, material, values in POLICY:
        rule, _ = PolicyRule.objects.get_or_create(
            site=None,
            patron_type_id=types[patron_type] if patron_type else None,
            material_type_id=materials[material] if material else None,
        )
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save()
    desks = {
        code: create_user(
            actor=admin, username=f"tech-{code.lower()}", role=Role.TECHNICIAN,
            site_codes=[code], at=t0,
        ).actor()
        for code in sites
    }  # fmt: skip
    days = {
        (site.id, type_id, material_id): rules_for(
            site_id=site.id, patron_type_id=type_id, material_type_id=material_id
        ).rules.loan_days
        for site in sites.values()
        for type_id in types.values()
        for material_id in materials.values()
    }
    return desks, lambda site_id, type_id, material_id: days[(site_id, type_id, material_id)]


def _school_time(rng: random.Random, t0: datetime, days_ago: float) -> datetime:
    """A moment in school hours on the school day about `days_ago` before t0."""
    day = (t0.astimezone(ZONE) - timedelta(days=days_ago)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    minutes = rng.randint(8 * 60, 15 * 60 + 30)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=ZONE)


def _build(path: Path, t0: datetime, loan_days: Callable[[int, int, int], int]) -> Built:
    """Write the collection, the patrons and their history into the migrated database."""
    from octavo.shared.calendar import Calendar, due_at

    started = time.perf_counter()
    rng = random.Random(SEED)
    db = sqlite3.connect(path, isolation_level=None)
    # Nothing here needs to survive a crash; a cache that holds the indexes being filled (the
    # loans' and events' are in random order) makes the build several times faster.
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    # Indexes are built once the rows are in, as bench_search_pg does: faster than keeping
    # each up to date row by row. (The automatic ones of UNIQUE columns cannot be dropped.)
    indexes = [
        (name, sql)
        for name, table, sql in db.execute("SELECT name, tbl_name, sql FROM sqlite_master")
        if sql and sql.startswith("CREATE") and " INDEX " in sql and table in LOADED
    ]
    for name, _ in indexes:
        db.execute(f'DROP INDEX "{name}"')
    site_of = dict(db.execute("SELECT code, id FROM district_site"))
    site_ids = [site_of[code] for code, _, _ in SITES]
    site_weights = [share for _, _, share in SITES]
    type_of = dict(db.execute("SELECT code, id FROM patrons_patrontype"))
    material_of = dict(db.execute("SELECT code, id FROM holdings_materialtype"))
    lending = {
        row[0] for row in db.execute("SELECT id FROM holdings_materialtype WHERE circulates")
    }
    calendar = Calendar.build(zone=ZONE.key, periods=[(d, OPENS, CLOSES) for d in range(5)])
    stamp = _stamp(t0 - timedelta(days=400))
    built = Built()
    out = _Writer(db)
    out.table(
        "catalog_record",
        "id, control_number, control_number_source, title, title_sort, responsibility, authors, "
        "edition, publisher, year, format, language, isbns, invalid_isbns, issns, subjects, "
        "series, summary, reading_level, call_number, marc, marc_original, created_at, updated_at",
    )
    out.table(
        "patrons_patron",
        "id, barcode, first_name, last_name, status, card_expires, student_id, grade, homeroom, "
        "roster_id, email, phone, language, keeps_reading_history, pin_hash, notes, created_at, "
        "updated_at, home_site_id, patron_type_id, block_note, first_key, last_key",
    )
    out.table(
        "holdings_item",
        "id, barcode, call_prefix, call_class, call_cutter, call_volume, copy_number, price, "
        "acquired_on, condition, status, public_note, staff_note, created_at, updated_at, "
        "location_id, record_id, site_id, material_type_id, properties",
    )
    out.table(
        "circulation_loan",
        "item_id, patron_id, patron_type_id, grade, site_id, status, checked_out_at, due_at, "
        "renewals, ended_at, returned_site_id",
    )
    out.table("circulation_circulationevent", "kind, at, grade, item_id, patron_type_id, site_id")
    out.table(
        "fines_ledgerentry",
        "id, kind, charge_type, amount, method, reference, note, at, by, charge_id, item_id, "
        "patron_id, site_id",
    )
    out.table(
        "holds_hold",
        "copy_level, status, placed_at, suspended_until, trapped_at, ready_at, expires_at, "
        "ended_at, item_id, patron_id, pickup_site_id, record_id",
    )
    out.table(
        "audit_auditentry",
        "at, actor_username, actor_role, source, address, action, object_type, object_id, "
        "object_repr, site_id, changes",
    )

    # Records, and what their items will be (written once the loans are decided).
    item_site, item_record, item_material = array("q"), array("q"), array("q")
    copies, copy_weights = _weighted(COPIES)
    materials, material_weights = _weighted(MATERIALS)
    marc = b"\x1e" * MARC_BYTES
    record_id = 0
    while len(item_site) < ITEMS:
        record_id += 1
        title = f"Title {record_id}"
        material = rng.choices(materials, material_weights)[0]
        out.add(
            "catalog_record",
            (record_id, f"bench{record_id:08d}", "OCTAVO-BENCH", title, title.lower(), "",
             "[]", "", "Invented Press", 2000 + record_id % 26, "book", "eng", "[]", "[]", "[]",
             "[]", "[]", "", "", "", marc, None, stamp, stamp),
        )  # fmt: skip
        count = min(rng.choices(copies, copy_weights)[0], ITEMS - len(item_site))
        for site_id in rng.choices(site_ids, site_weights, k=count):
            item_site.append(site_id)
            item_record.append(record_id)
            item_material.append(material_of[material])
    built.records = record_id

    # Patrons.
    patron_site, patron_type = array("q"), array("q")
    patron_grade: list[str] = []
    keeps = bytearray()
    types, type_weights = _weighted(PATRON_TYPES)
    site_code = {site_id: code for code, site_id in site_of.items()}
    today = t0.astimezone(ZONE).date()
    renewal = date(today.year + (today.month > 6), 6, 30)
    for number in range(1, PATRONS + 1):
        kind = rng.choices(types, type_weights)[0]
        site_id = rng.choices(site_ids, site_weights)[0]
        grade = rng.choice(GRADES[site_code[site_id]]) if kind == "student" else ""
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        expired = rng.random() < 0.03
        expires = today - timedelta(days=rng.randint(1, 200)) if expired else renewal
        blocked = rng.random() < 0.005
        history = rng.random() < HISTORY_SHARE
        patron_site.append(site_id)
        patron_type.append(type_of[kind])
        patron_grade.append(grade)
        keeps.append(history)
        out.add(
            "patrons_patron",
            (number, _barcode("2", number), first, last, "blocked" if blocked else "active",
             expires.isoformat(), f"S{number:07d}" if kind == "student" else "", grade,
             f"Room {rng.randint(1, 40)}" if grade else "", "", "", "", "en", history, "", "",
             stamp, stamp, site_id, type_of[kind], "lost card" if blocked else "", first.lower(),
             last.lower()),
        )  # fmt: skip

    # Which items are out now, and to whom: patrons of the school, mostly its own items.
    status = ["available"] * ITEMS
    kinds, kind_weights = _weighted(NOT_ON_SHELF)
    off_shelf = sum(kind_weights)
    shelf: dict[int, list[int]] = {site_id: [] for site_id in site_ids}
    for index in range(ITEMS):
        if rng.random() * 100 < off_shelf:
            status[index] = rng.choices(kinds, kind_weights)[0]
        elif item_material[index] in lending:
            shelf[item_site[index]].append(index)
    for pool in shelf.values():
        rng.shuffle(pool)
    loans_each, loans_weights = _weighted(LOANS_EACH)
    open_loans = []
    for patron in range(PATRONS):
        if rng.random() >= LOAN_SHARE:
            continue
        for _ in range(rng.choices(loans_each, loans_weights)[0]):
            home = patron_site[patron]
            site_id = home if rng.random() < 0.9 else rng.choice(site_ids)
            if not shelf[site_id]:
                continue
            index = shelf[site_id].pop()
            status[index] = "checked_out"
            out_at = _school_time(rng, t0, rng.uniform(0.5, 18))
            days = loan_days(site_id, patron_type[patron], item_material[index])
            due = due_at(start=out_at, days=days, hours=0, calendar=calendar)
            built.open_loans += 1
            built.overdue += due < t0
            open_loans.append((index, patron, site_id, out_at, due))

    for index in range(ITEMS):
        out.add(
            "holdings_item",
            (index + 1, _barcode("3", index + 1), "", f"{rng.randint(0, 999):03d}", "ABC", "", "",
             "12.95", None, "", status[index], "", "", stamp, stamp, None, item_record[index],
             item_site[index], item_material[index], ""),
        )  # fmt: skip
    for index, patron, site_id, out_at, due in open_loans:
        out.add(
            "circulation_loan",
            (index + 1, patron + 1, patron_type[patron], patron_grade[patron], site_id, "open",
             _stamp(out_at), _stamp(due), int(rng.random() < 0.1), None, None),
        )  # fmt: skip
        out.add(
            "circulation_circulationevent",
            ("check_out", _stamp(out_at), patron_grade[patron], index + 1, patron_type[patron],
             site_id),
        )  # fmt: skip

    # A school year of loans that ended, with their events.
    for _ in range(int(ITEMS * PAST_LOANS_PER_ITEM)):
        index = rng.randrange(ITEMS)
        patron = rng.randrange(PATRONS)
        site_id = item_site[index]
        out_at = _school_time(rng, t0, rng.uniform(20, 280))
        days = loan_days(site_id, patron_type[patron], item_material[index])
        due = due_at(start=out_at, days=days, hours=0, calendar=calendar)
        back = out_at + timedelta(days=rng.uniform(1, days + 5))
        grade, type_id = patron_grade[patron], patron_type[patron]
        out.add(
            "circulation_loan",
            (index + 1, patron + 1 if keeps[patron] else None, type_id, grade, site_id,
             "returned", _stamp(out_at), _stamp(due), 0, _stamp(back), site_id),
        )  # fmt: skip
        for kind, at in (("check_out", out_at), ("check_in", back)):
            out.add(
                "circulation_circulationevent",
                (kind, _stamp(at), grade, index + 1, type_id, site_id),
            )

    # Fines: overdue charges, some paid; a few lost-item bills, more than the limit.
    entry = 0
    for patron in range(PATRONS):
        owed = 0.0
        site_id = patron_site[patron]
        if rng.random() < FINED_SHARE:
            charges = []
            for _ in range(rng.randint(1, 3)):
                entry += 1
                amount = min(500, 10 * rng.randint(1, 30))  # cents
                at = _stamp(t0 - timedelta(days=rng.uniform(1, 200)))
                item = rng.randrange(ITEMS) + 1 if keeps[patron] else None
                out.add(
                    "fines_ledgerentry",
                    (entry, "charge", "overdue", f"{amount / 100:.2f}", "", "", "returned late",
                     at, f"tech-{site_code[site_id].lower()}", None, item, patron + 1, site_id),
                )  # fmt: skip
                charges.append((entry, amount, at))
                owed += amount
            if rng.random() < 0.4:
                charge, amount, at = charges[0]
                entry += 1
                out.add(
                    "fines_ledgerentry",
                    (entry, "payment", "", f"{amount / 100:.2f}", "cash", "", "", at,
                     f"tech-{site_code[site_id].lower()}", charge, None, patron + 1, site_id),
                )  # fmt: skip
                owed -= amount
        if rng.random() < LOST_SHARE:
            entry += 1
            amount = 100 * rng.randint(12, 30)
            out.add(
                "fines_ledgerentry",
                (entry, "charge", "lost", f"{amount / 100:.2f}", "", "", "billed as lost",
                 _stamp(t0 - timedelta(days=rng.uniform(1, 100))), "system",
                 None, rng.randrange(ITEMS) + 1, patron + 1, site_id),
            )  # fmt: skip
            owed += amount
        built.owing += owed > 0
        built.over_limit += owed > 1000

    # Waiting holds on titles that are out: a check-in of one of their items traps it.
    titles_out = sorted({item_record[index] for index, *_ in open_loans})
    for record in rng.sample(titles_out, int(built.records * HOLD_TITLE_SHARE)):
        for _ in range(rng.randint(1, 3)):
            patron = rng.randrange(PATRONS)
            placed = _stamp(t0 - timedelta(days=rng.uniform(1, 30)))
            out.add(
                "holds_hold",
                (False, "waiting", placed, None, None, None, None, None, None, patron + 1,
                 patron_site[patron], record),
            )  # fmt: skip

    # The staff's earlier changes.
    actions = ["patron.update", "item.update", "loan.override", "ledger.payment", "record.update"]
    for _ in range(int(ITEMS * AUDIT_PER_ITEM)):
        site_id = rng.choice(site_ids)
        action = rng.choice(actions)
        object_id = rng.randrange(PATRONS) + 1
        out.add(
            "audit_auditentry",
            (_stamp(t0 - timedelta(days=rng.uniform(1, 300))), f"tech-{site_code[site_id].lower()}",
             "technician", "staff", "", action, action.split(".")[0], str(object_id),
             f"{action.split('.')[0]} {object_id}", site_id, "{}"),
        )  # fmt: skip
    out.flush()
    for _, sql in indexes:
        db.execute(sql)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    built.counts = out.counts
    built.seconds = time.perf_counter() - started
    built.megabytes = path.stat().st_size / 1024 / 1024
    return built


# --- 1. the services, in-process ----------------------------------------------------------------


@dataclass
class Timed:
    ms: dict[str, list[float]] = field(default_factory=dict)
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)  # this thread's CPU time
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    queries: dict[str, list[int]] = field(default_factory=dict)
    load: str = ""


def _machine_speed() -> str:
    """How fast this machine is just now: on a shared machine the same code takes more CPU time
    when the other core is busy, so the figures say what a fixed loop took."""
    best = min(_cpu_seconds(lambda: sum(range(1_000_000))) for _ in range(5))
    return f"a reference loop (sum of range(10**6)) took {best * 1000:.0f} ms of CPU"


def _cpu_seconds(work: Callable[[], object]) -> float:
    started = time.thread_time()
    work()
    return time.thread_time() - started


def _take(pool: list[Any], rng: random.Random) -> Any:
    """A random element of `pool`, removed from it (in constant time)."""
    index = rng.randrange(len(pool))
    pool[index], pool[-1] = pool[-1], pool[index]
    return pool.pop()


def _time_services(t0: datetime, desks: dict[str, Any]) -> Timed:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from octavo.circulation import services as circulation
    from octavo.circulation.errors import Refused
    from octavo.circulation.models import Loan
    from octavo.holdings.models import Item
    from octavo.patrons.models import Patron

    rng = random.Random(SEED + 1)
    shelf: dict[str, list[str]] = {code: [] for code in desks}
    for barcode, code in Item.objects.filter(
        status="available", material_type__circulates=True
    ).values_list("barcode", "site__code"):
        shelf[code].append(barcode)
    out: list[tuple[str, str]] = list(
        Loan.objects.filter(status="open").values_list("item__barcode", "site__code")
    )
    patrons: dict[str, list[str]] = {code: [] for code in desks}
    for barcode, code in Patron.objects.values_list("barcode", "home_site__code"):
        patrons[code].append(barcode)
    codes = [code for code, _, _ in SITES]
    site_weights = [share for _, _, share in SITES]
    kinds, kind_weights = _weighted(MIX)
    timed = Timed(
        ms={kind: [] for kind in MIX},
        cpu_ms={kind: [] for kind in MIX},
        outcomes={kind: Counter() for kind in MIX},
        queries={kind: [] for kind in MIX},
    )

    for number in range(WARMUP_CALLS + CALLS + QUERY_CALLS):
        kind = rng.choices(kinds, kind_weights)[0]
        at = t0 + timedelta(seconds=number)
        call: Callable[[], Any]
        if kind == "check_out":
            code = rng.choices(codes, site_weights)[0]
            barcode = _take(shelf[code], rng)
            call = partial(
                circulation.check_out,
                actor=desks[code],
                patron_barcode=rng.choice(patrons[code]),
                item_barcode=barcode,
                at=at,
            )
        elif kind == "check_in":
            barcode, code = _take(out, rng)
            if rng.random() < 0.1:  # returned at another school
                code = rng.choice([c for c in codes if c != code])
            call = partial(circulation.check_in, actor=desks[code], item_barcode=barcode, at=at)
        else:
            barcode, code = rng.choice(out)
            call = partial(circulation.renew, actor=desks[code], item_barcode=barcode, at=at)

        counting = number >= WARMUP_CALLS + CALLS
        with CaptureQueriesContext(connection) if counting else nullcontext() as queries:
            cpu_started, started = time.thread_time(), time.perf_counter()
            try:
                result = call()
            except Refused as refused:
                result = refused
            elapsed = time.perf_counter() - started
            cpu = time.thread_time() - cpu_started
        if counting:
            timed.queries[kind].append(len(queries))
        elif number >= WARMUP_CALLS:
            timed.ms[kind].append(elapsed * 1000)
            timed.cpu_ms[kind].append(cpu * 1000)
            timed.outcomes[kind][_outcome(result)] += 1

        if kind == "check_out":
            if isinstance(result, Refused):
                shelf[code].append(barcode)
            else:
                out.append((barcode, code))
        elif kind == "check_in" and result.destination == "shelf":
            shelf[result.item.site.code].append(barcode)
    timed.load = f"{load_average()}; {_machine_speed()}"
    for kind, samples in timed.ms.items():
        cpu, queries = timed.cpu_ms[kind], timed.queries[kind]
        _say(
            f"{kind}: p50 {percentile(samples, 0.5):.1f} ms, p99 {percentile(samples, 0.99):.1f} "
            f"ms; this thread's CPU p50 {percentile(cpu, 0.5):.1f} ms, p99 "
            f"{percentile(cpu, 0.99):.1f} ms; {median(queries):.0f} statements"
        )
    _say(timed.load)
    return timed


def _outcome(result: Any) -> str:
    """What the desk saw: the refusal's reason, where a returned item goes, or `done`."""
    from octavo.circulation.errors import Refused
    from octavo.circulation.services import CheckinResult

    if isinstance(result, Refused):
        return f"refused ({result.reason.value})"
    if isinstance(result, CheckinResult):
        return f"to {result.destination}" if result.was_checked_out else "was not out"
    return "done"


# --- 2. over HTTP ------------------------------------------------------------------------------


@dataclass
class Served:
    workers: int = 0
    checkout_s: list[float] = field(default_factory=list)
    checkin_s: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    load: str = ""


def _desk_accounts(t0: datetime) -> list[tuple[str, str]]:
    """DESKS technicians (site code, username), one site per desk, round the sites."""
    from octavo.accounts.services import create_user
    from octavo.shared.actor import Actor, Role

    admin = Actor.command_line("bench")
    desks = []
    for number in range(DESKS):
        code = SITES[number % len(SITES)][0]
        username = f"desk-{number + 1}"
        create_user(actor=admin, username=username, role=Role.TECHNICIAN, site_codes=[code], at=t0)
        desks.append((code, username))
    return desks


def _desk_work(desks: list[tuple[str, str]], today: date) -> list[tuple[list[str], list[str]]]:
    """For each desk, items on its shelf (of titles nobody waits for) and patrons of its school
    whom nothing blocks (an active card, no fines, nothing out): every request should succeed.
    Desks at the same site share the site's lists out, so no two desks scan the same thing."""
    from octavo.circulation.models import Loan
    from octavo.fines.models import LedgerEntry
    from octavo.holdings.models import Item
    from octavo.holds.models import Hold
    from octavo.patrons.models import Patron

    wanted = 4_000
    work = []
    for number, (code, _) in enumerate(desks):
        sharing = [n for n, (c, _) in enumerate(desks) if c == code]
        share, of = sharing.index(number), len(sharing)
        items = list(
            Item.objects.filter(site__code=code, status="available", material_type__circulates=True)
            .exclude(record_id__in=Hold.objects.filter(status="waiting").values("record_id"))
            .order_by("id")
            .values_list("barcode", flat=True)[: wanted * of]
        )[share::of]
        patrons = list(
            Patron.objects.filter(home_site__code=code, status="active", card_expires__gt=today)
            .exclude(pk__in=LedgerEntry.objects.values("patron_id"))
            .exclude(pk__in=Loan.objects.filter(status="open").values("patron_id"))
            .order_by("id")
            .values_list("barcode", flat=True)[: wanted * of]
        )[share::of]
        work.append((items, patrons))
    return work


def _serve_and_load(root: Path, t0: datetime) -> Served:
    from django.db import connections

    from octavo.interfaces.cli.server import default_workers

    desks = _desk_accounts(t0)
    work = _desk_work(desks, t0.astimezone(ZONE).date())
    connections.close_all()
    tokens = [
        subprocess.run(
            [*_octavo(), "token", "create", username, "--name", "bench"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        for _, username in desks
    ]  # fmt: skip
    served = Served(workers=default_workers())
    port = free_port()
    log = root / "server.log"
    server = _start_server(port, served.workers, log)
    try:
        _wait_until_serving(server, port, tokens[0], log)
        _say(f"{DESKS} desks on 127.0.0.1:{port} for {HTTP_WARMUP_S + HTTP_DURATION_S:g} s")
        _load(port, tokens, work, served)
    finally:
        _stop(server)
    served.load = load_average()
    _say(f"{len(served.checkout_s):,} check-outs, {dict(served.statuses)}; {served.load}")
    bad = {status: n for status, n in served.statuses.items() if status not in ("201", "200")}
    if bad or served.errors > len(served.checkout_s) / 100:
        raise RuntimeError(
            f"desks got {dict(served.statuses)} and {served.errors} connection errors; "
            f"the server's log:\n{log.read_text()[-3000:]}"
        )
    return served


def _load(
    port: int, tokens: list[str], work: list[tuple[list[str], list[str]]], served: Served
) -> None:
    """Each desk checks items out, one after another, until the time is up (only check-outs
    sent after the warm-up are counted), then checks every one of them in again."""
    counted_from = time.perf_counter() + HTTP_WARMUP_S
    until = counted_from + HTTP_DURATION_S
    lock = threading.Lock()

    def desk(token: str, items: list[str], patrons: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = Served()

        def post(path: str, body: dict[str, str]) -> float:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if IDEMPOTENCY_KEYS:
                headers["Idempotency-Key"] = uuid.uuid4().hex
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body=json.dumps(body), headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                mine.errors += 1
                return -1.0
            if sent >= counted_from:
                mine.statuses[str(response.status)] += 1
            return sent

        try:
            lent = []
            for item, patron in zip(items, cycle(patrons), strict=False):
                if time.perf_counter() >= until:
                    break
                sent = post(
                    "/api/v1/circulation/checkout", {"patron_barcode": patron, "item_barcode": item}
                )
                lent.append(item)
                if sent >= counted_from:
                    mine.checkout_s.append(time.perf_counter() - sent)
            # The afternoon: everything lent comes back (timed, every request).
            for item in lent:
                sent = post("/api/v1/circulation/checkin", {"item_barcode": item})
                mine.checkin_s.append(time.perf_counter() - sent)
        finally:
            connection.close()
        with lock:
            served.checkout_s += mine.checkout_s
            served.checkin_s += mine.checkin_s
            served.statuses += mine.statuses
            served.errors += mine.errors

    threads = [
        threading.Thread(target=desk, args=(token, items, patrons))
        for token, (items, patrons) in zip(tokens, work, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- 3. the race -------------------------------------------------------------------------------

# In UTC: Python never finds a time in the hour that repeats when summer time ends (01:00-02:00
# in Los Angeles) equal to the same moment read back from the database in UTC (PEP 495).
RACE_T0 = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
# The racers' cards expired; each desk overrides that, and the fines the winners pile up.
RACE_OVERRIDES = frozenset({"patron_expired", "fines_over_limit"})
# The trials are shared out among lanes, processes racing side by side, each with a database
# of its own (a SQLite file, or a throw-away PostgreSQL server: 51 connections a lane), so that
# every trial still has exactly RACERS threads and nothing else waiting on its locks. A 50-way
# race spends most of its time waiting (on SQLite in the busy handler's sleeps): lanes keep the
# cores busy meanwhile.
RACE_LANES = {"sqlite": 4, "postgresql": 2}


def _merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The lanes' counts, added up."""
    merged: dict[str, Any] = {
        "database": results[0]["database"],
        "lanes": len(results),
        "trial_s": [seconds for result in results for seconds in result["trial_s"]],
    }
    for key in ("trials", "one_winner", "exactly_one_loan", "open_loans_after"):
        merged[key] = sum(result[key] for result in results)
    for key in ("outcomes", "rows", "duplicates", "missing", "stray"):
        total: Counter[str] = Counter()
        for result in results:
            total.update(result[key])
        merged[key] = dict(total)
    return merged


def _race_lane(lane: int, lanes: int) -> None:
    """`python -m bench.bench_checkout race LANE LANES`: migrate OCTAVO_DATABASE_URL, run trials
    LANE, LANE + LANES, ... of TRIALS there, print RACE_PREFIX and the counts as JSON."""
    subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from octavo.accounts.services import create_user
    from octavo.audit.models import AuditEntry
    from octavo.catalog.records import RecordFields
    from octavo.catalog.services import create_record
    from octavo.circulation.errors import Refused
    from octavo.circulation.models import CirculationEvent, Loan
    from octavo.circulation.services import check_in, check_out
    from octavo.district.services import create_site
    from octavo.fines.models import LedgerEntry
    from octavo.holdings.models import MaterialType
    from octavo.holdings.services import ItemFields, add_items
    from octavo.patrons.services import PatronFields, create_patron
    from octavo.policy.models import PolicyRule
    from octavo.shared.actor import Actor, Role

    if connection.vendor == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version} (file, WAL)"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    admin = Actor.command_line("bench")
    code, item = f"RACE{lane}", f"RACE-{lane}"
    # No weekly hours: open every day to midnight, so every hour loan can be late.
    site = create_site(actor=admin, code=code, name=f"Race {lane} Elementary", at=RACE_T0)
    PolicyRule.objects.create(
        site=site,
        material_type=MaterialType.objects.get(code="equipment"),
        loan_days=0,
        loan_hours=1,
        fine_per_day="0.10",
    )
    desk = create_user(
        actor=admin, username=f"race-desk-{lane}", role=Role.TECHNICIAN, site_codes=[code],
        at=RACE_T0,
    ).actor()  # fmt: skip
    record = create_record(
        actor=admin, fields=RecordFields(title="Graphing calculator"), at=RACE_T0
    )
    add_items(
        actor=admin,
        record_id=record.pk,
        barcodes=[item],
        fields=ItemFields(site_code=code, material_type="equipment"),
        at=RACE_T0,
    )
    racers = [f"RACER-{lane}-{number:02d}" for number in range(RACERS)]
    for barcode in racers:
        create_patron(
            actor=admin,
            fields=PatronFields(
                barcode=barcode, first_name="Kid", last_name=barcode, patron_type="student",
                site_code=code, card_expires=date(2026, 6, 30),
            ),
            at=RACE_T0,
        )  # fmt: skip
    connection.close()

    # Each trial has a time of its own (3 hours apart, whichever lane runs it).
    moments = [RACE_T0 + timedelta(hours=3 * trial) for trial in range(lane, TRIALS, lanes)]
    outcomes = [[""] * RACERS for _ in moments]
    start = threading.Barrier(RACERS + 1, timeout=120)
    done = threading.Barrier(RACERS + 1, timeout=120)

    def racer(number: int) -> None:
        try:
            for trial, moment in enumerate(moments):
                start.wait()
                try:
                    check_out(
                        actor=desk,
                        patron_barcode=racers[number],
                        item_barcode=item,
                        at=moment,
                        overrides=RACE_OVERRIDES,
                    )
                    outcome = "loan"
                except Refused as refused:
                    outcome = refused.reason.value
                except Exception as error:  # counted: any error fails the benchmark
                    outcome = f"error: {type(error).__name__}: {error}"
                outcomes[trial][number] = outcome
                done.wait()
        finally:
            connection.close()

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    trial_s = []
    for trial, moment in enumerate(moments):
        began = time.perf_counter()
        start.wait()
        done.wait()
        trial_s.append(time.perf_counter() - began)
        check_in(actor=desk, item_barcode=item, at=moment + timedelta(hours=2))
        if trial % 100 == 99:
            _say(f"race {database.split()[0]} lane {lane}: {trial + 1} of {len(moments)} trials")
    for thread in threads:
        thread.join()

    def per_moment(rows: Any, column: str) -> Counter[datetime]:
        counted = rows.order_by().values(column).annotate(n=Count("id"))
        return Counter({row[column]: row["n"] for row in counted})

    tables = {
        "loans": per_moment(Loan.objects.filter(site=site), "checked_out_at"),
        "check-out events": per_moment(
            CirculationEvent.objects.filter(site=site, kind="check_out"), "at"
        ),
        "audit entries": per_moment(
            AuditEntry.objects.filter(site_id=site.id, action="loan.override"), "at"
        ),
        "ledger entries": per_moment(LedgerEntry.objects.filter(site=site), "at"),
    }
    expected = {name: set(moments) for name in tables}
    expected["ledger entries"] = {moment + timedelta(hours=2) for moment in moments}
    result = {
        "database": database,
        "trials": len(moments),
        "one_winner": sum(
            row.count("loan") == 1 and row.count("item_checked_out") == RACERS - 1
            for row in outcomes
        ),
        "exactly_one_loan": sum(tables["loans"][moment] == 1 for moment in moments),
        "outcomes": dict(Counter(o for row in outcomes for o in row)),
        "rows": {name: sum(counts.values()) for name, counts in tables.items()},
        "duplicates": {
            name: sum(max(0, tables[name][m] - 1) for m in expected[name]) for name in tables
        },
        "missing": {name: sum(tables[name][m] == 0 for m in expected[name]) for name in tables},
        "stray": {
            name: sum(n for m, n in tables[name].items() if m not in expected[name])
            for name in tables
        },
        "open_loans_after": Loan.objects.filter(site=site, status="open").count(),
        "trial_s": trial_s,
    }
    print(RACE_PREFIX + json.dumps(result), flush=True)


def _start_races(root: Path) -> dict[str, list[subprocess.Popen[str]]]:
    races: dict[str, list[subprocess.Popen[str]]] = {}
    for database, lanes in RACE_LANES.items():
        for lane in range(lanes):
            var = root / f"race-{database}-{lane}"
            var.mkdir()
            env = {**os.environ, "OCTAVO_VAR_DIR": str(var)}
            command = [sys.executable, "-m", "bench.bench_checkout", "race", str(lane), str(lanes)]
            if database == "sqlite":
                env["OCTAVO_DATABASE_URL"] = f"sqlite:///{var / 'octavo.sqlite3'}"
            else:
                command = [str(ROOT / "scripts" / "pg-throwaway"), *command]
            # A session of its own, so that stopping it early reaches the server too.
            race = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            races.setdefault(database, []).append(race)
    return races


def _race_result(race: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, _ = race.communicate(timeout=TIMEOUT_S)
    found = [line for line in stdout.splitlines() if line.startswith(RACE_PREFIX)]
    if race.returncode != 0 or not found:
        raise RuntimeError(f"the race ended with exit {race.returncode} and no result")
    result: dict[str, Any] = json.loads(found[-1].removeprefix(RACE_PREFIX))
    return result


def _race_figures(result: dict[str, Any]) -> list[Figure]:
    label = result["database"].split()[0]
    trials = result["trials"]
    duplicates = sum(result["duplicates"].values()) + sum(result["stray"].values())
    trial_s = result["trial_s"]
    how = (
        f"{RACERS} threads check one item out to {RACERS} patrons at once (every card expired, "
        f"overridden: an audit entry per loan; an hour loan back 2 hours later: a ledger entry "
        f"per check-in), {trials:,} trials, {result['database']}, Django in-process, a "
        f"connection per thread; in {result['lanes']} lanes side by side, beside the build of "
        f"the big database; outcomes {result['outcomes']}; rows {result['rows']}; trials with "
        f"one winner and {RACERS - 1} refused as already out: {result['one_winner']:,}; a "
        f"trial took {median(trial_s) * 1000:.0f} ms (median), "
        f"{percentile(trial_s, 0.99) * 1000:.0f} ms (p99)"
    )
    return [
        Figure(
            f"race on {label}: trials with exactly one loan",
            result["exactly_one_loan"],
            f"of {trials:,}",
            how,
        ),
        Figure(
            f"race on {label}: duplicate loan, event, audit or ledger rows", duplicates, "rows", how
        ),
    ]


def _race_failures(result: dict[str, Any]) -> list[str]:
    trials = result["trials"]
    failures = []
    if result["exactly_one_loan"] != trials or result["one_winner"] != trials:
        failures.append(
            f"{result['exactly_one_loan']} trials of {trials} made exactly one loan, "
            f"{result['one_winner']} had one winner: {result['outcomes']}"
        )
    for kind in ("duplicates", "missing", "stray"):
        if any(result[kind].values()):
            failures.append(f"{kind}: {result[kind]}")
    if result["open_loans_after"]:
        failures.append(f"{result['open_loans_after']} loans still open after the last check-in")
    return [f"race on {result['database']}: {failure}" for failure in failures]


# --- the benchmark -------------------------------------------------------------------------------


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        (root / "var").mkdir()
        path = root / "octavo.sqlite3"
        # This process is the harness's child for this benchmark alone (bench/run.py), so it
        # may take Octavo's settings from these variables; the server and the races inherit them.
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                "OCTAVO_DEBUG": "false",
                "OCTAVO_ALLOWED_HOSTS": "127.0.0.1",
                "OCTAVO_LOG_LEVEL": "WARNING",
            }
        )
        races = _start_races(root)
        try:
            _say("migrating a fresh SQLite database")
            subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
            import django

            django.setup()
            from django.db import connections

            from octavo.shared.clock import now

            t0 = now().replace(microsecond=0)
            desks, loan_days = _setup(t0)
            connections.close_all()
            _say(f"writing {ITEMS:,} items and {PATRONS:,} patrons with their history")
            built = _build(path, t0, loan_days)
            _say(
                f"built in {built.seconds:.0f} s, {built.megabytes:,.0f} MiB; waiting for the races"
            )
            results = {
                name: _merge([_race_result(lane) for lane in lanes])
                for name, lanes in races.items()
            }
            for result in results.values():
                _say(
                    f"race on {result['database']}: {result['exactly_one_loan']:,} of "
                    f"{result['trials']:,} trials made exactly one loan; rows {result['rows']}; "
                    f"a trial took {median(result['trial_s']) * 1000:.0f} ms (median)"
                )
            _say(f"{WARMUP_CALLS + CALLS + QUERY_CALLS:,} service calls in-process")
            timed = _time_services(t0, desks)
            connections.close_all()
            served = _serve_and_load(root, t0)
        finally:
            for race in (race for lanes in races.values() for race in lanes):
                if race.poll() is None:
                    os.killpg(race.pid, signal.SIGTERM)
                    race.wait()

    figures = [
        *_service_figures(built, timed),
        *_http_figures(served),
        *(figure for result in results.values() for figure in _race_figures(result)),
    ]
    failures = [failure for result in results.values() for failure in _race_failures(result)]
    if failures:
        for figure in figures:  # what was measured, before the benchmark fails
            _say(f"{figure.name}: {figure.value:,.2f} {figure.unit}")
        raise RuntimeError("; ".join(failures))
    return figures


def _data(built: Built) -> str:
    counts = built.counts
    return (
        f"{counts['holdings_item']:,} items of {built.records:,} records (a {MARC_BYTES}-byte "
        f"placeholder for MARC) at 3 sites, {counts['patrons_patron']:,} patrons; "
        f"{counts['circulation_loan']:,} loans, {built.overdue:,} of the "
        f"{built.open_loans:,} open ones overdue; "
        f"{counts['circulation_circulationevent']:,} events; {counts['fines_ledgerentry']:,} "
        f"ledger entries ({built.owing:,} patrons owe, {built.over_limit:,} over the limit); "
        f"{counts['holds_hold']:,} waiting holds; {counts['audit_auditentry']:,} audit entries; "
        f"SQLite file of {built.megabytes:,.0f} MiB, WAL, built by direct inserts"
    )


def _service_figures(built: Built, timed: Timed) -> list[Figure]:
    figures = []
    for kind, samples in timed.ms.items():
        outcomes = ", ".join(f"{name} {n:,}" for name, n in timed.outcomes[kind].most_common())
        queries, cpu = timed.queries[kind], timed.cpu_ms[kind]
        how = (
            f"circulation.services.{kind} in-process, one transaction each, a technician of the "
            f"desk's site; {len(samples):,} calls of a seeded mix of {CALLS:,} "
            f"({', '.join(f'{k} {v} %' for k, v in MIX.items())}) after {WARMUP_CALLS} "
            f"untimed: {outcomes}; this thread's CPU time per call p50 "
            f"{percentile(cpu, 0.5):.1f} ms, p99 {percentile(cpu, 0.99):.1f} ms; "
            f"{median(queries):.0f} statements per call, BEGIN and COMMIT included (median of "
            f"{len(queries)}, max {max(queries)}); {_data(built)}; {timed.load}"
        )
        figures += [
            Figure(f"{kind} in-process: {name}", percentile(samples, p), "ms", how)
            for name, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        ]
    return figures


def _http_figures(served: Served) -> list[Figure]:
    how = (
        f"`octavo serve` ({served.workers} gunicorn sync workers) on 127.0.0.1 over the database "
        f"above; {DESKS} desk threads (a technician's token each) POST checkout, one item "
        f"after another, for {HTTP_DURATION_S:g} s after {HTTP_WARMUP_S:g} s warm-up, then "
        f"check every item in again; a new "
        f"connection for each request (sync workers do not keep connections alive)"
        f"{', an Idempotency-Key on each' if IDEMPOTENCY_KEYS else ''}; "
        f"{len(served.checkout_s):,} check-outs and {len(served.checkin_s):,} check-ins, all "
        f"answered 201/200; {served.load}"
    )
    out, back = served.checkout_s, served.checkin_s
    return [
        *(
            Figure(
                f"checkout over HTTP, {DESKS} desks: {name}", percentile(out, p) * 1000, "ms", how
            )
            for name, p in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))
        ),
        Figure(f"checkin over HTTP, {DESKS} desks: p99", percentile(back, 0.99) * 1000, "ms", how),
        Figure(
            f"check-outs over HTTP, {DESKS} desks: throughput",
            len(out) / HTTP_DURATION_S,
            "check-outs/s",
            how,
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "race":
        raise SystemExit("python -m bench.bench_checkout race LANE LANES: bench.run runs it")
    _race_lane(int(sys.argv[2]), int(sys.argv[3]))
