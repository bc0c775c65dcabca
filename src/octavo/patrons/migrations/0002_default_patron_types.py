"""A fresh database can circulate at once: the usual patron types exist (issue #4)."""

from django.db import migrations

DEFAULTS = [
    ("student", "Student"),
    ("teacher", "Teacher"),
    ("staff", "Staff"),
    ("community", "Community"),
]


def forwards(apps, schema_editor):
    PatronType = apps.get_model("patrons", "PatronType")
    for code, name in DEFAULTS:
        PatronType.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("patrons", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
