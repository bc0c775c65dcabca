"""Drop the indexes nothing reads: a loan's site, returned site and patron type, and an
event's time, patron type and (site, time). The reports count from reports.CirculationFact,
never from these columns here; an item's history and the weeding list read events by item
(kept), the desk and the notices read loans by item, patron and due date (kept). Each dropped
index was a page more to write per check-out and check-in (issue #5, the kiosks' figures).

Only the indexes are dropped, by name, as in 0002: Django's AlterField would rebuild each table
on SQLite, copying every loan and event and losing the reports' trigger on the event table."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    ("circulation_loan_site_id_19f985a3", "circulation_loan", "site_id"),
    ("circulation_loan_returned_site_id_9061df3a", "circulation_loan", "returned_site_id"),
    ("circulation_loan_patron_type_id_46c6a11e", "circulation_loan", "patron_type_id"),
    ("circulation_circulationevent_at_5c8f74d7", "circulation_circulationevent", "at"),
    (
        "circulation_circulationevent_patron_type_id_27b6d674",
        "circulation_circulationevent",
        "patron_type_id",
    ),
    ("circ_event_site_at", "circulation_circulationevent", "site_id, at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0002_no_second_patron_and_site_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="loan",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="district.site",
                    ),
                ),
                migrations.AlterField(
                    model_name="loan",
                    name="returned_site",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="district.site",
                    ),
                ),
                migrations.AlterField(
                    model_name="loan",
                    name="patron_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patrons.patrontype",
                    ),
                ),
                migrations.AlterField(
                    model_name="circulationevent",
                    name="at",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="circulationevent",
                    name="patron_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patrons.patrontype",
                    ),
                ),
                migrations.RemoveIndex(model_name="circulationevent", name="circ_event_site_at"),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({columns})",
                )
                for name, table, columns in DROPPED
            ],
        ),
    ]
