"""Catalog search at scale on the embedded default (SQLite FTS5): ranked retrieval and the full
search call with facet counts and availability, over a fixed, seeded mix of 1-3 word queries.

The database is built in a temporary directory for this run only: `octavo migrate`, three
sites made through the service, then BENCH_SEARCH_RECORDS records (default 1,000,000) written
straight into catalog_record, catalog_search and holdings_item in batches of 500 rows per
transaction, as the importer commits them. That is a shortcut: import_marc runs at about 2,400
records/s (docs/benchmarks.md), so a million records through it would take seven minutes of the
benchmark's budget. The rows are what the importer writes, with these differences: the index
text comes from the same octavo.catalog.search_index.document, but the Description is built
here rather than read from MARC; the `marc` column holds a placeholder of MARC_BYTES bytes, not
a record; there are no match keys (search does not read them).

The words follow bench/marc_generator.py: the same vocabulary and Zipf-like weights for title
words, author surnames and subjects, so a few words are very common and most are rare. Formats,
languages, years and reading levels follow a school collection's proportions; about 60 % of the
records have items, at one or more of three sites, most of them on the shelf.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench.common import Figure, percentile
from bench.marc_generator import COMMON, SUBJECTS, _vocabulary, _zipf_weights

RECORDS = int(os.environ.get("BENCH_SEARCH_RECORDS", "1000000"))
# Timed passes over the whole query mix, after one untimed warm-up pass: 5 passes of ~60
# queries give ~300 samples per figure, enough for a p99 that is not a single outlier.
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "5"))
SEED = 2026
BATCH = 500  # rows per transaction, as octavo.catalog.importer.BATCH_SIZE
# A typical vendor record with notes and subjects is about a kilobyte of ISO 2709; the
# generator's own records are ~350 bytes because they carry few fields.
MARC_BYTES = 1000
SITES = (("NOR", "North Elementary"), ("MID", "Middle School"), ("HIG", "High School"))
ITEM_SHARE = 0.6  # records with at least one item; the rest are e-resources, weeded, on order

# A school collection's proportions (invented, but not uniform).
FORMATS = {
    "book": 86,
    "e-resource": 4,
    "video": 3,
    "audio": 3,
    "periodical": 1,
    "kit": 1,
    "music": 1,
    "map": 0.5,
    "score": 0.5,
}
LANGUAGES = {"eng": 86, "spa": 9, "fre": 2, "chi": 1, "vie": 1, "ger": 1}
READING_LEVELS = ["", "Ages 4-8", "Grades K-2", "Grades 3-5", "Grades 6-8", "Grades 9-12"]
READING_WEIGHTS = [55, 10, 10, 10, 8, 7]
ITEM_STATUSES = {"available": 80, "checked_out": 15, "in_transit": 2, "missing": 2, "lost": 1}
FIRST_NAMES = ["Alex", "Maria", "Sam", "Jordan", "Lee", "Ana", "Chris", "Kim", "Pat", "Robin"]


def _octavo() -> list[str]:
    return [sys.executable, "-m", "octavo.interfaces.cli.main"]


def _say(text: str) -> None:
    print(f"search: {text}", file=sys.stderr, flush=True)


def _isbn13(rng: random.Random) -> str:
    body = "978" + "".join(rng.choice("0123456789") for _ in range(9))
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


@dataclass
class Built:
    seconds: float
    title_words: Counter[str]  # in how many titles each word occurs
    samples: list[tuple[str, str, str]]  # (title, author surname, ISBN-13) of some records
    items: int


# One record's rows: catalog_record (the columns `_build` inserts), catalog_search (the id and
# the document's texts) and holdings_item (likewise), as `_rows` yields them.
Rows = tuple[tuple[object, ...], tuple[object, ...], list[tuple[object, ...]]]


def _rows(
    count: int, site_ids: list[int], built: Built, marc_bytes: int = MARC_BYTES
) -> Iterator[Rows]:
    """The rows of records 1..`count`, in order; counts their title words, samples and items in
    `built`. Shared with bench_search_pg, which writes the same records to PostgreSQL."""
    from octavo.catalog.mapping import Description, Format, Isbns
    from octavo.catalog.search_index import document

    rng = random.Random(SEED)
    vocab = _vocabulary(20_000, random.Random(SEED))
    word_weights = _zipf_weights(len(vocab))
    # The generator's name list starts with its common title words ("The, Alex."): not here.
    surnames = [w for w in _vocabulary(5_000, random.Random(SEED + 1)) if w not in COMMON]
    name_weights = _zipf_weights(len(surnames), 0.9)
    subject_weights = _zipf_weights(len(SUBJECTS), 1.2)
    formats, format_weights = list(FORMATS), list(FORMATS.values())
    languages, language_weights = list(LANGUAGES), list(LANGUAGES.values())
    statuses, status_weights = list(ITEM_STATUSES), list(ITEM_STATUSES.values())
    marc = b"\x1e" * marc_bytes
    stamp = "2026-01-05 08:00:00"
    for record_id in range(1, count + 1):
        words = rng.choices(vocab, cum_weights=word_weights, k=rng.randint(1, 7))
        title = " ".join(words).capitalize()
        built.title_words.update(set(words))
        surname = rng.choices(surnames, cum_weights=name_weights)[0].capitalize()
        given = rng.choice(FIRST_NAMES)
        subjects = sorted(set(rng.choices(SUBJECTS, cum_weights=subject_weights, k=2)))
        fmt = rng.choices(formats, format_weights)[0]
        isbn = _isbn13(rng) if fmt in ("book", "audio", "kit") and rng.random() < 0.8 else ""
        year = max(1950, 2026 - int(rng.expovariate(1 / 12)))
        classification = f"{rng.randint(0, 999):03d}.{rng.randint(0, 99)}"
        call_number = f"{classification} {surname[:3].upper()}"
        description = Description(
            control_number=f"syn{record_id:08d}",
            control_number_source="OCTAVO-BENCH",
            system_numbers=(),
            title=title,
            responsibility=f"by {given} {surname}",
            authors=(f"{surname}, {given}.",),
            edition="",
            publisher="Invented Press",
            year=year,
            isbns=Isbns(valid=(isbn,) if isbn else (), invalid=()),
            issns=(),
            format=Format(fmt),
            language=rng.choices(languages, language_weights)[0],
            subjects=tuple(subjects),
            series=(),
            summary="",
            reading_level=rng.choices(READING_LEVELS, READING_WEIGHTS)[0],
            call_number=call_number,
        )
        d = description
        title_sort = title.lower().removeprefix("the ").removeprefix("a ")[:255]
        record_row = (
            record_id,
            d.control_number,
            d.title,
            title_sort,
            d.responsibility,
            json.dumps(list(d.authors)),
            d.year,
            d.format.value,
            d.language,
            json.dumps(list(d.isbns.valid)),
            json.dumps(list(d.subjects)),
            d.reading_level,
            d.call_number,
            marc,
            stamp,
            stamp,
        )
        item_rows: list[tuple[object, ...]] = []
        if rng.random() < ITEM_SHARE:
            copies = 1 if rng.random() < 0.8 else rng.randint(2, 3)
            for site_id in rng.sample(site_ids, copies):
                built.items += 1
                item_rows.append(
                    (
                        f"3123{built.items:09d}",
                        record_id,
                        site_id,
                        classification,
                        surname[:3].upper(),
                        rng.choices(statuses, status_weights)[0],
                        stamp,
                        stamp,
                    )
                )
        if record_id % 997 == 0:
            built.samples.append((title, surname, isbn))
        yield record_row, (record_id, *document(d)), item_rows


def _build(path: Path, count: int) -> Built:
    """Write `count` records, their index entries and their items into the migrated database."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    site_ids = [row[0] for row in db.execute("SELECT id FROM district_site ORDER BY code")]
    record_sql = (
        "INSERT INTO catalog_record (id, control_number, control_number_source, title, "
        "title_sort, responsibility, authors, edition, publisher, year, format, language, isbns, "
        "invalid_isbns, issns, subjects, series, summary, reading_level, call_number, marc, "
        "marc_original, created_at, updated_at) VALUES "
        "(?, ?, 'OCTAVO-BENCH', ?, ?, ?, ?, '', 'Invented Press', ?, ?, ?, ?, '[]', '[]', ?, "
        "'[]', '', ?, ?, ?, NULL, ?, ?)"
    )
    search_sql = (
        "INSERT INTO catalog_search (rowid, title, authors, subjects, series, identifiers, "
        "call_number, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    item_sql = (
        "INSERT INTO holdings_item (barcode, record_id, site_id, location_id, call_prefix, "
        "call_class, call_cutter, call_volume, copy_number, price, acquired_on, condition, "
        "status, public_note, staff_note, created_at, updated_at, properties) VALUES "
        "(?, ?, ?, NULL, '', ?, ?, '', '', '12.95', NULL, '', ?, '', '', ?, ?, '')"
    )
    built = Built(0.0, Counter(), [], 0)
    started = time.perf_counter()
    rows = _rows(count, site_ids, built)
    for first in range(1, count + 1, BATCH):
        record_rows, search_rows, item_rows = [], [], []
        for record_row, search_row, items in islice(rows, BATCH):
            record_rows.append(record_row)
            search_rows.append(search_row)
            item_rows += items
        db.execute("BEGIN")
        db.executemany(record_sql, record_rows)
        db.executemany(search_sql, search_rows)
        db.executemany(item_sql, item_rows)
        db.execute("COMMIT")
        if first // BATCH % 200 == 0:
            _say(f"{first - 1:,} records written")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    built.seconds = time.perf_counter() - started
    return built


