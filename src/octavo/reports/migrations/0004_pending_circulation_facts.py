"""On SQLite, the trigger on circulation_circulationevent writes each event's statistics row
to reports_pendingcirculationfact (no index but its key) instead of reports_circulationfact
(eight indexes), with the same columns read from the item at the same moment; the rows are
moved in by octavo.reports.pending.catch_up_statistics before a report counts and every
night. PostgreSQL keeps its trigger. Going back moves what is waiting and puts the old
trigger back. The SQL is written out in this file so that the migration stays what it was
when it ran.
"""

from django.db import migrations, models

from octavo.shared.migration_sql import MigrationSql

_DIGIT = "BETWEEN '0' AND '9'"
# The Dewey main class (0-9) of the item's classification, 10 for none (as in 0001).
DEWEY = (
    f"CASE WHEN substr(i.call_class, 1, 1) {_DIGIT} AND substr(i.call_class, 2, 1) {_DIGIT} "
    f"AND substr(i.call_class, 3, 1) {_DIGIT} AND NOT (substr(i.call_class, 4, 1) {_DIGIT}) "
    "THEN CAST(substr(i.call_class, 1, 1) AS INTEGER) WHEN i.call_class = '92' THEN 9 ELSE 10 END"
)
COLUMNS = (
    "event_id, kind, hour, site_id, patron_type_id, grade, item_id, record_id, "
    "material_type_id, dewey_class"
)
_HOUR = "CAST(strftime('%' || 's', NEW.at) AS INTEGER) / 3600"


def _trigger(table: str) -> str:
    return (
        "CREATE TRIGGER reports_circulation_fact AFTER INSERT ON circulation_circulationevent "  # noqa: S608
        f"BEGIN INSERT INTO {table} ({COLUMNS}) "
        f"SELECT NEW.id, NEW.kind, {_HOUR}, NEW.site_id, COALESCE(NEW.patron_type_id, 0), "
        "NEW.grade, NEW.item_id, i.record_id, COALESCE(i.material_type_id, 0), "
        f"{DEWEY} FROM holdings_item i WHERE i.id = NEW.item_id; END"
    )


class PendingFacts(MigrationSql):
    def install(self, vendor: str) -> list[str]:
        if vendor != "sqlite":
            return []
        return [
            "DROP TRIGGER IF EXISTS reports_circulation_fact",
            _trigger("reports_pendingcirculationfact"),
        ]

    def remove(self, vendor: str) -> list[str]:
        if vendor != "sqlite":
            return []
        return [
            "DROP TRIGGER IF EXISTS reports_circulation_fact",
            f"INSERT INTO reports_circulationfact ({COLUMNS}) SELECT {COLUMNS} "  # noqa: S608
            "FROM reports_pendingcirculationfact ORDER BY id",
            "DELETE FROM reports_pendingcirculationfact",
            _trigger("reports_circulationfact"),
        ]


PENDING_FACTS = PendingFacts()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_scheduled_reports"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingCirculationFact",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("event_id", models.BigIntegerField()),
                ("kind", models.CharField(max_length=16)),
                ("hour", models.BigIntegerField()),
                ("site_id", models.BigIntegerField()),
                ("patron_type_id", models.BigIntegerField()),
                ("grade", models.CharField(max_length=4)),
                ("item_id", models.BigIntegerField()),
                ("record_id", models.BigIntegerField()),
                ("material_type_id", models.BigIntegerField()),
                ("dewey_class", models.SmallIntegerField()),
            ],
        ),
        migrations.RunPython(PENDING_FACTS.forwards, PENDING_FACTS.backwards),
    ]
