"""The reports' copy of the items (octavo.reports.models.ItemFact), kept by triggers: an item
added, changed (site, record, class, acquisition date, or a status move into or out of the
collection) or deleted changes its row in the same statement; a record's publication year
changed changes its items' rows. The items already there are copied once, here. The SQL is
written out in this file so that the migration stays what it was when it ran.
"""

from django.db import migrations, models

from octavo.shared.migration_sql import MigrationSql

_DIGIT = "BETWEEN '0' AND '9'"


def dewey(column: str) -> str:
    """The Dewey main class (0-9) of a classification, 10 for none (octavo.reports.rules)."""
    return (
        f"CASE WHEN substr({column}, 1, 1) {_DIGIT} AND substr({column}, 2, 1) {_DIGIT} "
        f"AND substr({column}, 3, 1) {_DIGIT} AND NOT (substr({column}, 4, 1) {_DIGIT}) "
        f"THEN CAST(substr({column}, 1, 1) AS INTEGER) WHEN {column} = '92' THEN 9 ELSE 10 END"
    )


GONE = "('withdrawn', 'lost')"
COLUMNS = "item_id, site_id, record_id, kept, dewey_class, year, added_on, withdrawn_on"
# What makes an item's row change: the check-outs and check-ins that move an item between
# available and checked out leave it alone.
CHANGED = (
    "NEW.site_id {ne} OLD.site_id OR NEW.record_id {ne} OLD.record_id "
    "OR NEW.call_class {ne} OLD.call_class OR NEW.acquired_on {ne} OLD.acquired_on "
    "OR (NEW.status IN " + GONE + ") {ne} (OLD.status IN " + GONE + ") "
    "OR (NEW.status = 'withdrawn') {ne} (OLD.status = 'withdrawn')"
)


def _row(item: str, day: str) -> str:
    """The SELECT list of an item's row, `day(x)` the UTC date of a timestamp."""
    return (
        f"{item}.id, {item}.site_id, {item}.record_id, {item}.status NOT IN {GONE}, "
        f"{dewey(item + '.call_class')}, r.year, "
        f"COALESCE({item}.acquired_on, {day.format(item + '.created_at')}), "
        f"CASE WHEN {item}.status = 'withdrawn' THEN {day.format(item + '.updated_at')} END"
    )


def _update(day: str) -> str:
    return (
        "UPDATE reports_itemfact SET site_id = NEW.site_id, record_id = NEW.record_id, "  # noqa: S608
        f"kept = NEW.status NOT IN {GONE}, dewey_class = {dewey('NEW.call_class')}, "
        "year = (SELECT r.year FROM catalog_record r WHERE r.id = NEW.record_id), "
        f"added_on = COALESCE(NEW.acquired_on, {day.format('NEW.created_at')}), "
        "withdrawn_on = CASE WHEN NEW.status = 'withdrawn' "
        f"THEN COALESCE(withdrawn_on, {day.format('NEW.updated_at')}) END "
        "WHERE item_id = NEW.id"
    )


def _insert(day: str) -> str:
    return (
        f"INSERT INTO reports_itemfact ({COLUMNS}) SELECT {_row('NEW', day)} "  # noqa: S608
        "FROM catalog_record r WHERE r.id = NEW.record_id"
    )


def _copy(day: str) -> str:
    return (
        f"INSERT INTO reports_itemfact ({COLUMNS}) SELECT {_row('i', day)} "  # noqa: S608
        "FROM holdings_item i JOIN catalog_record r ON r.id = i.record_id"
    )


_YEAR = "UPDATE reports_itemfact SET year = NEW.year WHERE record_id = NEW.id"