def _query_mix(built: Built) -> list[str]:
    """What people type: the 20 most frequent title words alone, 2- and 3-word queries taken
    from titles, words still being typed, a few author and subject searches, ISBNs in the
    forms they are printed. No trailing space, so the last word is also a prefix, as when a
    student presses Enter after typing."""
    from octavo.catalog.query import STOP_WORDS

    rng = random.Random(SEED + 7)
    queries = [word for word, _ in built.title_words.most_common(20)]
    content = [
        [w.lower() for w in title.split() if w.lower() not in STOP_WORDS]
        for title, _, _ in built.samples
    ]
    two = [words for words in content if len(words) >= 2]
    three = [words for words in content if len(words) >= 3]
    for words in rng.sample(two, 15):
        start = rng.randrange(len(words) - 1)
        queries.append(" ".join(words[start : start + 2]))
    for words in rng.sample(three, 10):
        start = rng.randrange(len(words) - 2)
        queries.append(" ".join(words[start : start + 3]))
    queries += ["hist", "adven", "dinosa"]
    surnames = [surname.lower() for _, surname, _ in built.samples]
    common_surname = Counter(surnames).most_common(1)[0][0]
    queries += [f"author:{common_surname}", *(f"au:{s}" for s in rng.sample(surnames, 4))]
    queries += ["subject:dinosaurs", 'subject:"fairy tales"', "su:science history"]
    isbns = [isbn for _, _, isbn in built.samples if isbn]
    first, second = rng.sample(isbns, 2)
    queries.append(first[3:12] + _isbn10_check(first[3:12]))  # ISBN-10, no hyphens
    queries.append(f"{second[:3]}-{second[3]}-{second[4:8]}-{second[8:12]}-{second[12]}")
    return queries


