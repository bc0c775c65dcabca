"""Catalog search: ranked records with facet counts, on SQLite FTS5 or PostgreSQL full text.

One interface (`search`) for the staff side, the OPAC and the API.

The cost of a search is bounded by design, not by caching (issue #3: scoring every match of a
common word took 170 ms at 1M records, over 1 s with a cold cache). The index hands over the
matches of a query newest record first and stops at CANDIDATES; only those are ranked, counted
for the facets and filtered (`ranked` says how). A word found in 400,000 records therefore
costs about what one found in 2,000 does. What that gives up: when a query matches more than
CANDIDATES records, the rest are not considered, and the result says so (`more`). A query
precise enough to look for a particular book matches far fewer, and is ranked by relevance.

A word still being typed is also looked up as the start of longer words (`dinosa` finds
dinosaurs), from PREFIX_MIN_CHARS letters on. On SQLite the longer words are first looked up in
the index's word list and searched by name: FTS5's own prefix query merges the postings of
every such word, for the whole catalog, before it returns the first match.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from django.db import connection

from octavo.catalog.models import Record
from octavo.catalog.query import COLUMNS_FOR, Field, Query, Term, parse
from octavo.catalog.selectors import availability
from octavo.district.models import Site
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus

# Matches scored per query: 100 pages of 20, and enough for facet counts a reader can use
# ("English 1,712"). Each costs about 3 microseconds at 1M records (its bm25 score and its
# record's facet columns); 2,000 keeps the whole search within issue #3's 20 ms p95 with room
# for the words' own costs (docs/benchmarks.md, `search`).
CANDIDATES = 2000
# `ca` would expand to every indexed word starting with ca (thousands, a third of a catalog);
# from three letters on the expansion is narrow enough to help someone who is still typing.
PREFIX_MIN_CHARS = 3
# ... and only when the words as typed match fewer records than a page shows: a word with
# that many matches of its own is most likely finished (`space`, not `spaceship`).
EXPAND_BELOW = 20
# Longer words a typed start is searched as by name. Each is one more OR'ed word for the index
# and for bm25; past a few dozen (a three-letter start such as `con`) FTS5's own prefix query,
# which reads them all at once, is used instead.
PREFIX_MAX_WORDS = 32
# bm25 column weights, in COLUMNS order: title, authors, subjects, series, identifiers,
# call_number, other.
_WEIGHTS = (10.0, 6.0, 3.0, 3.0, 10.0, 4.0, 1.0)
FACETS = ("format", "language", "year", "reading_level")  # counted from the candidates
ALL_FACETS = (*FACETS, "site", "available")  # the last two counted from their items
# A candidate: id, score (higher is better), then the FACETS columns in that order.
Candidate = tuple[int, float, str, str, int | None, str]
_FACET_COLUMN = {name: n for n, name in enumerate(FACETS, start=2)}


@dataclass(frozen=True)
class Filters:
    format: str = ""
    language: str = ""
    year: int | None = None
    reading_level: str = ""
    site: str = ""  # a site code: records with an item there
    available: bool = False  # records with an item on the shelf (at `site`, if given)


@dataclass
class SearchResult:
    total: int
    results: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # True when the query matched more records than are ranked and counted (CANDIDATES):
    # `total` and the facet counts are then those of the CANDIDATES best, "2,000 or more".
    more: bool = False


def _expands(term: Term) -> bool:
    return term.prefix and len(term.words[-1]) >= PREFIX_MIN_CHARS


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


# A word being typed -> the indexed words starting with it, or None when there are too many.
Forms = dict[str, list[str] | None]


def _fts_term(term: Term, forms: Forms) -> str:
    if len(term.words) > 1:
        phrase = _quoted(" ".join(term.words))
    elif not _expands(term):
        phrase = f"({_quoted(term.words[0])})"
    else:
        word = term.words[0]
        named = forms.get(word)
        if named is None:
            # FTS5's own prefix query. The exact word is there twice, so `cat` ranks "cat"
            # above "catalog" while still finding what a student is halfway through typing.
            phrase = f"({_quoted(word)} OR {_quoted(word)} *)"
        else:
            phrase = "(" + " OR ".join(_quoted(w) for w in named or [word]) + ")"
    columns = COLUMNS_FOR.get(term.field)
    return f"{{{' '.join(columns)}}} : {phrase}" if columns else phrase


def fts5_expression(query: Query, forms: Forms | None = None) -> str:
    """The FTS5 query. A word being typed is searched as the indexed words that start with it
    when `forms` names them, else with FTS5's prefix query (`"word" *`)."""
    return " AND ".join(_fts_term(t, forms or {}) for t in query.terms)


