"""The reports' copy of the circulation statistics (octavo.reports.models.CirculationFact), kept
by a trigger on circulation_circulationevent: each event inserted also inserts its fact, in the
same statement, with the copy's record, material type and Dewey class read from its item then.
The events already there are copied once, here. The SQL is written out in this file so that the
migration stays what it was when it ran.
"""

from django.db import migrations, models

from octavo.shared.migration_sql import MigrationSql

# The Dewey main class (0-9) of the item's classification, 10 for none: three digits first, or
# `92` (octavo.reports.rules.dewey_class).
_DIGIT = "BETWEEN '0' AND '9'"
DEWEY = (
    f"CASE WHEN substr(i.call_class, 1, 1) {_DIGIT} AND substr(i.call_class, 2, 1) {_DIGIT} "
    f"AND substr(i.call_class, 3, 1) {_DIGIT} AND NOT (substr(i.call_class, 4, 1) {_DIGIT}) "
    "THEN CAST(substr(i.call_class, 1, 1) AS INTEGER) WHEN i.call_class = '92' THEN 9 ELSE 10 END"
)
COLUMNS = (
    "event_id, kind, hour, site_id, patron_type_id, grade, item_id, record_id, "
    "material_type_id, dewey_class"
)


def _values(event: str, hour: str) -> str:
    return (
        f"SELECT {event}.id, {event}.kind, {hour}, {event}.site_id, "  # noqa: S608
        f"COALESCE({event}.patron_type_id, 0), {event}.grade, {event}.item_id, i.record_id, "
        f"COALESCE(i.material_type_id, 0), {DEWEY} FROM holdings_item i "
        f"WHERE i.id = {event}.item_id"
    )


class Facts(MigrationSql):
    def install(self, vendor: str) -> list[str]:
        insert = f"INSERT INTO reports_circulationfact ({COLUMNS}) "
        if vendor == "postgresql":
            hour = "FLOOR(EXTRACT(EPOCH FROM {e}.at) / 3600)::bigint"
            return [
                "CREATE OR REPLACE FUNCTION reports_circulation_fact() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN "
                + insert
                + _values("NEW", hour.format(e="NEW"))
                + "; RETURN NULL; END $$",
                "CREATE TRIGGER reports_circulation_fact AFTER INSERT ON "
                "circulation_circulationevent FOR EACH ROW EXECUTE FUNCTION "
                "reports_circulation_fact()",
                insert
                + _values("e", hour.format(e="e")).replace(
                    "FROM holdings_item i WHERE i.id = e.item_id",
                    "FROM circulation_circulationevent e JOIN holdings_item i ON i.id = e.item_id",
                ),
            ]
        # '%' || 's': strftime's seconds since 1970, written so that no driver reads a
        # parameter mark in it.
        hour = "CAST(strftime('%' || 's', {e}.at) AS INTEGER) / 3600"
        return [
            "CREATE TRIGGER reports_circulation_fact AFTER INSERT ON "
            "circulation_circulationevent BEGIN "
            + insert
            + _values("NEW", hour.format(e="NEW"))
            + "; END",
            insert
            + _values("e", hour.format(e="e")).replace(
                "FROM holdings_item i WHERE i.id = e.item_id",
                "FROM circulation_circulationevent e JOIN holdings_item i ON i.id = e.item_id",
            ),
        ]

    def remove(self, vendor: str) -> list[str]:
        statements = [
            "DROP TRIGGER IF EXISTS reports_circulation_fact"
            + (" ON circulation_circulationevent" if vendor == "postgresql" else "")
        ]
        if vendor == "postgresql":
            statements.append("DROP FUNCTION IF EXISTS reports_circulation_fact()")
        return statements


FACTS = Facts()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("circulation", "0001_initial"),
        ("holdings", "0006_item_properties"),
    ]

    operations = [
        migrations.CreateModel(
            name="CirculationFact",
            fields=[
                ("event_id", models.BigIntegerField(primary_key=True, serialize=False)),
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
            options={
                "indexes": [
                    models.Index(
                        fields=[
                            "site_id",
                            "kind",
                            "hour",
                            "patron_type_id",
                            "grade",
                            "material_type_id",
                            "dewey_class",
                            "record_id",
                        ],
                        name="fact_site",
                    ),
                    models.Index(fields=["kind", "hour", "site_id"], name="fact_hour"),
                    models.Index(
                        fields=["patron_type_id", "kind", "hour"], name="fact_patron_type"
                    ),
                    models.Index(fields=["grade", "kind", "hour"], name="fact_grade"),
                    models.Index(fields=["material_type_id", "kind", "hour"], name="fact_material"),
                    models.Index(fields=["dewey_class", "kind", "hour"], name="fact_dewey"),
                    models.Index(fields=["kind", "record_id", "hour"], name="fact_record"),
                ],
            },
        ),
        migrations.RunPython(FACTS.forwards, FACTS.backwards),
    ]
