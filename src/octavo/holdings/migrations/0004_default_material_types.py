"""A fresh database can circulate at once: the usual material types exist (issue #4)."""

from django.db import migrations

# (code, name, may be checked out)
DEFAULTS = [
    ("book", "Book", True),
    ("reference", "Reference", False),
    ("periodical", "Periodical", True),
    ("av", "Audio-visual", True),
    ("equipment", "Equipment", True),
    ("textbook", "Textbook", True),
]


def forwards(apps, schema_editor):
    MaterialType = apps.get_model("holdings", "MaterialType")
    for code, name, circulates in DEFAULTS:
        MaterialType.objects.get_or_create(
            code=code, defaults={"name": name, "circulates": circulates}
        )


class Migration(migrations.Migration):
    dependencies = [("holdings", "0003_materialtype_item_material_type")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
