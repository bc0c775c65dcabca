"""Catalog search at scale on PostgreSQL: bench_search's figures for the PostgreSQL path.

Issue #3 asks for ranked retrieval within 150 ms p95 at 10M records on PostgreSQL, warm, over
a mix of 1-3 word queries that includes the 20 most frequent title words. This benchmark
measures that, and the full search call with facets and availability, over bench_search's
seeded query mix.

A throw-away PostgreSQL server (the newest of Debian's /usr/lib/postgresql/*/bin, started as
scripts/pg-throwaway starts it: as the `postgres` user when run as root) listens on 127.0.0.1
and a free port, with its data in a new temporary directory that is removed afterwards. It is
tuned for the machine the figures are for, 2 cores and 24 GB (SERVER_SETTINGS), and runs
without crash safety (fsync off): nothing in it needs to survive.

The database is made by `octavo migrate`, three sites through the service, then
BENCH_SEARCH_PG_RECORDS records (default 10,000,000) from bench_search's generator: the same
records, index texts and items, in the same order, as bench_search writes to SQLite. They are
loaded the fast way, not through the importer (which would take days at this size): COPY into
catalog_record and holdings_item; the index texts COPY'd into scratch tables and turned into
catalog_search's tsvectors in SQL, by the expression octavo.catalog.search_index writes, on a
second connection while the next chunk is generated; the tables' other indexes dropped first
and built after, two at a time; then VACUUM ANALYZE and a checkpoint. Foreign keys are not
checked during the load (session_replication_role = replica): the generator makes them
consistent. The `marc` column holds a placeholder of MARC_BYTES bytes, not a record, smaller
than bench_search's 1,000 to keep 10M rows within the disk (search never reads it). At 10M
records the load takes about half an hour and the database about 12 GB.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from bench.bench_search import (
    SITES,
    Built,
    _measure,
    _octavo,
    _query_mix,
    _rows,
    search_figures,
)
from bench.common import Figure, free_port

RECORDS = int(os.environ.get("BENCH_SEARCH_PG_RECORDS", "10000000"))
# bench/run.py's limit for this benchmark: the load alone takes about 30 minutes at 10M.
TIMEOUT_S = 3 * 3600
MARC_BYTES = 200
# Records per chunk: generated and copied by this connection while the previous chunk's index
# texts become tsvectors on another, so both cores work.
CHUNK = 250_000
# A server for 2 cores and 24 GB. At 10M records catalog_search and its GIN index (4 GB) fit
# in shared_buffers with room for the records' facet columns; the rest of the 12 GB database
# stays in the operating system's cache.
SERVER_SETTINGS = {
    "shared_buffers": "6GB",
    "effective_cache_size": "16GB",
    "work_mem": "64MB",
    # Two index builds at a time during the load.
    "maintenance_work_mem": "2GB",
    # Compiling a query costs tens of milliseconds, more than a search step takes to run.
    "jit": "off",
    # Everything is in memory: a page fetched out of order costs about what the next one does.
    "random_page_cost": "1.1",
    # A search is a few short statements; a parallel worker's start costs more than it saves,
    # and with 2 cores the other one is better left to the next search.
    "max_parallel_workers_per_gather": "0",
    "max_parallel_maintenance_workers": "0",
    # A throw-away server: no crash safety, and no WAL beyond what recovery needs.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "1h",
    # The load runs its own VACUUM ANALYZE; autovacuum would compete with it for the 2 cores.
    "autovacuum": "off",
    "timezone": "UTC",
}
SETTINGS_SHOWN = ("shared_buffers", "effective_cache_size", "work_mem", "jit")

# The columns COPY writes; what bench_search's `_rows` leaves out is filled in as
# bench_search's INSERTs fill it.
RECORD_COLUMNS = (
    "id, control_number, control_number_source, title, title_sort, responsibility, authors, "
    "edition, publisher, year, format, language, isbns, invalid_isbns, issns, subjects, series, "
    "summary, reading_level, call_number, marc, marc_original, created_at, updated_at"
)
ITEM_COLUMNS = (
    "barcode, record_id, site_id, location_id, call_prefix, call_class, call_cutter, "
    "call_volume, copy_number, price, acquired_on, condition, status, public_note, staff_note, "
    "created_at, updated_at, properties"
)
LOADED = ("catalog_record", "catalog_search", "holdings_item")


def _say(text: str) -> None:
    print(f"search_pg: {text}", file=sys.stderr, flush=True)


def _bindir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not found:
        raise SystemExit("no PostgreSQL server in /usr/lib/postgresql/*/bin")
    return found[-1].parent


@contextlib.contextmanager
def _server() -> Iterator[tuple[str, str]]:
    """A fresh server on 127.0.0.1: yields (database URL, version); removed afterwards.

    PostgreSQL refuses to run as root, so as root it runs as Debian's `postgres` user, with its
    directory in /tmp where that user can reach it."""
    bindir = _bindir()
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="octavo-bench-pg-", dir="/tmp" if as_root else None))  # noqa: S108 - see above
    data = root / "data"
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")

    def server(*args: str) -> None:
        subprocess.run([*prefix, *args], cwd=root, check=True, stdout=subprocess.DEVNULL)

    try:
        server(
            *(str(bindir / "initdb"), "-D", str(data), "-U", "octavo", "--auth=trust"),
            *("--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"),
        )
        port = free_port()
        options = " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items())
        server(
            *(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log")),
            *("-w", "-t", "60", "-o", f"-h 127.0.0.1 -p {port} -k {root} {options}", "start"),
        )
        server(
            str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "octavo", "octavo"
        )
        # "postgres (PostgreSQL) 15.18 (Debian ...)"
        version = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[2]
        yield f"postgresql://octavo@127.0.0.1:{port}/octavo", version
    finally:
        if (data / "postmaster.pid").exists():
            # Immediate: nothing in this server is worth a checkpoint.
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                cwd=root,
                stdout=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def _record_row(r: tuple[object, ...]) -> tuple[object, ...]:
    """A catalog_record row of `_rows` in RECORD_COLUMNS order."""
    (record_id, control, title, title_sort, responsibility, authors, year, fmt) = r[:8]
    (language, isbns, subjects, reading_level, call_number, marc, created, updated) = r[8:]
    return (
        *(record_id, control, "OCTAVO-BENCH", title, title_sort, responsibility, authors, ""),
        *("Invented Press", year, fmt, language, isbns, "[]", "[]", subjects, "[]", ""),
        *(reading_level, call_number, marc, None, created, updated),
    )


def _item_row(i: tuple[object, ...]) -> tuple[object, ...]:
    """A holdings_item row of `_rows` in ITEM_COLUMNS order."""
    barcode, record_id, site_id, call_class, cutter, status, created, updated = i
    return (
        *(barcode, record_id, site_id, None, "", call_class, cutter, "", "", "12.95", None),
        *("", status, "", "", created, updated, ""),
    )


def _document_sql(source: str) -> str:
    """The INSERT turning the index texts in table `source` into catalog_search rows, with the
    expression octavo.catalog.search_index writes: one weighted to_tsvector per column.

    search_index folds each text first (accents off, lower case). The generated words are plain
    ASCII, for which folding is lower-casing, and the 'simple' configuration lower-cases: the
    texts go in as they are and the tsvectors come out the same."""
    from octavo.catalog.search_index import _PG_WEIGHTS, COLUMNS

    vector = " || ".join(
        f"setweight(to_tsvector('simple', {column}), '{weight}')"
        for column, weight in zip(COLUMNS, _PG_WEIGHTS, strict=True)
    )
    return (
        f"INSERT INTO catalog_search (record_id, document) SELECT record_id, {vector} FROM {source}"  # noqa: S608 - constants
    )


def _load(url: str, count: int) -> tuple[Built, dict[str, float]]:
    """Write `count` records, their index entries and items into the migrated database.

    Returns what was built and the seconds each stage took."""
    import psycopg

    built = Built(0.0, Counter(), [], 0)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as db:
        site_ids = [row[0] for row in db.execute("SELECT id FROM district_site ORDER BY code")]
        # Indexes other than the keys are built once at the end: faster than keeping them up
        # to date row by row (a GIN index most of all), and denser.
        indexes = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(LOADED)],
        ).fetchall()
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.execute("SET session_replication_role = replica")
        _copy(db, url, count, site_ids, built)
        db.execute("RESET session_replication_role")
        seconds["copy"] = time.perf_counter() - started

        _say(f"copied in {seconds['copy']:.0f} s; building {len(indexes)} indexes")
        # Two at a time, one per core; the GIN index, much the longest, first.
        definitions = sorted((d for _, d in indexes), key=lambda d: " gin " not in d)
        _on_two_connections(url, definitions)
        seconds["indexes"] = time.perf_counter() - started - seconds["copy"]

        _say(f"indexes built in {seconds['indexes']:.0f} s; VACUUM ANALYZE")
        _on_two_connections(url, [f"VACUUM (ANALYZE) {table}" for table in LOADED])
        # Written out now rather than by the checkpointer while queries are timed.
        db.execute("CHECKPOINT")
        seconds["vacuum"] = time.perf_counter() - started - seconds["copy"] - seconds["indexes"]
    built.seconds = time.perf_counter() - started
    return built, seconds


def _copy(db: Any, url: str, count: int, site_ids: list[int], built: Built) -> None:
    """COPY the records and items in chunks; each chunk's index texts go to a scratch table of
    their own, which a second connection turns into tsvectors while the next chunk is made."""
    import psycopg

    from octavo.catalog.search_index import COLUMNS

    chunks: list[str] = []
    failed: list[BaseException] = []
    ready = threading.Condition()

    def index_chunks() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as indexer:
                indexer.execute("SET session_replication_role = replica")
                while True:
                    with ready:
                        ready.wait_for(lambda: chunks)
                        table = chunks.pop(0)
                    if not table:
                        return
                    with indexer.transaction():
                        indexer.execute(_document_sql(table))
                        indexer.execute(f"DROP TABLE {table}")
        except BaseException as error:  # reported by the main thread
            failed.append(error)

    worker = threading.Thread(target=index_chunks)
    worker.start()
    try:
        rows = _rows(count, site_ids, built, MARC_BYTES)
        for first in range(1, count + 1, CHUNK):
            record_rows, text_rows, item_rows = [], [], []
            for record_row, text_row, items in islice(rows, CHUNK):
                record_rows.append(_record_row(record_row))
                text_rows.append(text_row)
                item_rows += [_item_row(item) for item in items]
            table = f"bench_index_text_{first}"
            with db.transaction(), db.cursor() as cursor:
                cursor.execute(
                    f"CREATE UNLOGGED TABLE {table} (record_id bigint, "
                    + ", ".join(f"{column} text" for column in COLUMNS)
                    + ")"
                )
                for sql, batch in (
                    (f"COPY catalog_record ({RECORD_COLUMNS}) FROM STDIN", record_rows),
                    (f"COPY holdings_item ({ITEM_COLUMNS}) FROM STDIN", item_rows),
                    (f"COPY {table} FROM STDIN", text_rows),
                ):
                    with cursor.copy(sql) as copy:
                        for row in batch:
                            copy.write_row(row)
            with ready:
                chunks.append(table)
                ready.notify()
            if failed:
                break
            _say(f"{min(first - 1 + CHUNK, count):,} records copied")
    finally:
        with ready:
            chunks.append("")  # no more
            ready.notify()
        worker.join()
    if failed:
        raise failed[0]


def _on_two_connections(url: str, statements: list[str]) -> None:
    """Run the statements, in order, on two connections at a time."""
    import psycopg

    def run(sql: str) -> None:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(sql)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(run, sql) for sql in statements]:
            done.result()


def _database_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp, _server() as (url, version):
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(Path(tmp) / "var"),
                "OCTAVO_DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
            }
        )
        _say(f"migrating a fresh PostgreSQL {version} database")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)

        import django

        django.setup()
        from django.db import connection

        from octavo.district.services import create_site
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        for code, name in SITES:
            create_site(actor=actor, code=code, name=name, at=now())
        _say(f"writing {RECORDS:,} records with their index entries and items")
        built, stages = _load(url, RECORDS)
        size_gb = _database_size(url) / 1024**3
        built_how = (
            f"loaded in {built.seconds / 60:.0f} min (copy {stages['copy'] / 60:.0f}, indexes "
            f"{stages['indexes'] / 60:.0f}, vacuum {stages['vacuum'] / 60:.0f}), {size_gb:.1f} GB"
        )
        _say(f"{built_how}, {built.items:,} items")
        queries = _query_mix(built)
        common = ", ".join(f"{w!r} in {n:,} titles" for w, n in built.title_words.most_common(3))
        _say(f"{len(queries)} queries; most common title words: {common}")
        measured = _measure(queries)
        load = os.getloadavg()
        connection.close()

    retrieval = measured["retrieval"]
    full = measured["full"]
    assert isinstance(retrieval, list) and isinstance(full, list)
    slow_text, slow_ms = measured["retrieval_slowest"]
    _say(f"slowest query: {slow_text!r}, {slow_ms:.0f} ms")
    settings = ", ".join(f"{name}={SERVER_SETTINGS[name]}" for name in SETTINGS_SHOWN)
    data = (
        f"{RECORDS:,} synthetic records (Zipf-like words; {built.items:,} items at 3 sites; "
        f"{built_how}), PostgreSQL {version} ({settings}, no parallel workers), warm; "
        f"{len(queries)} queries (the 20 most frequent title words, 2- and 3-word, prefixes, "
        f"author, subject, ISBN); load average {load[0]:.1f} after the passes"
    )
    return search_figures(data, retrieval, full, str(slow_text), float(slow_ms))
