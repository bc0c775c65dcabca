"""The nightly run at a large district's size (issue #7: "Nightly run for 500,000 patrons with
100,000 overdue loans: at most 30 s for everything but the e-mail sending itself; printable
notices for one site (2,000 notices) at most 10 s").

A fresh SQLite database (`octavo migrate`) gets 25 schools made through the service, then,
written straight into the tables in batches (the desk would take days to make them):
BENCH_NOTICES_PATRONS patrons (default 500,000; 85 % with an e-mail address, half of the rest
with a guardian's, the others on the printable stack; a fifth of them in Spanish), one title per
20 patrons, BENCH_NOTICES_OVERDUE overdue loans (default 100,000, 1 to 45 days overdue, evenly),
a fifth as many loans due in the next two weeks, 5,000 holds on the hold shelf, 5,000 patrons
owing a charge of two to three weeks ago, 1 % of cards running out within a month. The policy
bills a loan as lost 45 days overdue (replacement cost 12.95 plus a 5.00 fee), so each night
bills the loans that reach it, through the desk's own mark_lost.

Timed: `run_jobs` for one day, every job, with an e-mail backend that takes each message and
sends nothing (the sending itself is the mail server's time, not Octavo's), split into queueing
(the set-based SQL and the inserts), composing (facts, templates, marking sent) and the other
jobs; once for the first night after go-live (every notice due at once) and once for the next
night (what a night normally brings). Then a printable stack of 2,000 notices for one site: the
first 2,000 of one school's notices of the night are moved to the print channel and printed.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, load_average

PATRONS = int(os.environ.get("BENCH_NOTICES_PATRONS", "500000"))
OVERDUE = int(os.environ.get("BENCH_NOTICES_OVERDUE", "100000"))
STACK = int(os.environ.get("BENCH_NOTICES_STACK", "2000"))
SITES = 25
SEED = 2026
DAY = date(2026, 9, 15)  # the first night timed; the next one follows
TARGET_NIGHT_S = 30
TARGET_STACK_S = 10
TIMEOUT_S = 1800
BATCH = 5000

FIRST = ("Ana", "Ben", "Carmen", "Dev", "Elif", "Femi", "Greta", "Hugo", "Ines", "Jae", "Kofi")
LAST = ("Abara", "Brandt", "Castillo", "Dube", "Fong", "García", "Haddad", "Ibarra", "Kaur")


def _say(text: str) -> None:
    print(f"notices: {text}", file=sys.stderr, flush=True)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class NullBackend:
    """Takes every message and sends nothing: the mail server's own time is not Octavo's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.taken = 0

    def open(self) -> bool:
        return True

    def close(self) -> None:
        return None

    def send_messages(self, messages: list[Any]) -> int:
        self.taken += len(messages)
        return len(messages)


def _insert(db: sqlite3.Connection, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" for _ in columns.split(","))
    for start in range(0, len(rows), BATCH):
        db.execute("BEGIN")
        db.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - constants
            rows[start : start + BATCH],
        )
        db.execute("COMMIT")


