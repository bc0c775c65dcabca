"""Reports at scale (issue #7, "Figures"): every report of octavo.reports over the whole district
and over one school, on the embedded default (SQLite), against "any report over 5M loan-history
rows (anonymized statistics) and 2M items: at most 2 s".

The database is built in a temporary directory for this run only: `octavo migrate`, SITES
schools made through the service (one time zone), then rows written straight into the tables
with sqlite3 in transactions of BATCH rows, with the columns the models define and the values
the services would write:
- ITEMS items (default 2,000,000) on RECORDS = ITEMS / 2.5 records (publication years skewed
  recent, a MARC_BYTES placeholder in `marc`, no search index entries). Call numbers as a school
  shelves them: Dewey numbers (with or without a REF or J prefix), FIC and E sections shelved by
  author, `92` biographies; material types, prices, acquisition dates over 35 years, statuses
  (mostly on the shelf; some checked out, lost, missing, withdrawn).
- EVENTS circulation statistics rows (default 5,000,000): check-outs, check-ins and renewals
  over one school year (2025-08-18 to 2026-06-12, school days, 7:00-16:59 at the schools),
  popular copies more often than others, with each borrower's patron type and grade.
- PATRONS patrons (students in grades PK-12 with homerooms, teachers), OPEN_LOANS open loans
  (a third of them overdue), HOLDS holds (most filled), CHARGES ledger charges (overdue, lost,
  damaged) with payments and waivers on half of them.
The reports' own copies (octavo.reports.models: CirculationFact, ItemFact) are filled by their
triggers as these rows go in, as they are when the desk and the importer write them (the
circulation statistics by way of the rows waiting on SQLite, moved in at the end of the build
as the nightly job would).
The reports are asked on AT (15 June 2026: the school year to date covers every event). Each is
timed through octavo.reports.selectors.run_report as the staff screen calls it (lists cut at
its 500 rows), once untimed, then ROUNDS times; the figure is the median, the detail the
slowest. No ANALYZE is run, as Octavo runs none.

    BENCH_REPORTS_SCALE=0.05 python -m bench.run --no-record reports    # a small rehearsal
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Figure, load_average

SCALE = float(os.environ.get("BENCH_REPORTS_SCALE", "1"))
ITEMS = int(2_000_000 * SCALE)
EVENTS = int(5_000_000 * SCALE)
RECORDS = int(ITEMS / 2.5)
PATRONS = int(400_000 * SCALE)
OPEN_LOANS = int(150_000 * SCALE)
HOLDS = int(100_000 * SCALE)
CHARGES = int(100_000 * SCALE)
SITES = max(3, int(100 * min(SCALE * 4, 1)))  # 100 schools at full scale
ROUNDS = int(os.environ.get("BENCH_REPORTS_ROUNDS", "3"))
BATCH = 5_000
MOVE_CHUNK = 250_000  # statistics rows moved in per transaction at the end of the build
MARC_BYTES = 1000
SEED = 2026
ZONE = ZoneInfo("America/Los_Angeles")
AT = datetime(2026, 6, 15, 12, 0, tzinfo=ZONE)
FIRST_DAY, LAST_DAY = date(2025, 8, 18), date(2026, 6, 12)
TIMEOUT_S = 3600  # the full build takes minutes on the 2-core machine
STAMP = "2025-07-01 08:00:00"

GRADES = ["PK", "K", *(str(n) for n in range(1, 13))]
# (prefix, how the class is made, share)
SHELVES = [
    ("", "dewey", 45),
    ("REF", "dewey", 4),
    ("J", "dewey", 8),
    ("FIC", "", 22),
    ("E", "", 13),
    ("", "92", 5),
    ("DVD", "", 3),
]
STATUSES = {
    "available": 84,
    "checked_out": 8,
    "lost": 1,
    "missing": 2,
    "withdrawn": 4,
    "in_repair": 1,
}
MATERIALS = {"book": 85, "av": 5, "periodical": 2, "textbook": 6, "reference": 2}
KINDS = {"check_out": 45, "check_in": 45, "renew": 10}


def _say(text: str) -> None:
    print(f"reports: {text}", file=sys.stderr, flush=True)


def _octavo() -> list[str]:
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def _chunks(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    while chunk := list(islice(rows, BATCH)):
        yield chunk


def _insert(
    db: sqlite3.Connection, table: str, columns: str, rows: Iterator[tuple[object, ...]]
) -> int:
    marks = ", ".join("?" * len(columns.split(",")))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - bench's own SQL
    count = 0
    for chunk in _chunks(rows):
        db.execute("BEGIN")
        db.executemany(sql, chunk)
        db.execute("COMMIT")
        count += len(chunk)
    return count


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _records(rng: random.Random) -> Iterator[tuple[object, ...]]:
    marc = b"\x1e" * MARC_BYTES
    for rid in range(1, RECORDS + 1):
        year = max(1950, 2026 - int(rng.expovariate(1 / 14)))
        title = f"Title {rid}"
        yield (
            rid, f"bench{rid:08d}", "OCTAVO-BENCH", title, title.lower(), "",
            f'["Author {rid % 5000}, A."]', "", "Invented Press", year, "book", "eng", "[]",
            "[]", "[]", "[]", "[]", "", "", "", marc, None, STAMP, STAMP,
        )  # fmt: skip


def _items(
    rng: random.Random, site_ids: list[int], materials: dict[str, int]
) -> Iterator[tuple[object, ...]]:
    shelves, shelf_weights = [s[:2] for s in SHELVES], [s[2] for s in SHELVES]
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    kinds, kind_weights = [materials[k] for k in MATERIALS], list(MATERIALS.values())
    for iid in range(1, ITEMS + 1):
        record = rng.randint(1, RECORDS)
        prefix, how = rng.choices(shelves, shelf_weights)[0]
        if how == "dewey":
            klass = f"{rng.randint(0, 999):03d}.{rng.randint(0, 99)}"
        elif how == "92":
            klass = "92"
        else:
            klass = ""
        acquired = date(1991, 1, 1) + timedelta(days=rng.randint(0, 35 * 365))
        status = rng.choices(statuses, status_weights)[0]
        yield (
            iid, f"3123{iid:09d}", prefix, klass, f"A{record % 997:03d}", "", "", "12.95",
            acquired.isoformat(), "", status, "", "", STAMP, STAMP, None, record,
            rng.choice(site_ids), rng.choices(kinds, kind_weights)[0], "", None,
        )  # fmt: skip


def _patrons(
    rng: random.Random, site_ids: list[int], types: dict[str, int]
) -> Iterator[tuple[object, ...]]:
    for pid in range(1, PATRONS + 1):
        teacher = pid % 25 == 0
        grade = "" if teacher else rng.choice(GRADES)
        site = site_ids[pid % len(site_ids)]
        homeroom = "" if teacher else f"Teacher {site}-{grade}-{rng.randint(1, 3)}"
        status = "active" if rng.random() < 0.95 else "expired"
        expires = (AT.date() + timedelta(days=rng.randint(-30, 400))).isoformat()
        yield (
            pid, f"P{pid:08d}", "Pat", f"Name{pid % 20000:05d}", status, expires, "", grade,
            homeroom, "", "", "", "en", False, "", "", STAMP, STAMP, site,
            types["teacher" if teacher else "student"], "", "pat", f"name{pid % 20000:05d}", None,
        )  # fmt: skip


def _school_hours() -> list[tuple[str, int]]:
    """(UTC 'YYYY-MM-DD HH' of each school hour, its site-local weekday), school days only."""
    hours = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() < 5:
            for hour in range(7, 17):
                moment = datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)
                hours.append((_utc(moment)[:13], day.weekday()))
        day += timedelta(days=1)
    return hours


def _events(
    rng: random.Random, site_ids: list[int], types: dict[str, int]
) -> Iterator[tuple[object, ...]]:
    hours = [h for h, _ in _school_hours()]
    kinds, kind_weights = list(KINDS), list(KINDS.values())
    student, teacher = types["student"], types["teacher"]
    for _ in range(EVENTS):
        hour = rng.choice(hours)
        at = f"{hour}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        item = 1 + int(ITEMS * rng.random() ** 2)  # popular copies circulate more
        adult = rng.random() < 0.08
        yield (
            rng.choices(kinds, kind_weights)[0], at, "" if adult else rng.choice(GRADES), item,
            teacher if adult else student, site_ids[item % len(site_ids)],
        )  # fmt: skip


def _loans(
    rng: random.Random, types: dict[str, int], site_ids: list[int]
) -> Iterator[tuple[object, ...]]:
    items = rng.sample(range(1, ITEMS + 1), OPEN_LOANS)
    for item in items:
        patron = rng.randint(1, PATRONS)
        out = AT - timedelta(days=rng.randint(1, 60))
        due = out + timedelta(days=14)
        yield (
            rng.choice(GRADES), "open", _utc(out), _utc(due), 0, None, item, patron,
            types["student"], None, site_ids[item % len(site_ids)],
        )  # fmt: skip


def _holds(rng: random.Random, site_ids: list[int]) -> Iterator[tuple[object, ...]]:
    for _ in range(HOLDS):
        placed = AT - timedelta(days=rng.randint(1, 280), hours=rng.randint(0, 8))
        filled = rng.random() < 0.8
        ready = placed + timedelta(hours=rng.randint(2, 24 * 30)) if filled else None
        ready = ready if ready and ready < AT else None
        yield (
            False, "fulfilled" if ready else "waiting", _utc(placed), None, None,
            _utc(ready) if ready else None, None, _utc(ready) if ready else None, None,
            rng.randint(1, PATRONS), rng.choice(site_ids), rng.randint(1, RECORDS),
        )  # fmt: skip


def _ledger(rng: random.Random, site_ids: list[int]) -> Iterator[tuple[object, ...]]:
    entry = 0
    for _ in range(CHARGES):
        entry += 1
        charge = entry
        kind = rng.choices(["overdue", "lost", "damaged"], [80, 15, 5])[0]
        amount = f"{rng.randint(25, 2500) / 100:.2f}" if kind == "overdue" else "18.95"
        at = AT - timedelta(days=rng.randint(1, 300))
        patron, site = rng.randint(1, PATRONS), rng.choice(site_ids)
        item = rng.randint(1, ITEMS) if kind != "overdue" else None
        yield (
            charge,
            "charge",
            kind,
            amount,
            "",
            "",
            "",
            _utc(at),
            "bench",
            None,
            item,
            patron,
            site,
        )
        if rng.random() < 0.5:
            entry += 1
            settle = rng.choice(["payment", "waiver"])
            later = _utc(at + timedelta(days=rng.randint(0, 20)))
            yield (
                entry, settle, "", amount, "cash" if settle == "payment" else "", "", "", later,
                "bench", charge, None, patron, site,
            )  # fmt: skip


def _build(path: Path) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")
    site_ids = [row[0] for row in db.execute("SELECT id FROM district_site ORDER BY code")]
    materials = dict(db.execute("SELECT code, id FROM holdings_materialtype").fetchall())
    types = dict(db.execute("SELECT code, id FROM patrons_patrontype").fetchall())
    rng = random.Random(SEED)
    started = time.perf_counter()
    steps = [
        ("catalog_record", "id, control_number, control_number_source, title, title_sort, "
         "responsibility, authors, edition, publisher, year, format, language, isbns, "
         "invalid_isbns, issns, subjects, series, summary, reading_level, call_number, marc, "
         "marc_original, created_at, updated_at", _records(rng)),
        ("holdings_item", "id, barcode, call_prefix, call_class, call_cutter, call_volume, "
         "copy_number, price, acquired_on, condition, status, public_note, staff_note, "
         "created_at, updated_at, location_id, record_id, site_id, material_type_id, "
         "properties, last_seen_at", _items(rng, site_ids, materials)),
        ("patrons_patron", "id, barcode, first_name, last_name, status, card_expires, "
         "student_id, grade, homeroom, roster_id, email, phone, language, "
         "keeps_reading_history, pin_hash, notes, created_at, updated_at, home_site_id, "
         "patron_type_id, block_note, first_key, last_key, merged_into_id",
         _patrons(rng, site_ids, types)),
        ("circulation_circulationevent", "kind, at, grade, item_id, patron_type_id, site_id",
         _events(rng, site_ids, types)),
        ("circulation_loan", "grade, status, checked_out_at, due_at, renewals, ended_at, "
         "item_id, patron_id, patron_type_id, returned_site_id, site_id",
         _loans(rng, types, site_ids)),
        ("holds_hold", "copy_level, status, placed_at, suspended_until, trapped_at, ready_at, "
         "expires_at, ended_at, item_id, patron_id, pickup_site_id, record_id",
         _holds(rng, site_ids)),
        ("fines_ledgerentry", "id, kind, charge_type, amount, method, reference, note, at, by, "
         "charge_id, item_id, patron_id, site_id", _ledger(rng, site_ids)),
    ]  # fmt: skip
    for table, columns, rows in steps:
        count = _insert(db, table, columns, rows)
        _say(f"{table}: {count:,} rows ({time.perf_counter() - started:.0f} s)")
    db.close()
    from django.db import connections

    from octavo.reports.pending import catch_up_statistics

    # On SQLite the events' statistics wait beside them until a report or the nightly job
    # moves them in: moved here by the same code, as the night before would have, in chunks
    # large enough for a build (nobody else is writing).
    moved = catch_up_statistics(chunk=MOVE_CHUNK)
    _say(
        f"reports_circulationfact: {moved:,} rows moved in ({time.perf_counter() - started:.0f} s)"
    )
    connections.close_all()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return time.perf_counter() - started


def _measure(site_code: str) -> list[Figure]:
    from octavo.reports.registry import REPORTS
    from octavo.reports.selectors import run_report
    from octavo.shared.actor import Actor

    actor = Actor.command_line("bench")
    figures = []
    data = (
        f"{EVENTS:,} circulation statistics rows over a school year, {ITEMS:,} items on "
        f"{RECORDS:,} records, {PATRONS:,} patrons at {SITES} schools; SQLite, warm"
    )
    for report in REPORTS:
        scopes = [(site_code, f"school {site_code}")]
        if not report.site_required:
            scopes.insert(0, ("", "whole district"))
        for code, label in scopes:

            def once(code: str = code, name: str = report.name) -> tuple[float, int]:
                started = time.perf_counter()
                result = run_report(actor=actor, name=name, at=AT, site_code=code, limit=500)
                return time.perf_counter() - started, len(result.rows)

            once()
            timed = [once() for _ in range(ROUNDS)]
            seconds = [t for t, _ in timed]
            median = statistics.median(seconds)
            _say(f"{report.name} ({label}): {median * 1000:,.0f} ms, {timed[0][1]:,} rows")
            figures.append(
                Figure(
                    f"{report.name}, {label}",
                    median * 1000,
                    "ms",
                    f"{data}; median of {ROUNDS} after one untimed run (slowest "
                    f"{max(seconds) * 1000:,.0f} ms), {timed[0][1]:,} rows; {load_average()}",
                )
            )
    return figures


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        # BENCH_REPORTS_KEEP=DIR builds the database there once and reuses it on later runs
        # (while tuning queries); by default it lives and dies with the run.
        root = Path(os.environ.get("BENCH_REPORTS_KEEP") or tmp)
        path = root / "octavo.sqlite3"
        if path.exists():
            os.environ.update(
                {
                    "OCTAVO_VAR_DIR": str(root / "var"),
                    "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                    "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                }
            )
            subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
            import django

            django.setup()
            _say(f"reusing {path}")
            return _measure("S001")
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
            }
        )
        _say("migrating a fresh SQLite database")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)

        import django

        django.setup()
        from octavo.district.services import create_site
        from octavo.shared.actor import Actor

        actor = Actor.command_line("bench")
        for n in range(SITES):
            create_site(actor=actor, code=f"S{n:03d}", name=f"School {n}", at=AT)
        _say(f"writing {ITEMS:,} items, {EVENTS:,} statistics rows and the rest")
        seconds = _build(path)
        size = path.stat().st_size / 1024 / 1024
        _say(f"built in {seconds:.0f} s: {size:,.0f} MiB")
        return _measure("S001")
