"""Make the audit log append-only in the database itself, not only in the model.

A raw UPDATE or DELETE (a script, a shell, a bug) fails; only a superuser dropping the trigger
can rewrite history, and that is outside the application.
"""

from django.db import migrations

from octavo.shared.append_only import AppendOnly

AUDIT = AppendOnly("audit_auditentry", "audit_entry", "audit entries are append-only")
forwards, backwards = AUDIT.forwards, AUDIT.backwards


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
