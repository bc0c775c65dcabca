"""The public catalog's pages at scale (issue #6, "Figures": at 1M records, the search results
page's server time p95 at most 80 ms, the record page's p95 at most 40 ms; a results page
weighs under 100 kB before images).

The database is bench_search's: the same temporary SQLite file, `octavo migrate`, its three
sites through the service and its direct-SQL builder (`_build`), here with BENCH_OPAC_RECORDS
records (default 1,000,000). Then, for the record page:
- an open loan (one patron, made through the service) for every item the builder marked
  checked out, due in the next three weeks or a few days overdue, so copies show their due date;
- real MARC for the records whose pages are timed only: one ISO 2709 record each, made with
  pymarc from the record's own columns plus a 520 summary (also written to the `summary`
  column, as the importer maps it), a 505 contents note, 650 subjects and sometimes a 500 note
  and a 521 audience. The other records keep bench_search's placeholder: the search pages never
  read `marc`, and pymarc takes ~70 us a record, a minute more of build at 1M.

What is timed is the whole request in this process: Django's test Client through the real
middleware stack, URL resolver and templates, DEBUG off, no socket (the server's time, not the
network's or a browser's). After one untimed warm-up pass:
- /search?q=... with bench_search's seeded query mix, every query plainly and every third one
  also with a facet link's filter (on the shelf at a site, format, language, in turn);
  BENCH_OPAC_ROUNDS passes (default 4) in shuffled order;
- /record/<id> for BENCH_OPAC_RECORD_PAGES seeded record ids (default 300; a third with items
  at several sites, a third with a copy on loan, a third any record, some with no items), one
  pass in shuffled order.
The results pages' weight is the HTML's bytes over the query mix; the stylesheet is the only
other resource a results page loads. BENCH_OPAC_PROFILE=N profiles N more requests of each kind
(cProfile) and prints the largest costs.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import urlencode

from bench.bench_search import SEED, SITES, _build, _octavo, _query_mix, _time
from bench.common import Figure, load_average, percentile
from bench.marc_generator import _vocabulary

# bench/run.py's limit: the 1M-record build takes several minutes on the 2-core machine.
TIMEOUT_S = 1800
RECORDS = int(os.environ.get("BENCH_OPAC_RECORDS", "1000000"))
# ~80 search requests a pass (the mix and its filtered third): 4 passes give ~320 samples.
ROUNDS = int(os.environ.get("BENCH_OPAC_ROUNDS", "4"))
RECORD_PAGES = int(os.environ.get("BENCH_OPAC_RECORD_PAGES", "300"))
PROFILED = int(os.environ.get("BENCH_OPAC_PROFILE", "0"))
# The facet links' filters, as the OPAC writes them into the address.
FILTERS = ({"available": "on", "site": SITES[0][0]}, {"format": "book"}, {"language": "spa"})
LOAN_DAYS = 21
KB = 1000  # issue #6's "100 kB": bytes as a browser's network panel counts them

SEARCH_P95_MS = 80
RECORD_P95_MS = 40
WEIGHT_KB = 100


def _say(text: str) -> None:
    print(f"opac: {text}", file=sys.stderr, flush=True)


def _stamp(moment: datetime) -> str:
    """A datetime as Django stores it in SQLite (UTC, no zone)."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _lend(path: Path, patron_id: int, patron_type_id: int, at: datetime) -> int:
    """An open loan for every item the builder marked checked out: lent in the last three
    weeks for LOAN_DAYS days, so most are due soon and some are overdue."""
    rng = random.Random(SEED + 21)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    out = db.execute(
        "SELECT id, site_id FROM holdings_item WHERE status = 'checked_out' ORDER BY id"
    ).fetchall()
    rows = []
    for item_id, site_id in out:
        lent = at - timedelta(days=rng.uniform(0, LOAN_DAYS + 7))
        due = lent + timedelta(days=LOAN_DAYS)
        rows.append((item_id, patron_id, patron_type_id, site_id, _stamp(lent), _stamp(due)))
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO circulation_loan (item_id, patron_id, patron_type_id, grade, site_id, "
        "status, checked_out_at, due_at, renewals, ended_at, returned_site_id) "
        "VALUES (?, ?, ?, '', ?, 'open', ?, ?, 0, NULL, NULL)",
        rows,
    )
    db.execute("COMMIT")
    db.close()
    return len(rows)


def _record_sample(path: Path) -> list[int]:
    """RECORD_PAGES record ids: a third with items at several sites, a third with a copy on
    loan, the rest drawn from every record (so some have no items at all)."""
    rng = random.Random(SEED + 23)
    db = sqlite3.connect(path)
    several = [
        row[0]
        for row in db.execute(
            "SELECT record_id FROM holdings_item GROUP BY record_id "
            "HAVING count(DISTINCT site_id) > 1 ORDER BY record_id"
        )
    ]
    on_loan = [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT i.record_id FROM circulation_loan l "
            "JOIN holdings_item i ON i.id = l.item_id ORDER BY i.record_id"
        )
    ]
    db.close()
    third = RECORD_PAGES // 3
    chosen = set(rng.sample(several, min(third, len(several))))
    chosen |= set(rng.sample(on_loan, min(third, len(on_loan))))
    while len(chosen) < min(RECORD_PAGES, RECORDS):
        chosen.add(rng.randint(1, RECORDS))
    return sorted(chosen)


