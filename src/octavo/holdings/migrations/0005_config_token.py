"""A change to a material type (whether it circulates) changes the configuration token
(octavo.shared.change_token), so the desk reads it again."""

from django.db import migrations

from octavo.shared.change_token import Watched

WATCHED = Watched("holdings_materialtype", "holdings_material")


class Migration(migrations.Migration):
    dependencies = [
        ("holdings", "0004_default_material_types"),
        ("district", "0003_configversion"),
    ]
    operations = [migrations.RunPython(WATCHED.forwards, WATCHED.backwards)]