class ItemFacts(MigrationSql):
    def install(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            day = "({} AT TIME ZONE 'UTC')::date"
            changed = CHANGED.format(ne="IS DISTINCT FROM")
            return [
                "CREATE OR REPLACE FUNCTION reports_item_fact() RETURNS trigger "  # noqa: S608
                "LANGUAGE plpgsql AS $$ BEGIN "
                "IF TG_OP = 'DELETE' THEN DELETE FROM reports_itemfact WHERE item_id = OLD.id; "
                f"ELSIF TG_OP = 'INSERT' THEN {_insert(day)}; "
                f"ELSE {_update(day)}; END IF; RETURN NULL; END $$",
                "CREATE TRIGGER reports_item_fact AFTER INSERT OR DELETE ON holdings_item "
                "FOR EACH ROW EXECUTE FUNCTION reports_item_fact()",
                "CREATE TRIGGER reports_item_fact_update AFTER UPDATE OF site_id, record_id, "
                f"status, call_class, acquired_on ON holdings_item FOR EACH ROW WHEN ({changed}) "
                "EXECUTE FUNCTION reports_item_fact()",
                "CREATE OR REPLACE FUNCTION reports_item_fact_year() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {_YEAR}; RETURN NULL; END $$",
                "CREATE TRIGGER reports_item_fact_year AFTER UPDATE OF year ON catalog_record "
                "FOR EACH ROW WHEN (OLD.year IS DISTINCT FROM NEW.year) "
                "EXECUTE FUNCTION reports_item_fact_year()",
                _copy(day),
            ]
        day = "date({})"
        changed = CHANGED.format(ne="IS NOT")
        return [
            f"CREATE TRIGGER reports_item_fact_insert AFTER INSERT ON holdings_item BEGIN "
            f"{_insert(day)}; END",
            "CREATE TRIGGER reports_item_fact_update AFTER UPDATE OF site_id, record_id, status, "
            f"call_class, acquired_on ON holdings_item WHEN {changed} BEGIN {_update(day)}; END",
            "CREATE TRIGGER reports_item_fact_delete AFTER DELETE ON holdings_item BEGIN "
            "DELETE FROM reports_itemfact WHERE item_id = OLD.id; END",
            "CREATE TRIGGER reports_item_fact_year AFTER UPDATE OF year ON catalog_record "
            f"WHEN NEW.year IS NOT OLD.year BEGIN {_YEAR}; END",
            _copy(day),
        ]

    def remove(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                "DROP TRIGGER IF EXISTS reports_item_fact ON holdings_item",
                "DROP TRIGGER IF EXISTS reports_item_fact_update ON holdings_item",
                "DROP TRIGGER IF EXISTS reports_item_fact_year ON catalog_record",
                "DROP FUNCTION IF EXISTS reports_item_fact()",
                "DROP FUNCTION IF EXISTS reports_item_fact_year()",
            ]
        return [
            f"DROP TRIGGER IF EXISTS reports_item_fact_{name}"
            for name in ("insert", "update", "delete", "year")
        ]


ITEM_FACTS = ItemFacts()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_circulation_facts"),
        ("catalog", "0001_initial"),
        ("holdings", "0006_item_properties"),
    ]

    operations = [
        migrations.CreateModel(
            name="ItemFact",
            fields=[
                ("item_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("site_id", models.BigIntegerField()),
                ("record_id", models.BigIntegerField()),
                ("kept", models.BooleanField()),
                ("dewey_class", models.SmallIntegerField()),
                ("year", models.IntegerField(null=True)),
                ("added_on", models.DateField()),
                ("withdrawn_on", models.DateField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["kept", "dewey_class", "year"], name="item_fact_dewey"),
                    models.Index(
                        fields=["kept", "dewey_class", "record_id"], name="item_fact_titles"
                    ),
                    models.Index(
                        fields=["site_id", "kept", "dewey_class", "year", "record_id"],
                        name="item_fact_site",
                    ),
                    models.Index(fields=["site_id", "kept", "year"], name="item_fact_site_year"),
                    models.Index(
                        fields=["site_id", "kept", "record_id"], name="item_fact_site_titles"
                    ),
                    models.Index(fields=["added_on", "site_id"], name="item_fact_added"),
                    models.Index(fields=["withdrawn_on", "site_id"], name="item_fact_withdrawn"),
                    models.Index(fields=["record_id"], name="item_fact_record"),
                ],
            },
        ),
        migrations.RunPython(ITEM_FACTS.forwards, ITEM_FACTS.backwards),
    ]
