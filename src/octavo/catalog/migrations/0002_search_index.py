"""The full-text index: SQLite FTS5 on the embedded default, tsvector + GIN on PostgreSQL.

Both are written in the same transaction as the record (octavo.catalog.search_index).
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE catalog_search USING fts5(
         title, authors, subjects, series, identifiers, call_number, other,
         tokenize = 'unicode61 remove_diacritics 2')""",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS catalog_search"]
POSTGRES = [
    """CREATE TABLE catalog_search (
         record_id bigint PRIMARY KEY REFERENCES catalog_record (id) ON DELETE CASCADE
           DEFERRABLE INITIALLY DEFERRED,
         document tsvector NOT NULL)""",
    "CREATE INDEX catalog_search_document ON catalog_search USING gin (document)",
]
POSTGRES_REVERSE = ["DROP TABLE IF EXISTS catalog_search"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
