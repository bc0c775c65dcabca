"""Drop two indexes another index already covers: a loan's patron (loan_patron_status is
(patron, status)) and an event's site (circ_event_site_at is (site, at)). Each cost every
check-out a page more to write (issue #5, the kiosks' figures).

Only the indexes are dropped, by name: Django's AlterField would rebuild each table on SQLite,
copying every loan and event and losing the reports' trigger on the event table."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = [
    ("circulation_loan_patron_id_9dd55b75", "circulation_loan", "patron_id"),
    ("circulation_circulationevent_site_id_3666d2c4", "circulation_circulationevent", "site_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0001_initial"),
        ("district", "0004_labelsettings"),
        ("patrons", "0005_parent_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="circulationevent",
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
                    name="patron",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="loans",
                        to="patrons.patron",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX {name} ON {table} ({column})",
                )
                for name, table, column in DROPPED
            ],
        ),
    ]