def _longer_words(cursor: Any, start: str) -> list[str] | None:
    """The indexed words starting with `start` (itself included, when indexed), or None when
    there are more than PREFIX_MAX_WORDS. One step per word: the fts5vocab table (migration
    0003) goes to the first word at or after a given one without reading its postings."""
    # Index words compare as UTF-8 bytes: the start with its last character's successor bounds
    # the range, and a word followed by U+0001 comes just after that word.
    end = start[:-1] + chr(ord(start[-1]) + 1)
    words: list[str] = []
    while len(words) <= PREFIX_MAX_WORDS:
        cursor.execute(
            "SELECT term FROM catalog_search_terms WHERE term >= %s AND term < %s LIMIT 1",
            [words[-1] + "\x01" if words else start, end],
        )
        row = cursor.fetchone()
        if row is None:
            return words
        words.append(row[0])
    return None


_PG_WEIGHT = {
    Field.TITLE: "A",
    Field.AUTHOR: "B",
    Field.SUBJECT: "C",
    Field.SERIES: "C",
    Field.ISBN: "A",
    Field.CALL_NUMBER: "B",
}


def pg_tsquery(query: Query) -> str:
    """The tsquery text: each term's words in sequence, labelled with the field's weight.

    The weights mirror octavo.catalog.search_index (title A, authors B, subjects and series C).
    Words are \\w+ only (octavo.catalog.query), so nothing here needs escaping.
    """
    parts = []
    for term in query.terms:
        weight = _PG_WEIGHT.get(term.field, "")
        lexemes = []
        for n, word in enumerate(term.words):
            star = "*" if _expands(term) and n == len(term.words) - 1 else ""
            label = star + weight
            lexemes.append(f"{word}:{label}" if label else word)
        parts.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(parts)


def ranked(query: Query, *, site: str = "", available: bool = False) -> list[Candidate]:
    """The query's candidates, best first, at most CANDIDATES; only records with an item at
    `site` / on the shelf when asked.

    The words as typed are searched first, newest match first, and the index stops at
    CANDIDATES; when they match fewer than a page of records and the last word may still be
    being typed, the longer words it starts are searched as well. When that finds fewer than
    CANDIDATES records, every match is in hand and the engine's relevance score (bm25 on
    FTS5, ts_rank on PostgreSQL) orders them all: its cost (bm25 counts each word's matches
    in the whole catalog) is then bounded by the query being that selective. Otherwise (a
    common word: bm25 alone takes 15 ms for `the` at 1M records) the order is by tiers
    (_broad).
    """
    with connection.cursor() as cursor:
        engine = _Sqlite(cursor) if connection.vendor == "sqlite" else _Postgresql(cursor)
        held, params = _held(site, available, engine.record_column)
        exact = Query(tuple(replace(t, prefix=False) for t in query.terms))
        searched: list[tuple[Query, Forms, list[_Row]]] = []
        for step in (exact, query):
            if searched and (step == exact or len(searched[0][2]) >= EXPAND_BELOW):
                break
            forms = engine.forms(step) if searched else {}
            rows = engine.matches(step, forms, held, params)
            searched.append((step, forms, rows))
            if len(rows) >= CANDIDATES:
                return _broad(engine, searched, held, params)
        step, forms, rows = searched[-1]
        scores = engine.scores(step, forms)
    as_typed = {row[0] for row in searched[0][2]}
    scored: list[Candidate] = [
        (row[0], scores.get(row[0], 0.0), row[1], row[2], row[3], row[4]) for row in rows
    ]
    # Records with the words as typed first: bm25 weighs each longer word on its own, and a
    # rare one ("catalog") would outrank the word itself ("cat"). Stable: ties newest first.
    scored.sort(key=lambda c: (c[0] in as_typed, c[1]), reverse=True)
    return scored


# A match as the engines read it: id, the FACETS columns, the title's length.
_Row = tuple[int, str, str, int | None, str, int]
_FACET_COLUMNS = ", ".join(f"r.{name}" for name in FACETS)