def _build(path: Path, site_ids: list[int]) -> dict[str, int]:
    rng = random.Random(SEED)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    student, teacher = (
        db.execute("SELECT id FROM patrons_patrontype WHERE code = ?", [code]).fetchone()[0]
        for code in ("student", "teacher")
    )
    db.execute("UPDATE policy_policyrule SET lost_after_days = 45, processing_fee = 5")
    stamp = _stamp(datetime(2026, 8, 1, tzinfo=UTC))
    midnight = datetime(DAY.year, DAY.month, DAY.day, 7, tzinfo=UTC)  # 00:00 Pacific
    patrons, guardians = [], []
    for n in range(1, PATRONS + 1):
        site = site_ids[n % SITES]
        kind = teacher if n % 25 == 0 else student
        email = f"p{n}@example.org" if rng.random() < 0.85 else ""
        card = (DAY + timedelta(days=rng.randint(1, 30))).isoformat() if n % 100 == 0 else None
        homeroom = f"Room {n // SITES % 40 + 1:02d}" if kind == student else ""
        first, last = rng.choice(FIRST), rng.choice(LAST)
        patrons.append(
            (n, f"P{n:08d}", first, last, "active", card, "", str(rng.randint(1, 12)), homeroom,
             "", email, "", "es" if n % 5 == 0 else "en", 0, "", "", stamp, stamp, site, kind,
             "", first.lower(), last.lower())
        )  # fmt: skip
        if not email and n % 2 == 0:
            guardians.append((f"Parent of {n}", "", f"g{n}@example.org", "", 1, n, ""))
    _insert(
        db,
        "patrons_patron",
        "id, barcode, first_name, last_name, status, card_expires, student_id, grade, homeroom, "
        "roster_id, email, phone, language, keeps_reading_history, pin_hash, notes, created_at, "
        "updated_at, home_site_id, patron_type_id, block_note, first_key, last_key",
        patrons,
    )
    _insert(
        db,
        "patrons_guardian",
        "name, relationship, email, phone, receives_notices, patron_id, roster_id",
        guardians,
    )
    _say(f"{len(patrons):,} patrons, {len(guardians):,} guardians")
    titles = max(1, PATRONS // 20)
    _insert(
        db,
        "catalog_record",
        "id, control_number, control_number_source, title, title_sort, responsibility, authors, "
        "edition, publisher, format, language, isbns, invalid_isbns, issns, subjects, series, "
        "summary, reading_level, call_number, marc, created_at, updated_at",
        [
            (r, f"b{r}", "BENCH", f"Title number {r}", f"title number {r}", "", "[]", "", "",
             "book", "eng", "[]", "[]", "[]", "[]", "[]", "", "", "", b"", stamp, stamp)
            for r in range(1, titles + 1)
        ],
    )  # fmt: skip
    due_soon = OVERDUE // 5
    holds = 5000
    items, loans, hold_rows = [], [], []
    for n in range(1, OVERDUE + due_soon + holds + 1):
        patron = rng.randint(1, PATRONS)
        site = site_ids[patron % SITES]
        status = "on_hold_shelf" if n > OVERDUE + due_soon else "checked_out"
        items.append(
            (n, f"3{n:012d}", "", "FIC", "ABC", "", "", "12.95", "", status, "", "", stamp, stamp,
             rng.randint(1, titles), site, "")
        )  # fmt: skip
        if n <= OVERDUE:
            late = rng.randint(1, 45)  # days overdue
            due = midnight - timedelta(days=late - 1) - timedelta(hours=8, minutes=30)
        elif n <= OVERDUE + due_soon:
            due = midnight + timedelta(days=rng.randint(0, 13), hours=15, minutes=30)
        else:
            ready = midnight - timedelta(days=rng.randint(1, 6), hours=3)
            last = ready + timedelta(days=7, hours=12)
            hold_rows.append(
                (0, "ready", _stamp(ready - timedelta(days=9)), _stamp(ready), _stamp(ready),
                 _stamp(last), n, patron, site, items[-1][14])
            )  # fmt: skip
            continue
        out = due - timedelta(days=21)
        loans.append((n, "3", "open", _stamp(out), _stamp(due), 0, n, patron, student, site))
    _insert(
        db,
        "holdings_item",
        "id, barcode, call_prefix, call_class, call_cutter, call_volume, copy_number, price, "
        "condition, status, public_note, staff_note, created_at, updated_at, record_id, site_id, "
        "properties",
        items,
    )
    _insert(
        db,
        "circulation_loan",
        "id, grade, status, checked_out_at, due_at, renewals, item_id, patron_id, "
        "patron_type_id, site_id",
        loans,
    )
    _insert(
        db,
        "holds_hold",
        "copy_level, status, placed_at, trapped_at, ready_at, expires_at, item_id, patron_id, "
        "pickup_site_id, record_id",
        hold_rows,
    )
    owing = [
        ("charge", "manual", "2.00", "", "", "bench", _stamp(midnight - timedelta(days=d)),
         "bench", patron, site_ids[patron % SITES])
        for patron in rng.sample(range(1, PATRONS + 1), min(5000, PATRONS))
        for d in [rng.randint(8, 21)]
    ]  # fmt: skip
    _insert(
        db,
        "fines_ledgerentry",
        "kind, charge_type, amount, method, reference, note, at, by, patron_id, site_id",
        owing,
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"loans": len(loans), "holds": len(hold_rows), "items": len(items)}


def _night(day: date) -> tuple[float, dict[str, float], list[str]]:
    """run_jobs for `day`: the seconds it took, split, and what each job said."""
    from zoneinfo import ZoneInfo

    from octavo.interfaces.jobs import runner
    from octavo.notices import services

    split = {"queue": 0.0, "compose": 0.0}
    queue, send = services.queue_due, services.send_waiting

    def timed(name: str, call: Any) -> Any:
        def wrapper(**kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(**kwargs)
            finally:
                split[name] += time.perf_counter() - started

        return wrapper

    services.queue_due = timed("queue", queue)  # type: ignore[assignment]
    services.send_waiting = timed("compose", send)  # type: ignore[assignment]
    try:
        started = time.perf_counter()
        at = datetime(day.year, day.month, day.day, 1, tzinfo=ZoneInfo("America/Los_Angeles"))
        outcomes = runner.run_jobs(at=at, day=day)
        total = time.perf_counter() - started
    finally:
        services.queue_due, services.send_waiting = queue, send  # type: ignore[assignment]
    split["other jobs"] = total - split["queue"] - split["compose"]
    return total, split, [o.line() for o in outcomes]


def _stack() -> tuple[float, int]:
    """Move STACK of the night's notices at one school to print, and print them."""
    from octavo.notices.models import Notice
    from octavo.notices.services import print_stack
    from octavo.shared.actor import Actor

    site_id = (
        Notice.objects.filter(day=DAY)
        .values_list("patron__home_site_id", flat=True)
        .order_by("patron__home_site_id")
        .first()
    )
    ids = list(
        Notice.objects.filter(day=DAY, patron__home_site_id=site_id)
        .order_by("id")
        .values_list("id", flat=True)[:STACK]
    )
    Notice.objects.filter(pk__in=ids).update(channel="print", status="queued")
    from octavo.district.models import Site

    code = Site.objects.get(pk=site_id).code
    started = time.perf_counter()
    pdf = print_stack(
        actor=Actor.command_line("bench"),
        site_code=code,
        day=DAY,
        homeroom=None,
        at=datetime.now(tz=UTC),
        currency="USD",
    )
    seconds = time.perf_counter() - started
    return seconds, len(pdf)


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        path = root / "octavo.sqlite3"
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                "OCTAVO_TIME_ZONE": "America/Los_Angeles",
            }
        )
        _say("migrating a fresh SQLite database")
        subprocess.run(
            [sys.executable, "-m", "octavo.interfaces.cli.main", "migrate", "--no-input", "-v0"],
            check=True,
        )
        import django

        django.setup()
        from django.conf import settings

        from octavo.district.services import create_site
        from octavo.shared.actor import Actor

        settings.EMAIL_BACKEND = "bench.bench_notices.NullBackend"
        actor = Actor.command_line("bench")
        site_ids = [
            create_site(
                actor=actor, code=f"S{n:02d}", name=f"School {n}", at=datetime.now(tz=UTC)
            ).id
            for n in range(SITES)
        ]
        started = time.perf_counter()
        built = _build(path, site_ids)
        _say(f"built in {time.perf_counter() - started:.0f} s: {built}")
        first, first_split, first_lines = _night(DAY)
        for line in first_lines:
            _say(line)
        _say(f"first night {first:.1f} s: {first_split}")
        stack_s, stack_bytes = _stack()
        _say(f"stack of {STACK:,} notices: {stack_s:.1f} s, {stack_bytes / 1e6:.1f} MB")
        second, second_split, second_lines = _night(DAY + timedelta(days=1))
        for line in second_lines:
            _say(line)
        _say(f"next night {second:.1f} s: {second_split}")
    load = load_average()
    data = (
        f"{PATRONS:,} patrons at {SITES} schools, {OVERDUE:,} overdue loans (1-45 days), "
        f"{built['loans'] - OVERDUE:,} loans due within two weeks, {built['holds']:,} holds on "
        f"the shelf, 5,000 patrons owing; SQLite; e-mail backend that sends nothing; {load}"
    )

    def split(parts: dict[str, float]) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in parts.items())

    notices = next(line for line in first_lines if " notices: " in line).split(": ", 1)[1]
    later = next(line for line in second_lines if " notices: " in line).split(": ", 1)[1]
    return [
        Figure(
            "nightly run, first night after go-live (every notice due at once)",
            first,
            "s",
            f"{data}; target {TARGET_NIGHT_S} s; {split(first_split)}; {notices}",
        ),
        Figure(
            "nightly run, the next night",
            second,
            "s",
            f"as above; {split(second_split)}; {later}",
        ),
        Figure(
            f"printable stack of {STACK:,} notices for one school (PDF)",
            stack_s,
            "s",
            f"as above; by homeroom, a page per notice, marked printed; target {TARGET_STACK_S} s",
        ),
    ]