def _isbn10_check(nine: str) -> str:
    total = sum((10 - i) * int(d) for i, d in enumerate(nine))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _time(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    """Milliseconds per call: one untimed warm-up pass, then `rounds` passes in shuffled order."""
    for call in calls:
        call()
    samples = []
    rng = random.Random(SEED + 11)
    for _ in range(rounds):
        order = list(calls)
        rng.shuffle(order)
        for call in order:
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def _slowest(calls: dict[str, Callable[[], object]]) -> tuple[str, float]:
    worst = ("", 0.0)
    for text, call in calls.items():
        started = time.perf_counter()
        call()
        ms = (time.perf_counter() - started) * 1000
        worst = max(worst, (text, ms), key=lambda pair: pair[1])
    return worst


def _measure(queries: list[str]) -> dict[str, list[float] | tuple[str, float]]:
    from octavo.catalog.query import parse
    from octavo.catalog.search import Filters, ranked, search

    def retrieval(text: str) -> Callable[[], object]:
        return lambda: ranked(parse(text))

    filtered = [
        Filters(site=SITES[0][0], available=True),
        Filters(language="spa"),
        Filters(format="video"),
    ]

    def full(text: str, filters: Filters) -> Callable[[], object]:
        return lambda: search(text, filters=filters)

    retrieval_calls = {text: retrieval(text) for text in queries}
    # Every query plainly; every third one also with a filter (site and on the shelf, language
    # or format, in turn), as the OPAC's facet links send them.
    full_calls = [full(text, Filters()) for text in queries]
    full_calls += [
        full(text, filtered[n // 3 % len(filtered)]) for n, text in enumerate(queries) if n % 3 == 0
    ]
    return {
        "retrieval": _time(list(retrieval_calls.values()), ROUNDS),
        "retrieval_slowest": _slowest(retrieval_calls),
        "full": _time(full_calls, ROUNDS),
    }


def _match_counts(path: Path, words: list[str]) -> Iterator[tuple[str, int]]:
    db = sqlite3.connect(path)
    try:
        for word in words:
            (n,) = db.execute(
                "SELECT count(*) FROM catalog_search WHERE catalog_search MATCH ?", [f'"{word}"']
            ).fetchone()
            yield word, n
    finally:
        db.close()


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
        from octavo.district.services import create_site
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        for code, name in SITES:
            create_site(actor=actor, code=code, name=name, at=now())
        _say(f"writing {RECORDS:,} records with their index entries and items")
        built = _build(path, RECORDS)
        size_mb = path.stat().st_size / 1024 / 1024
        _say(f"built in {built.seconds:.0f} s: {size_mb:,.0f} MiB, {built.items:,} items")
        queries = _query_mix(built)
        top = [w for w, _ in built.title_words.most_common(3)]
        common = ", ".join(f"{w!r} in {n:,} records" for w, n in _match_counts(path, top))
        _say(f"{len(queries)} queries; most common title words: {common}")
        measured = _measure(queries)

    retrieval = measured["retrieval"]
    full = measured["full"]
    assert isinstance(retrieval, list) and isinstance(full, list)
    slow_text, slow_ms = measured["retrieval_slowest"]
    data = (
        f"{RECORDS:,} synthetic records (Zipf-like words; {built.items:,} items at 3 sites), "
        f"SQLite FTS5, warm; {len(queries)} queries (the 20 most frequent title words, 2- and "
        f"3-word, prefixes, author, subject, ISBN)"
    )
    return search_figures(data, retrieval, full, str(slow_text), float(slow_ms))


def search_figures(
    data: str, retrieval: list[float], full: list[float], slow_text: str, slow_ms: float
) -> list[Figure]:
    """The figures both search benchmarks report (SQLite here, PostgreSQL in bench_search_pg),
    `data` saying what was searched."""
    how_retrieval = f"{data}; {ROUNDS} timed passes after a warm-up, {len(retrieval)} calls"
    how_full = (
        f"{data}, a third also with a site+available, language or format filter; "
        f"{ROUNDS} timed passes after a warm-up, {len(full)} calls"
    )
    figures = [
        Figure(f"ranked retrieval: {name}", percentile(retrieval, p), "ms", how_retrieval)
        for name, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    ]
    figures.append(
        Figure(
            "ranked retrieval: slowest query, once",
            slow_ms,
            "ms",
            f"{slow_text!r} (of the mix above, each run once more after the passes)",
        )
    )
    figures += [
        Figure(
            f"full search with facets and availability: {name}", percentile(full, p), "ms", how_full
        )
        for name, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    ]
    return figures
