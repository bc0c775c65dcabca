"""The configuration token (octavo.shared.change_token): its table, its first value, and the
triggers that change it when a site, its opening hours or its closed days change."""

from django.db import migrations, models

from octavo.shared.change_token import SQL_FIRST, Watched, pg_function

WATCHED = (
    Watched("district_site", "district_site"),
    Watched("district_openinghours", "district_hours"),
    Watched("district_closedday", "district_closed"),
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(SQL_FIRST)
    if vendor == "postgresql":
        for sql in pg_function():
            schema_editor.execute(sql)
    for watched in WATCHED:
        watched.forwards(apps, schema_editor)


def backwards(apps, schema_editor):
    for watched in WATCHED:
        watched.backwards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("district", "0002_closedday")]

    operations = [
        migrations.CreateModel(
            name="ConfigVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("token", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
