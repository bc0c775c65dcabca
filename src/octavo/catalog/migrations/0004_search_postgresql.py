"""The PostgreSQL search key: a record's document and its eras, GIN-indexed in place of the
document alone (octavo.catalog.search, `_pg_newest`). SQLite needs nothing here.

An era is a lexeme naming the block of record ids a record is in, at six block sizes from
2^14 (16,384 ids) to 2^24: '#18.38' stands for ids 38 * 2^18 to 39 * 2^18 - 1. Searching for
a query together with a few eras OR'ed asks the index for the query's matches among those ids
only, so that a word in one record of 50 costs what its matches in a recent window cost, not
what its 200,000 matches in a 10M-record catalog would (issue #3). The eras come from the
record's id, so nothing is stored or written for them: the index computes them, and the
'#' keeps them apart from any word (the 'simple' parser never makes a lexeme with one).

catalog_search_key is plain SQL, immutable and inlined by the planner, so a query that
writes the same expression uses this index. The document's own index goes: nothing searches
the document alone any more, and every record written would otherwise update two GIN indexes.
"""

from django.db import migrations

KEY_FUNCTION = """
CREATE FUNCTION catalog_search_key(document tsvector, record_id bigint) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT document || array_to_tsvector(ARRAY[
    '#14.' || (record_id >> 14)::text, '#16.' || (record_id >> 16)::text,
    '#18.' || (record_id >> 18)::text, '#20.' || (record_id >> 20)::text,
    '#22.' || (record_id >> 22)::text, '#24.' || (record_id >> 24)::text])
$$"""
POSTGRES = [
    KEY_FUNCTION,
    "CREATE INDEX catalog_search_key ON catalog_search "
    "USING gin (catalog_search_key(document, record_id))",
    "DROP INDEX catalog_search_document",
]
POSTGRES_REVERSE = [
    "CREATE INDEX catalog_search_document ON catalog_search USING gin (document)",
    "DROP INDEX catalog_search_key",
    "DROP FUNCTION catalog_search_key(tsvector, bigint)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_terms")]
    operations = [migrations.RunPython(forwards, backwards)]