def _broad(
    engine: _Sqlite | _Postgresql,
    searched: list[tuple[Query, Forms, list[_Row]]],
    held: str,
    params: list[Any],
) -> list[Candidate]:
    """Candidates for a query that matches more records than are scored: the newest
    CANDIDATES matches, ordered in tiers, each newest first: those with the words as typed in
    the title, then the rest with the words as typed; then (for a word still being typed)
    those with the longer words in the title, then the rest. Within a title tier shorter
    titles come first, as bm25's length normalization would put them: `History` before
    `A history of the world`.

    The title tiers are looked for only as far back as the matches go: searching titles for
    two common words, one of them in the subject (`su:science history`), would otherwise read
    both words' postings to the end."""
    chosen: dict[int, Candidate] = {}
    tier = 0
    for step, forms, rows in searched:
        in_title = _in_title(step)
        tiers = [(rows, False)]
        if in_title is not None and rows:
            since = rows[-1][0]
            tiers.insert(0, (engine.matches(in_title, forms, held, params, since=since), True))
        for found, is_title in tiers:
            tier += 1
            for row in found:
                if len(chosen) >= CANDIDATES:
                    break
                if row[0] not in chosen:
                    shorter = 10_000.0 - min(row[5] or 0, 9_999) if is_title else 0.0
                    chosen[row[0]] = (row[0], shorter - tier * 100_000.0, *row[1:5])
    # Stable: ties (same tier and title length) stay newest first.
    return sorted(chosen.values(), key=lambda c: c[1], reverse=True)


def _in_title(query: Query) -> Query | None:
    """The query with its unfielded words looked for in the title only; None without any."""
    if all(t.field is not Field.ANY for t in query.terms):
        return None
    return Query(
        tuple(replace(t, field=Field.TITLE) if t.field is Field.ANY else t for t in query.terms)
    )


class _Sqlite:
    """FTS5: hands over matches in rowid order and stops at the LIMIT."""

    record_column = "s.rowid"

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def matches(
        self, query: Query, forms: Forms, held: str, params: list[Any], *, since: int = 0
    ) -> list[_Row]:
        """The newest CANDIDATES records matching (with an id of at least `since`), with their
        facet columns and title length.

        The record's columns come from a covering index (migration 0003), named because
        SQLite's planner prefers the rowid: 2,000 lookups in the table's wide rows took
        three times as long at 1M records."""
        self.cursor.execute(
            f"SELECT s.rowid, {_FACET_COLUMNS}, length(r.title) "  # noqa: S608 - constants
            f"FROM catalog_search s JOIN {Record._meta.db_table} r "
            "INDEXED BY catalog_record_search_columns ON r.id = s.rowid "
            f"WHERE catalog_search MATCH %s AND s.rowid >= %s{held} "
            "ORDER BY s.rowid DESC LIMIT %s",
            [fts5_expression(query, forms), since, *params, CANDIDATES],
        )
        return self.cursor.fetchall()  # type: ignore[no-any-return]

    def forms(self, query: Query) -> Forms:
        """For each single word still being typed, the indexed words it starts (or None)."""
        return {
            t.words[0]: _longer_words(self.cursor, t.words[0])
            for t in query.terms
            if _expands(t) and len(t.words) == 1
        }

    def scores(self, query: Query, forms: Forms) -> dict[int, float]:
        weights = ", ".join(str(w) for w in _WEIGHTS)
        self.cursor.execute(
            f"SELECT rowid, -bm25(catalog_search, {weights}) FROM catalog_search "  # noqa: S608
            "WHERE catalog_search MATCH %s",
            [fts5_expression(query, forms)],
        )
        return dict(self.cursor.fetchall())