def _field(tag: str, indicators: str, *pairs: tuple[str, str]) -> Any:
    import pymarc

    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators(indicators[0], indicators[1]),
        subfields=[pymarc.Subfield(code, value) for code, value in pairs],
    )


def _sentence(rng: random.Random, vocab: list[str], words: int) -> str:
    return " ".join(rng.choices(vocab[:3000], k=words)).capitalize() + "."


def _describe(path: Path, record_ids: list[int]) -> None:
    """Real MARC, and the summary the importer would map from it, for the given records."""
    import pymarc

    rng = random.Random(SEED + 29)
    vocab = _vocabulary(20_000, random.Random(SEED))
    db = sqlite3.connect(path, isolation_level=None)
    updates = []
    for record_id in record_ids:
        control, title, responsibility, authors, year, isbns, subjects, language, level = (
            db.execute(
                "SELECT control_number, title, responsibility, authors, year, isbns, subjects, "
                "language, reading_level FROM catalog_record WHERE id = ?",
                [record_id],
            ).fetchone()
        )
        summary = " ".join(
            _sentence(rng, vocab, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))
        )
        record = pymarc.Record(force_utf8=True, leader="00000nam a2200000 i 4500")
        record.add_field(pymarc.Field(tag="001", data=control))
        record.add_field(pymarc.Field(tag="003", data="OCTAVO-BENCH"))
        record.add_field(
            pymarc.Field(
                tag="008",
                data=f"250101s{year or '    '}    xxu    j      000 1 {language or 'eng'} d",
            )
        )
        for isbn in json.loads(isbns):
            record.add_field(_field("020", "  ", ("a", isbn)))
        for n, author in enumerate(json.loads(authors)):
            record.add_field(_field("100" if n == 0 else "700", "1 ", ("a", author)))
        record.add_field(_field("245", "10", ("a", f"{title} /"), ("c", f"{responsibility}.")))
        record.add_field(
            _field("264", " 1", ("a", "Springfield :"), ("b", "Invented Press,"), ("c", str(year)))
        )
        record.add_field(
            _field("300", "  ", ("a", f"{rng.randint(24, 400)} pages :"), ("b", "illustrations"))
        )
        if rng.random() < 0.3:
            record.add_field(_field("500", "  ", ("a", _sentence(rng, vocab, rng.randint(5, 12)))))
        chapters = [
            _sentence(rng, vocab, rng.randint(1, 4))[:-1] for _ in range(rng.randint(4, 16))
        ]
        record.add_field(_field("505", "0 ", ("a", " -- ".join(chapters) + ".")))
        record.add_field(_field("520", "  ", ("a", summary)))
        if level:
            record.add_field(_field("521", "  ", ("a", f"{level}.")))
        for subject in json.loads(subjects):
            record.add_field(_field("650", " 0", ("a", f"{subject}.")))
        updates.append((record.as_marc(), summary, record_id))
    db.execute("BEGIN")
    db.executemany("UPDATE catalog_record SET marc = ?, summary = ? WHERE id = ?", updates)
    db.execute("COMMIT")
    db.close()


@dataclass
class Pages:
    """What the timed passes saw, besides the time: each address's answer size in bytes."""

    sizes: dict[str, int]


def _addresses() -> Iterator[str]:
    for n in count(1):
        yield f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _calls(urls: list[str], pages: Pages) -> list[Callable[[], object]]:
    from django.test import Client

    client = Client()
    # The OPAC counts searches per address in Django's cache (300 a minute, access.SEARCH_RATE),
    # and django-ratelimit refuses a dummy cache: each request comes from an address of its
    # own, so none is refused and each still pays for its count as a reader's request does.
    addresses = _addresses()

    def call(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url, REMOTE_ADDR=next(addresses))
            if response.status_code != 200:
                raise AssertionError(f"{url}: HTTP {response.status_code}")
            pages.sizes[url] = len(response.content)
            return response

        return get

    return [call(url) for url in urls]


def _parts(urls: list[str]) -> str:
    """How many of the record pages show what the data is there to exercise (untimed)."""
    from django.test import Client

    client = Client()
    marks = {
        "a due date": "\u00b7 due ",
        "a summary": 'id="summary-heading"',
        "contents": 'id="contents-heading"',
        "copies at several sites": None,
    }
    found = dict.fromkeys(marks, 0)
    for url in urls:
        html = client.get(url).content.decode()
        for name, mark in marks.items():
            found[name] += mark in html if mark else html.count('class="copies"') > 1
    return ", ".join(f"{n} with {name}" for name, n in found.items())


