"""Inventory at district scale on the embedded default (SQLite): reconcile an inventory of
100,000 scans against 120,000 items expected on a site's shelves, in a database of 2,000,000
items (issue #8's figure: at most 3 s). Also timed: taking in the scanner file those scans came
from, the progress count, finishing (marking the missing, setting last-seen dates), and a
1,000,000-line scanner file, with the memory it took (it is streamed).

The database is built in a temporary directory for this run only: `octavo migrate`, the sites
made through the service, then records and items written straight into catalog_record and
holdings_item in transactions of BATCH rows (bench_search's shortcut: the importer would take
many minutes). Items have 14-digit Codabar barcodes with check digits, as labels have.

The inventory site has ITEMS_AT_SITE items: EXPECTED on the shelf (available), the rest
checked out, lost, missing, in transit or in repair. The scanner file holds SCANS barcodes:
expected items (the rest of the expected are missing), checked-out, lost and missing items of
the site (on the shelf after all), other sites' items (misplaced), and unknown barcodes, with
what scanners really send mixed in: CRLF line ends, blank lines, repeats, stray characters.

BENCH_INVENTORY_SCALE (default 1) scales every count, e.g. 0.05 while developing;
BENCH_INVENTORY_BIG_LINES sets the big file's lines alone.
"""

from __future__ import annotations

import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import Figure, load_average, percentile

SCALE = float(os.environ.get("BENCH_INVENTORY_SCALE", "1"))
ITEMS = int(2_000_000 * SCALE)
ITEMS_AT_SITE = int(140_000 * SCALE)
EXPECTED = int(120_000 * SCALE)
SCANS = int(100_000 * SCALE)
BIG_FILE_LINES = int(os.environ.get("BENCH_INVENTORY_BIG_LINES", 1_000_000 * SCALE))
COPIES_PER_RECORD = 8
BATCH = 5000
SINGLE_SCANS = 300  # one at a time, as on the scanning page
ROUNDS = 5  # reconcile is timed this many times; the median is the figure
SEED = 2026
TIMEOUT_S = 1800  # building two million items takes a few minutes on the 2-core machine
SITES = 17  # the inventory's site and 16 others
# The scans, by what they are (the rest are expected items).
CHECKED_OUT_ON_SHELF = int(1_500 * SCALE)
FOUND = int(1_000 * SCALE)
MISPLACED = int(2_000 * SCALE)
UNKNOWN = int(500 * SCALE)
OTHER_STATUSES = {
    "checked_out": 0.6,
    "lost": 0.1,
    "missing": 0.1,
    "in_transit": 0.1,
    "in_repair": 0.1,
}


def _say(text: str) -> None:
    print(f"inventory: {text}", file=sys.stderr, flush=True)


def _octavo() -> list[str]:
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def _barcode(n: int) -> str:
    from octavo.shared.barcodes import check_digit

    body = f"3123{n:09d}"
    return body + str(check_digit(body))


