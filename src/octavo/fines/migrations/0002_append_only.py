"""Make the fines ledger append-only in the database itself, as the audit log is (audit
migration 0002): a mistake is corrected by a new entry (a waiver, a refund), never by editing
or deleting one."""

from django.db import migrations

from octavo.shared.append_only import AppendOnly

LEDGER = AppendOnly("fines_ledgerentry", "ledger_entry", "ledger entries are append-only")
forwards, backwards = LEDGER.forwards, LEDGER.backwards


class Migration(migrations.Migration):
    dependencies = [("fines", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
