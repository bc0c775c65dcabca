"""Make the fines ledger append-only in the database itself, as the audit log is (audit
migration 0002): a mistake is corrected by a new entry (a waiver, a refund), never by editing
or deleting one."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON fines_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON fines_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update",
    "DROP TRIGGER IF EXISTS ledger_entry_no_delete",
]
POSTGRES = [
    """CREATE FUNCTION ledger_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$""",
    """CREATE TRIGGER ledger_entry_no_change BEFORE UPDATE OR DELETE ON fines_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()""",
    """CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON fines_ledgerentry
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON fines_ledgerentry",
    "DROP TRIGGER IF EXISTS ledger_entry_no_change ON fines_ledgerentry",
    "DROP FUNCTION IF EXISTS ledger_entry_append_only()",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("fines", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
