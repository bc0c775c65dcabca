"""The SQL that makes a table append-only in the database itself: UPDATE, DELETE (and, on
PostgreSQL, TRUNCATE) raise. Used by the migrations of the audit log and the fines ledger, so
that a script, a shell or a bug cannot rewrite history; only dropping the trigger can, and that
is outside the application. Pure: strings only.
"""

from __future__ import annotations

from dataclasses import dataclass

from octavo.shared.migration_sql import MigrationSql


@dataclass(frozen=True)
class AppendOnly(MigrationSql):
    table: str  # e.g. "audit_auditentry"
    name: str  # the triggers' stem, e.g. "audit_entry"
    message: str  # what the refusal says, e.g. "audit entries are append-only"

    def install(self, vendor: str) -> list[str]:
        t, n, m = self.table, self.name, self.message
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER {n}_no_update BEFORE UPDATE ON {t} "
                f"BEGIN SELECT RAISE(ABORT, '{m}'); END",
                f"CREATE TRIGGER {n}_no_delete BEFORE DELETE ON {t} "
                f"BEGIN SELECT RAISE(ABORT, '{m}'); END",
            ]
        if vendor == "postgresql":
            return [
                f"CREATE FUNCTION {n}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{m}'; END $$",
                f"CREATE TRIGGER {n}_no_change BEFORE UPDATE OR DELETE ON {t} "
                f"FOR EACH ROW EXECUTE FUNCTION {n}_append_only()",
                f"CREATE TRIGGER {n}_no_truncate BEFORE TRUNCATE ON {t} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {n}_append_only()",
            ]
        return []

    def remove(self, vendor: str) -> list[str]:
        t, n = self.table, self.name
        if vendor == "sqlite":
            return [
                f"DROP TRIGGER IF EXISTS {n}_no_update",
                f"DROP TRIGGER IF EXISTS {n}_no_delete",
            ]
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {n}_no_truncate ON {t}",
                f"DROP TRIGGER IF EXISTS {n}_no_change ON {t}",
                f"DROP FUNCTION IF EXISTS {n}_append_only()",
            ]
        return []
