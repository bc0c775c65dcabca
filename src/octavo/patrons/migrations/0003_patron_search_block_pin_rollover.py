"""Folded names for finding patrons, a block note, guardians' roster IDs, PIN failures and
year-end rollovers (issue #4)."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models


def _fold(text):
    # A copy of octavo.patrons.rules.fold as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def fill_name_keys(apps, schema_editor):
    Patron = apps.get_model("patrons", "Patron")
    batch = []
    for patron in Patron.objects.only("id", "first_name", "last_name").iterator(chunk_size=2000):
        patron.last_key = _fold(patron.last_name)[:100]
        patron.first_key = _fold(patron.first_name)[:100]
        batch.append(patron)
        if len(batch) == 2000:
            Patron.objects.bulk_update(batch, ["last_key", "first_key"])
            batch = []
    Patron.objects.bulk_update(batch, ["last_key", "first_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("district", "0002_closedday"),
        ("patrons", "0002_default_patron_types"),
    ]

    operations = [
        migrations.CreateModel(
            name="PinFailure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField()),
            ],
        ),
        migrations.CreateModel(
            name="Rollover",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("at", models.DateTimeField()),
                ("actor_username", models.CharField(max_length=150)),
                ("moved_up", models.PositiveIntegerField(default=0)),
                ("expired", models.PositiveIntegerField(default=0)),
            ],
            options={
                "ordering": ["-at"],
            },
        ),
        migrations.AddField(
            model_name="guardian",
            name="roster_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="roster ID"),
        ),
        migrations.AddField(
            model_name="patron",
            name="block_note",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for the block"),
        ),
        migrations.AddField(
            model_name="patron",
            name="first_key",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="patron",
            name="last_key",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddIndex(
            model_name="guardian",
            index=models.Index(fields=["roster_id"], name="guardian_roster_id"),
        ),
        migrations.AddIndex(
            model_name="patron",
            index=models.Index(
                fields=["last_key"], name="patron_last_key", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="patron",
            index=models.Index(
                fields=["first_key"], name="patron_first_key", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddField(
            model_name="pinfailure",
            name="patron",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="patrons.patron"
            ),
        ),
        migrations.AddField(
            model_name="rollover",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="district.site"
            ),
        ),
        migrations.AddIndex(
            model_name="pinfailure",
            index=models.Index(fields=["patron", "at"], name="pin_failure_patron_at"),
        ),
        migrations.AddConstraint(
            model_name="rollover",
            constraint=models.UniqueConstraint(
                fields=("site", "year"), name="rollover_once_a_year"
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
