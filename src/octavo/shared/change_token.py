"""The SQL that keeps one token per database changing whenever the tables the desk reads on
every scan (sites, opening hours, closed days, material types, circulation policy) change,
so that each process may keep those few rows in memory and read them again only when the
token moves
(octavo.district.selectors.cached). Triggers write it, so an edit through a service, a queryset
`.update()`, the admin shell or a restore all count. Pure: strings only.

The token is random, not a counter: a change rolled back puts the old token back together with
the old rows, and a database emptied and filled again (the test suite's flush) never repeats a
token with different rows behind it. Without the row (an emptied database) nothing is cached.
"""

from __future__ import annotations

from dataclasses import dataclass

from octavo.shared.migration_sql import MigrationSql

SQL_READ = "SELECT token FROM district_configversion WHERE id = 1"
SQL_FIRST = "INSERT INTO district_configversion (id, token) VALUES (1, 1)"
_PG_FUNCTION = "octavo_config_changed"

_SQLITE_BUMP = (
    "INSERT INTO district_configversion (id, token) VALUES (1, random()) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)


def pg_function() -> list[str]:
    """Created once, before any table's trigger (the district migration)."""
    return [
        "CREATE OR REPLACE FUNCTION octavo_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO district_configversion (id, token) "
        "VALUES (1, floor(random() * 9.2e18)::bigint - 4600000000000000000) "
        "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token; RETURN NULL; END $$"
    ]


@dataclass(frozen=True)
class Watched(MigrationSql):
    table: str  # e.g. "policy_policyrule"
    name: str  # the triggers' stem, e.g. "policy_rule"

    def install(self, vendor: str) -> list[str]:
        t, n = self.table, self.name
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER {n}_changed_{op.lower()} AFTER {op} ON {t} "
                f"BEGIN {_SQLITE_BUMP}; END"
                for op in ("INSERT", "UPDATE", "DELETE")
            ]
        if vendor == "postgresql":
            return [
                f"CREATE TRIGGER {n}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {t} FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()"
            ]
        return []

    def remove(self, vendor: str) -> list[str]:
        t, n = self.table, self.name
        if vendor == "sqlite":
            return [
                f"DROP TRIGGER IF EXISTS {n}_changed_{op}" for op in ("insert", "update", "delete")
            ]
        if vendor == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {n}_changed ON {t}"]
        return []
