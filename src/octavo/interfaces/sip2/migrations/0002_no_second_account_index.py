"""Drop the index on a stored answer's account alone: sip2_answer_once_per_key (account, key)
covers it, and every answer stored wrote a page more (issue #5). Only the index is dropped,
by name (Django's AlterField would rebuild the table on SQLite)."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "sip2_sip2answer_account_id_7d696d86"


class Migration(migrations.Migration):
    dependencies = [
        ("sip2", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="sip2answer",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="sip2.sip2account",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {NAME}",
                    reverse_sql=f"CREATE INDEX {NAME} ON sip2_sip2answer (account_id)",
                ),
            ],
        ),
    ]
