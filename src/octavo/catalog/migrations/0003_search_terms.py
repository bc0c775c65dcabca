"""Two aids to search on SQLite (octavo.catalog.search); PostgreSQL needs neither.

The list of indexed words, so that a word still being typed can be completed:
An fts5vocab table stores nothing: it reads catalog_search's own term dictionary. Search looks
up the few words that start with what was typed and searches those words by name
(octavo.catalog.search); FTS5's own prefix query instead merges the postings of every such
word before it can return the first match.

A covering index of the columns search reads for each candidate (facets, title length), so
that reading them for 2,000 candidates touches a compact index instead of 2,000 wide rows.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE catalog_search_terms USING fts5vocab(catalog_search, 'instance')",
    "CREATE INDEX catalog_record_search_columns ON catalog_record "
    "(id, format, language, year, reading_level, title)",
]
SQLITE_REVERSE = [
    "DROP INDEX IF EXISTS catalog_record_search_columns",
    "DROP TABLE IF EXISTS catalog_search_terms",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_REVERSE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]
    operations = [migrations.RunPython(forwards, backwards)]