def _build(path: Path, site_ids: list[int]) -> dict[str, list[str]]:
    """Write the records and items; return the inventory site's barcodes by status and some
    other sites' barcodes."""
    rng = random.Random(SEED)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    stamp = "2026-01-05 08:00:00"
    record_sql = (
        "INSERT INTO catalog_record (id, control_number, control_number_source, title, "
        "title_sort, responsibility, authors, edition, publisher, year, format, language, isbns, "
        "invalid_isbns, issns, subjects, series, summary, reading_level, call_number, marc, "
        "marc_original, created_at, updated_at) VALUES (?, ?, 'OCTAVO-BENCH', ?, ?, '', '[]', "
        "'', 'Invented Press', 2020, 'book', 'eng', '[]', '[]', '[]', '[]', '[]', '', '', ?, "
        "X'1e', NULL, ?, ?)"
    )
    item_sql = (
        "INSERT INTO holdings_item (barcode, record_id, site_id, location_id, call_prefix, "
        "call_class, call_cutter, call_volume, copy_number, price, acquired_on, condition, "
        "status, public_note, staff_note, created_at, updated_at, properties) VALUES "
        "(?, ?, ?, NULL, '', ?, ?, '', '', '12.95', NULL, '', ?, '', '', ?, ?, '')"
    )
    here, others = site_ids[0], site_ids[1:]
    # The inventory site's items: EXPECTED available, the rest in the other statuses.
    site_statuses = ["available"] * EXPECTED
    rest = ITEMS_AT_SITE - EXPECTED
    for status, share in OTHER_STATUSES.items():
        site_statuses += [status] * int(rest * share)
    site_statuses += ["in_repair"] * (ITEMS_AT_SITE - len(site_statuses))  # rounding
    rng.shuffle(site_statuses)
    at_site = set(rng.sample(range(ITEMS), ITEMS_AT_SITE))
    by_status: dict[str, list[str]] = {}
    other_sample: list[str] = []
    records = ITEMS // COPIES_PER_RECORD + 1
    made = 0
    for first in range(1, records + 1, BATCH):
        record_rows, item_rows = [], []
        for record_id in range(first, min(first + BATCH, records + 1)):
            call_class = f"{rng.randint(0, 999):03d}.{rng.randint(0, 99)}"
            record_rows.append(
                (record_id, f"inv{record_id:08d}", f"Book {record_id}", f"book {record_id}",
                 call_class, stamp, stamp)
            )  # fmt: skip
            for _ in range(COPIES_PER_RECORD):
                if made >= ITEMS:
                    break
                barcode = _barcode(made)
                if made in at_site:
                    status = site_statuses.pop()
                    site = here
                    by_status.setdefault(status, []).append(barcode)
                else:
                    status = "available" if rng.random() < 0.85 else "checked_out"
                    site = rng.choice(others)
                    if status == "available" and len(other_sample) < MISPLACED * 2:
                        other_sample.append(barcode)
                item_rows.append(
                    (barcode, record_id, site, call_class, "ABC", status, stamp, stamp)
                )
                made += 1
        db.execute("BEGIN")
        db.executemany(record_sql, record_rows)
        db.executemany(item_sql, item_rows)
        db.execute("COMMIT")
        if (first // BATCH) % 20 == 0:
            _say(f"{made:,} items written")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    by_status["other_sites"] = other_sample
    return by_status


def _scan_file(path: Path, by_status: dict[str, list[str]]) -> dict[str, int]:
    """The scanner file: SCANS distinct barcodes, with a scanner's noise; what to expect."""
    rng = random.Random(SEED + 1)
    out = [b for b in by_status["checked_out"][:CHECKED_OUT_ON_SHELF]]
    found = (by_status.get("lost", []) + by_status.get("missing", []))[:FOUND]
    misplaced = by_status["other_sites"][:MISPLACED]
    unknown = [_barcode(9_000_000_000 + n) for n in range(UNKNOWN)]
    expected_seen = SCANS - len(out) - len(found) - len(misplaced) - len(unknown)
    seen = rng.sample(by_status["available"], expected_seen)
    barcodes = seen + out + found + misplaced + unknown
    rng.shuffle(barcodes)
    lines = []
    for n, barcode in enumerate(barcodes):
        lines.append(barcode)
        if n % 50 == 0:
            lines.append(barcode)  # a repeat: another cart scanned it too
        if n % 200 == 0:
            lines.append("")
        if n % 1000 == 0:
            lines.append(barcode[:5] + "#" + barcode[6:])  # a stray character
    path.write_text("\r\n".join(lines) + "\r\n")
    return {
        "lines": len(lines),
        "missing": EXPECTED - expected_seen,
        "misplaced": len(misplaced),
        "checked_out_on_shelf": len(out),
        "found": len(found),
        "unknown": len(unknown),
    }


def _big_file(path: Path, by_status: dict[str, list[str]]) -> None:
    """BIG_FILE_LINES lines: the site's barcodes over and over, as a scanner that was never
    cleared sends them, with blank lines and CRLF."""
    pool = by_status["available"]
    with path.open("w", newline="") as out:
        for n in range(BIG_FILE_LINES):
            out.write("\r\n" if n % 97 == 0 else pool[n % len(pool)] + "\r\n")


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        path = root / "octavo.sqlite3"
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
        from octavo.circulation.inventory import finish
        from octavo.district.services import create_site
        from octavo.holdings import inventory, inventory_selectors
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        sites = [
            create_site(actor=actor, code=f"S{n:02d}", name=f"School {n}", at=now())
            for n in range(SITES)
        ]
        _say(f"writing {ITEMS:,} items ({ITEMS_AT_SITE:,} at {sites[0].code})")
        started = time.perf_counter()
        by_status = _build(path, [s.id for s in sites])
        _say(f"built in {time.perf_counter() - started:.0f} s")
        scans_path = root / "scans.txt"
        wanted = _scan_file(scans_path, by_status)

        taken = inventory.start(actor=actor, site_code=sites[0].code, at=now())
        started = time.perf_counter()
        with scans_path.open("rb") as stream:
            report = inventory.scan_file(
                actor=actor, inventory_id=taken.pk, stream=stream, source="bench", at=now()
            )
        scan_s = time.perf_counter() - started
        assert report.recorded == SCANS, report.counts()
        _say(f"scan file of {report.lines:,} lines in {scan_s:.1f} s: {report.counts()}")

        timings = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            found = inventory_selectors.reconcile(actor=actor, inventory_id=taken.pk)
            timings.append(time.perf_counter() - started)
        counts = found.counts()
        assert counts == {k: v for k, v in wanted.items() if k != "lines"}, (counts, wanted)
        _say(f"reconcile: {', '.join(f'{t:.2f}' for t in timings)} s; {counts}")

        started = time.perf_counter()
        counted = inventory_selectors.progress(actor=actor, inventory_id=taken.pk)
        progress_s = time.perf_counter() - started
        assert counted.expected == EXPECTED, counted

        started = time.perf_counter()
        done = finish(actor=actor, inventory_id=taken.pk, at=now())
        finish_s = time.perf_counter() - started
        assert done.missing_count == wanted["missing"], done.missing_count

        # The scanning page: one barcode at a time, as a keyboard-wedge scanner sends them.
        third = inventory.start(actor=actor, site_code=sites[0].code, at=now())
        singles = random.Random(SEED + 2).sample(by_status["available"], SINGLE_SCANS)
        single_ms = []
        for barcode in singles:
            started = time.perf_counter()
            inventory.scan_one(
                actor=actor, inventory_id=third.pk, text=barcode, source="page", at=now()
            )
            single_ms.append((time.perf_counter() - started) * 1000)

        big = root / "big.txt"
        _big_file(big, by_status)
        second = inventory.start(actor=actor, site_code=sites[0].code, at=now())
        rss_before = _max_rss_mb()
        started = time.perf_counter()
        with big.open("rb") as stream:
            big_report = inventory.scan_file(
                actor=actor, inventory_id=second.pk, stream=stream, source="big", at=now()
            )
        big_s = time.perf_counter() - started
        rss_growth = _max_rss_mb() - rss_before
        _say(
            f"{big_report.lines:,}-line file in {big_s:.1f} s, peak memory grew "
            f"{rss_growth:.0f} MiB: {big_report.counts()}"
        )

    load = load_average()
    data = (
        f"{ITEMS:,} items at {SITES} sites, SQLite; a whole-site inventory of {ITEMS_AT_SITE:,} "
        f"items, {EXPECTED:,} on the shelf by the catalog; {SCANS:,} distinct barcodes scanned "
        f"({wanted['misplaced']:,} misplaced, {wanted['unknown']:,} unknown, "
        f"{wanted['checked_out_on_shelf']:,} checked out, {wanted['found']:,} found; "
        f"{wanted['missing']:,} missing); {load}"
    )
    return [
        Figure(
            "reconcile: the five lists (median)",
            statistics.median(timings),
            "s",
            f"{data}; {ROUNDS} runs, slowest {max(timings):.2f} s",
        ),
        Figure("progress counts", progress_s, "s", data),
        Figure(
            "scanner file taken in",
            report.lines / scan_s,
            "lines/s",
            f"{report.lines:,} lines (CRLF, blank lines, repeats, stray characters); {data}",
        ),
        Figure(
            "finish: mark the missing, set last seen",
            finish_s,
            "s",
            data,
        ),
        Figure(
            "one scan on the scanning page (service call): p50",
            percentile(single_ms, 0.5),
            "ms",
            f"scan_one: read, record, and say what it is; {SINGLE_SCANS} scans into a new "
            f"inventory of the same site; p95 {percentile(single_ms, 0.95):.1f} ms; {load}",
        ),
        Figure(
            f"a {BIG_FILE_LINES:,}-line scanner file",
            big_s,
            "s",
            f"streamed into a second inventory, {big_report.recorded:,} distinct barcodes; the "
            f"process's peak memory grew {rss_growth:.0f} MiB; {load}",
        ),
    ]
