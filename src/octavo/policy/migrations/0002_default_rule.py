"""One district-wide row of all wildcards, so that a new site can circulate at once (issue #4):
two weeks, five items, two renewals, no fines until the district sets them."""

from django.db import migrations


def forwards(apps, schema_editor):
    PolicyRule = apps.get_model("policy", "PolicyRule")
    if not PolicyRule.objects.filter(
        site__isnull=True, patron_type__isnull=True, material_type__isnull=True
    ).exists():
        PolicyRule.objects.create(loan_days=14, max_items=5, renewals=2)


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