class _Postgresql:
    """tsvector + GIN, searched newest first in bounded steps (_pg_newest). A word being typed
    is a prefix lexeme (`dinosa:*`); no word list."""

    record_column = "s.record_id"

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        # What `matches` found last: the query, its held condition and parameters, the ids,
        # and the id from which they are every match there is. `scores` ranks them, and a
        # narrower query over that range is looked for among them (_pg_narrows).
        self.found: tuple[Query, str, list[Any], list[int], int] | None = None
        # Facet columns read so far, by id: the title tiers re-read records already found.
        self.rows: dict[int, _Row] = {}

    def matches(
        self, query: Query, forms: Forms, held: str, params: list[Any], *, since: int = 0
    ) -> list[_Row]:
        """The newest CANDIDATES records matching (with an id of at least `since`), with their
        facet columns and title length."""
        found = self.found
        if (
            found is not None
            and found[1:3] == (held, params)
            and since >= found[4]
            and _pg_narrows(query, found[0])
        ):
            ids = _pg_among(self.cursor, query, [i for i in found[3] if i >= since])
        else:
            ids = _pg_newest(self.cursor, query, held, params, since=since)
        complete_from = ids[-1] if len(ids) >= CANDIDATES else since
        self.found = (query, held, params, ids, complete_from)
        return _pg_rows(self.cursor, ids, self.rows)

    def forms(self, query: Query) -> Forms:
        return {}

    def scores(self, query: Query, forms: Forms) -> dict[int, float]:
        """ts_rank of the records `matches` just found for this query (`ranked` scores the
        step it searched last); of its newest CANDIDATES matches for any other query."""
        if self.found is not None and self.found[0] == query:
            ids = self.found[3]
        else:
            ids = _pg_newest(self.cursor, query, "", [], since=0)
        return _pg_scores(self.cursor, query, ids)


# Records read newest first, each matched against the query, before the index is asked (about
# 3 ms at 10M records): a query matching one record in four is done then; for any other the
# probe measures how common the query and each of its terms are among recent records.
_PG_PROBE = 8192
# Migration 0004 indexes catalog_search_key(document, record_id): the document and the
# record's eras, lexemes naming the block of ids it is in at each of these sizes (2^14 =
# 16,384 ids to 2^24 = 16,777,216): '#18.38' is ids 38 * 2^18 to 39 * 2^18 - 1. Asking for
# the query and a few eras OR'ed asks the index for the matches among those ids only.
_PG_ERA_BITS = (14, 16, 18, 20, 22, 24)
# Eras OR'ed at most: GIN weighs every one listed for each record it considers. At 10M
# records `su:science history` took 64 ms among 4 eras of 2^18 ids, 190 among 6 of them and
# 182 among the 2 eras of 2^20 that cover the same window as 4 of 2^18.
_PG_ERAS_MAX = 4
# Costs in microseconds, measured at 10M records, warm (bench/bench_search_pg.py): reading a
# record newest first and matching it; the index passing over one entry of the list it
# steps through (the rarest word's, or the eras'); fetching one match the index handed over;
# collecting one record of a word being typed (GIN gathers every record of `world:*`, 540,000
# at 10M records, before it intersects them with anything). A fetch took 1.6 on a quiet
# machine and up to 11 on a busy one (records scattered over 2.5 GB); 3 leans towards eras.
_PG_READ_US = 0.35
_PG_PASS_US = 0.1
_PG_FETCH_US = 3.0
_PG_TYPED_US = 0.7


def _pg_rows(cursor: Any, ids: list[int], known: dict[int, _Row]) -> list[_Row]:
    """The records' facet columns and title length, in the order of `ids`; those not in
    `known` are read and added to it."""
    missing = [i for i in ids if i not in known]
    if missing:
        cursor.execute(
            f"SELECT r.id, {_FACET_COLUMNS}, length(r.title) "  # noqa: S608 - constants
            f"FROM {Record._meta.db_table} r WHERE r.id = ANY(%s)",
            [missing],
        )
        known.update((row[0], row) for row in cursor.fetchall())
    return [known[i] for i in ids if i in known]


def _pg_narrows(narrow: Query, broad: Query) -> bool:
    """Whether every record matching `narrow` matches `broad`: the same terms, each in the
    same field or, where `broad` has none, in one (the title tiers of _broad)."""
    return len(narrow.terms) == len(broad.terms) and all(
        n.words == b.words and n.prefix == b.prefix and b.field in (n.field, Field.ANY)
        for n, b in zip(narrow.terms, broad.terms, strict=True)
    )