def _profile(label: str, calls: list[Callable[[], object]]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for call in calls:
        call()
    profiler.disable()
    # Own time over everything; cumulative time within Octavo's code (the middleware's
    # wrappers would otherwise fill the cumulative list).
    for order, within in (("tottime", ""), ("cumulative", "/octavo/")):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(within, 20)
        _say(f"{label}, {len(calls)} requests, by {order}:\n{out.getvalue()}")


def _search_urls(queries: list[str]) -> list[str]:
    """Every query plainly; every third also with a facet link's filter, in turn (as
    bench_search does with the service's Filters)."""
    urls = [f"/search?{urlencode({'q': text})}" for text in queries]
    urls += [
        f"/search?{urlencode({'q': text, **FILTERS[n // 3 % len(FILTERS)]})}"
        for n, text in enumerate(queries)
        if n % 3 == 0
    ]
    return urls


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        path = root / "octavo.sqlite3"
        # This process is the harness's child for this benchmark alone (bench/run.py).
        os.environ.update(
            {
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": f"sqlite:///{path}",
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                "OCTAVO_DEBUG": "false",
                # `testserver` is the host name Django's test Client sends.
                "OCTAVO_ALLOWED_HOSTS": "testserver",
                "OCTAVO_LOG_LEVEL": "WARNING",
            }
        )
        _say("migrating a fresh SQLite database")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)

        import django

        django.setup()
        from django.contrib.staticfiles import finders

        from octavo.district.services import create_site
        from octavo.patrons.services import PatronFields, create_patron
        from octavo.shared.actor import Actor
        from octavo.shared.clock import now

        actor = Actor.command_line("bench")
        at = now()
        for code, name in SITES:
            create_site(actor=actor, code=code, name=name, at=at)
        reader = create_patron(
            actor=actor,
            fields=PatronFields(
                barcode="BENCH-READER", first_name="Sam", last_name="Reader",
                patron_type="student", site_code=SITES[0][0],
            ),
            at=at,
        )  # fmt: skip
        _say(f"writing {RECORDS:,} records with their index entries and items (bench_search)")
        built = _build(path, RECORDS)
        loans = _lend(path, reader.pk, reader.patron_type_id, at)
        record_ids = _record_sample(path)
        _describe(path, record_ids)
        size_mb = path.stat().st_size / 1024 / 1024
        _say(
            f"built in {built.seconds:.0f} s: {size_mb:,.0f} MiB, {built.items:,} items, "
            f"{loans:,} open loans; MARC for {len(record_ids)} records"
        )

        queries = _query_mix(built)
        search_urls = _search_urls(queries)
        record_urls = [f"/record/{record_id}" for record_id in record_ids]
        searched, shown = Pages({}), Pages({})
        _say(f"{len(search_urls)} search pages x {ROUNDS} passes after a warm-up")
        search_ms = _time(_calls(search_urls, searched), ROUNDS)
        _say(f"{len(record_urls)} record pages, one pass after a warm-up")
        record_ms = _time(_calls(record_urls, shown), 1)
        load = load_average()
        shown_parts = _parts(record_urls)
        if PROFILED:
            _profile("search page", _calls(search_urls[:PROFILED], Pages({})))
            _profile("record page", _calls(record_urls[:PROFILED], Pages({})))
        css_path = finders.find("opac/opac.css")
        assert isinstance(css_path, str), css_path
        css = Path(css_path).stat().st_size

    data = (
        f"{RECORDS:,} synthetic records (bench_search's builder: {built.items:,} items at 3 "
        f"sites, {loans:,} open loans), SQLite FTS5, warm; Django test Client in-process through "
        f"the middleware stack, DEBUG off; {load}"
    )
    how_search = (
        f"{data}; {len(search_urls)} addresses: bench_search's {len(queries)}-query mix, "
        f"a third also with a site+available, format or language filter; {ROUNDS} timed "
        f"passes after a warm-up, {len(search_ms)} requests; issue #6: p95 at most "
        f"{SEARCH_P95_MS} ms"
    )
    how_record = (
        f"{data}; {len(record_urls)} records (a third with items at several sites, a third with "
        f"a copy on loan; {shown_parts}), MARC made with pymarc; one timed pass after a warm-up; "
        f"issue #6: p95 at most {RECORD_P95_MS} ms"
    )
    weights = sorted(searched.sizes.values())
    heaviest = max(searched.sizes, key=lambda url: searched.sizes[url])
    how_weight = (
        f"HTML bytes of the {len(weights)} results pages above (20 results a page), "
        f"uncompressed; with the stylesheet the largest is {(weights[-1] + css) / KB:.1f} kB; "
        f"issue #6: under {WEIGHT_KB} kB before images"
    )
    figures = [
        Figure(f"search results page: {name}", percentile(search_ms, p), "ms", how_search)
        for name, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    ]
    figures += [
        Figure(f"record page: {name}", percentile(record_ms, p), "ms", how_record)
        for name, p in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    ]
    figures += [
        Figure("results page weight: median", median(weights) / KB, "kB", how_weight),
        Figure(
            "results page weight: largest",
            weights[-1] / KB,
            "kB",
            f"{how_weight}; the largest: {heaviest}",
        ),
        Figure(
            "stylesheet opac.css",
            css / KB,
            "kB",
            "the only other resource of a results page (no scripts, no web fonts), uncompressed",
        ),
    ]
    return figures