def _pg_among(cursor: Any, query: Query, ids: list[int]) -> list[int]:
    """Those of `ids` that match the query, newest first: one record each, by its key."""
    cursor.execute(
        "SELECT record_id FROM catalog_search WHERE record_id = ANY(%s) "
        "AND document @@ to_tsquery('simple', %s) ORDER BY record_id DESC",
        [ids, pg_tsquery(query)],
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_newest(cursor: Any, query: Query, held: str, params: list[Any], *, since: int) -> list[int]:
    """The ids of the newest CANDIDATES records matching, newest first, in bounded steps.

    GIN finds matches in no useful order: ordering them costs a fetch per match, 400,000 for
    a common word at 10M records. Reading records newest first and matching each costs a read
    per record instead: 2 million for a word in one record of 1,000. Which one a query is
    cannot be told from its words (PostgreSQL's planner multiplies their frequencies, but
    "fairy tales" is as common as its rarer word), so it is measured: the probe reads the
    newest _PG_PROBE records. That is enough for a common word; for any other query it gives
    the rate at which recent records match, and from it the window of older records that
    should hold the matches still wanted. Each step takes the cheapest way to search its
    window (_pg_step); a step that finds too few lowers the rate, and the next window reaches
    further back.
    """
    probe = _pg_probe(cursor, query, held, params, since=since)
    found: list[int] = probe["kept"][:CANDIDATES]
    if len(found) >= CANDIDATES or probe["read"] < _PG_PROBE:
        return found  # enough, or nothing older to read
    read, hi = probe["read"], probe["oldest"]  # the steps read ids below hi
    while len(found) < CANDIDATES and hi > since:
        wanted = CANDIDATES - len(found)
        rate = len(found) / read
        # Records that should hold what is still wanted, and a quarter more for chance.
        lo = max(since, hi - int(wanted * 1.25 / rate)) if rate else since
        sql, step_params, covered = _pg_step(query, probe, lo, hi, since)
        cursor.execute(
            f"{sql}{held} ORDER BY s.record_id DESC LIMIT %s", [*step_params, *params, wanted]
        )
        found += [row[0] for row in cursor.fetchall()]
        read += hi - covered
        hi = covered
    return found


def _pg_probe(
    cursor: Any, query: Query, held: str, params: list[Any], *, since: int
) -> dict[str, Any]:
    """Read the newest _PG_PROBE records (ids of at least `since`) and match each.

    Returns the ids kept (matching, and held when asked), newest first; how many records were
    read, the oldest id read and the newest; and the shares of them the index would hand over
    (_pg_words) for the query, for each of its terms (by position) and, when a word is being
    typed, for the other terms ("others")."""
    searched = {"query": query}
    if len(query.terms) > 1:
        searched.update({str(n): Query((term,)) for n, term in enumerate(query.terms)})
        others = Query(tuple(t for t in query.terms if not _expands(t)))
        if 0 < len(others.terms) < len(query.terms):
            searched["others"] = others
    counts = "".join(
        ", count(*) FILTER (WHERE p.document @@ to_tsquery('simple', %s))" for _ in searched
    )
    # The records kept are chosen in a WHERE clause of their own: there the `held` condition
    # is a join, one index lookup per match; in the select list PostgreSQL would hash every
    # item on the shelf at the site (3.6 million at 10M records) to test the 8,192 records.
    cursor.execute(
        "WITH p AS MATERIALIZED (SELECT s.record_id, s.document FROM catalog_search s "  # noqa: S608 - constants
        "WHERE s.record_id >= %s ORDER BY s.record_id DESC LIMIT %s) "
        f"SELECT count(*), min(p.record_id), max(p.record_id){counts}, "
        "(SELECT array_agg(s.record_id ORDER BY s.record_id DESC) FROM p AS s "
        f"WHERE s.document @@ to_tsquery('simple', %s){held}) FROM p",
        [
            since,
            _PG_PROBE,
            *(_pg_words(q) for q in searched.values()),
            pg_tsquery(query),
            *params,
        ],
    )
    read, oldest, newest, *counts, kept = cursor.fetchone()
    return {
        "read": read,
        "oldest": oldest or since,
        "newest": newest or since,
        "kept": list(kept or []),
        "shares": {
            name: n / read if read else 0.0 for name, n in zip(searched, counts, strict=True)
        },
    }


def _pg_step(
    query: Query, probe: dict[str, Any], lo: int, hi: int, since: int
) -> tuple[str, list[Any], int]:
    """The cheapest way to find the matches among ids lo to hi - 1, by the probe's shares: the
    SQL up to its WHERE conditions (a `held` condition, the order and the limit follow), its
    parameters, and the lowest id it covers (eras asked for may reach below lo).

    The ways, each costed in microseconds: read the window record by record; or ask the index
    for the query's words, or (when a word is being typed) for the other words only, in the
    whole catalog or among the window's eras, and match each record it hands over. GIN steps
    through the shortest list among the words' (collecting a typed word's whole list first)
    and the eras'. Asked for eras, it hands over the window's matches only, not the catalog's;
    that costs little when the eras' list is the shortest, and otherwise one more list to
    step through, per era, for each record of the shortest.

    The index is asked for the words without fields or phrases (a phrase's words each):
    those GIN cannot tell from its entries, and it would recompute the search key of every
    record it hands over to check them; they are checked on the record's document instead.
    """
    bits, eras = _pg_eras(lo, hi)
    covered = max(since, eras[0] << bits) if eras else since
    catalog = probe["newest"]  # about how many records there are
    shares = probe["shares"]
    # Each term's share, by position; one-term queries have only the query's.
    term_shares = [shares.get(str(n), shares["query"]) for n in range(len(query.terms))]
    costs: dict[tuple[str, bool], float] = {("read", False): (hi - lo) * _PG_READ_US}
    for name in ("query", "others"):
        if name not in shares:
            continue
        terms = [n for n, t in enumerate(query.terms) if name == "query" or not _expands(t)]
        collect = sum(
            term_shares[n] * catalog * _PG_TYPED_US for n in terms if _expands(query.terms[n])
        )
        listed = [term_shares[n] * catalog for n in terms if not _expands(query.terms[n])]
        shortest = min(listed) if listed else shares[name] * catalog
        costs[name, False] = (
            collect + shortest * _PG_PASS_US + shares[name] * catalog * _PG_FETCH_US
        )
        if eras:
            # The eras' lists are stepped through when shorter; else they are one more list
            # each to step through for every record of the shortest one.
            passed = min(hi - covered, shortest * (1 + len(eras)))
            costs[name, True] = (
                collect + passed * _PG_PASS_US + shares[name] * (hi - covered) * _PG_FETCH_US
            )
    way, by_era = min(costs, key=costs.__getitem__)
    precise = pg_tsquery(query)
    if way == "read" or hi - lo <= _PG_PROBE:
        return (
            "SELECT s.record_id FROM catalog_search s WHERE s.record_id >= %s "
            "AND s.record_id < %s AND s.document @@ to_tsquery('simple', %s)",
            [lo, hi, precise],
            lo,
        )
    searched = query if way == "query" else Query(tuple(t for t in query.terms if not _expands(t)))
    words = _pg_words(searched)
    if by_era:
        condition = "(to_tsquery('simple', %s) && %s::tsquery)"
        params: list[Any] = [words, " | ".join(f"'#{bits}.{era}'" for era in eras)]
    else:
        condition, params, covered = "to_tsquery('simple', %s)", [words], since
    # The ids' bounds are written so that no index can take them (`+ 0`): the planner would
    # otherwise AND the search key's matches with the primary key's, 800,000 ids for a window
    # of that many, or read the window through the primary key computing every record's key.
    sql = (
        "SELECT s.record_id FROM catalog_search s WHERE catalog_search_key(s.document, "  # noqa: S608 - constants
        f"s.record_id) @@ {condition} AND s.record_id + 0 >= %s AND s.record_id + 0 < %s"
    )
    params += [since, hi]
    if words != precise:
        sql += " AND s.document @@ to_tsquery('simple', %s)"
        params.append(precise)
    return sql, params, covered


def _pg_words(query: Query) -> str:
    """The tsquery of the query's words alone: no fields, a phrase as its words."""
    return " & ".join(
        "("
        + " & ".join(
            f"{word}:*" if _expands(term) and n == len(term.words) - 1 else word
            for n, word in enumerate(term.words)
        )
        + ")"
        for term in query.terms
    )


def _pg_eras(lo: int, hi: int) -> tuple[int, list[int]]:
    """The eras of the smallest size that cover ids lo to hi - 1 with at most _PG_ERAS_MAX of
    them, as (size in bits, era numbers); no eras when the window is wider than that."""
    for bits in _PG_ERA_BITS:
        first, last = lo >> bits, (hi - 1) >> bits
        if last - first < _PG_ERAS_MAX:
            return bits, list(range(first, last + 1))
    return 0, []


def _pg_scores(cursor: Any, query: Query, record_ids: list[int]) -> dict[int, float]:
    # Normalization 1 divides by 1 + log(length), as bm25 prefers shorter records.
    cursor.execute(
        "SELECT record_id, ts_rank(document, to_tsquery('simple', %s), 1) "
        "FROM catalog_search WHERE record_id = ANY(%s)",
        [pg_tsquery(query), record_ids],
    )
    return dict(cursor.fetchall())


def _held(site: str, available: bool, record_column: str) -> tuple[str, list[Any]]:
    """SQL that keeps records with an item at `site` and/or on the shelf, and its parameters."""
    if not (site or available):
        return "", []
    conditions, params = [f"i.record_id = {record_column}"], []
    if site:
        sites = Site._meta.db_table
        conditions.append(f"i.site_id IN (SELECT id FROM {sites} WHERE code = %s)")  # noqa: S608 - a model's table
        params.append(site.upper())
    if available:
        conditions.append("i.status = %s")
        params.append(ItemStatus.AVAILABLE.value)
    where = " AND ".join(conditions)
    return f" AND EXISTS (SELECT 1 FROM {Item._meta.db_table} i WHERE {where})", params  # noqa: S608 - constants


_SHOWN = (
    "id",
    "control_number",
    "title",
    "authors",
    "isbns",
    "year",
    "format",
    "language",
    "reading_level",
)


def search(
    text: str, *, filters: Filters = Filters(), limit: int = 20, offset: int = 0
) -> SearchResult:
    query = parse(text)
    if query.empty:
        return SearchResult(total=0, results=[], facets={f: [] for f in ALL_FACETS})
    candidates = ranked(query, site=filters.site, available=filters.available)
    wanted = {
        column: getattr(filters, name)
        for name, column in _FACET_COLUMN.items()
        if getattr(filters, name) not in ("", None)
    }

    def keeping(candidates: list[Candidate], choices: dict[int, Any]) -> list[Candidate]:
        if not choices:
            return candidates
        return [c for c in candidates if all(c[k] == v for k, v in choices.items())]

    # Each facet counts the records the other facets' choices leave, so a chosen value's
    # neighbours (other languages, when Spanish is chosen) are still there to switch to.
    facets = {}
    for name, column in _FACET_COLUMN.items():
        others = {k: v for k, v in wanted.items() if k != column}
        counts = Counter(map(itemgetter(column), keeping(candidates, others)))
        counts.pop("", None)
        counts.pop(None, None)
        facets[name] = counts
    ordered = keeping(candidates, wanted)
    page = [c[0] for c in ordered[offset : offset + limit]]
    rows = {r["id"]: r for r in Record.objects.filter(id__in=page).values(*_SHOWN)}
    availability = _availability(page)
    results = [{**rows[i], "availability": availability.get(i, [])} for i in page if i in rows]
    counted = {
        name: [(str(k), n) for k, n in counts.most_common(20)] for name, counts in facets.items()
    }
    counted |= _holdings_facets([c[0] for c in ordered], site=filters.site)
    return SearchResult(
        total=len(ordered),
        results=results,
        facets=counted,
        more=len(candidates) >= CANDIDATES,
    )


def _holdings_facets(record_ids: list[int], *, site: str) -> dict[str, list[tuple[str, int]]]:
    """The `site` facet (records with an item at each site) and the `available` facet (records
    with an item on the shelf, at `site` when one is chosen), counted in the database.

    Up to CANDIDATES ids go in as one parameter (a JSON array on SQLite, an array on
    PostgreSQL): building 2,000 placeholders costs more than the counting.
    """
    items, sites = Item._meta.db_table, Site._meta.db_table
    if connection.vendor == "sqlite":
        among, ids = "i.record_id IN (SELECT value FROM json_each(%s))", json.dumps(record_ids)
    else:
        among, ids = "i.record_id = ANY(%s)", record_ids  # type: ignore[assignment]
    shelf = [ItemStatus.AVAILABLE.value]
    at_site = ""
    if site:
        at_site = f" AND i.site_id IN (SELECT id FROM {sites} WHERE code = %s)"  # noqa: S608
        shelf.append(site.upper())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.code, count(DISTINCT i.record_id) FROM {items} i "  # noqa: S608 - constants
            f"JOIN {sites} s ON s.id = i.site_id WHERE {among} GROUP BY s.code ORDER BY s.code",
            [ids],
        )
        per_site = [(code, n) for code, n in cursor.fetchall()]
        cursor.execute(
            f"SELECT count(DISTINCT i.record_id) FROM {items} i "  # noqa: S608 - constants
            f"WHERE {among} AND i.status = %s{at_site}",
            [ids, *shelf],
        )
        (available,) = cursor.fetchone()
    return {
        "site": per_site,
        "available": [("available", available)] if available else [],
    }


def _availability(record_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per record, per site: how many items, and how many of them are on the shelf."""
    return availability(record_ids)
