"""What the SQL-writing helpers used by migrations share: RunPython's forwards and backwards
over their `install` and `remove` statements for the database at hand. Pure: no Django."""

from __future__ import annotations

from abc import ABC, abstractmethod


class MigrationSql(ABC):
    """Subclasses give install(vendor) and remove(vendor): lists of SQL statements."""

    @abstractmethod
    def install(self, vendor: str) -> list[str]:
        """The statements that put the objects in place on `vendor`'s database."""

    @abstractmethod
    def remove(self, vendor: str) -> list[str]:
        """The statements that take them away again (each IF EXISTS)."""

    def forwards(self, apps: object, schema_editor: object) -> None:
        """For migrations.RunPython."""
        for sql in self.install(schema_editor.connection.vendor):  # type: ignore[attr-defined]
            schema_editor.execute(sql)  # type: ignore[attr-defined]

    def backwards(self, apps: object, schema_editor: object) -> None:
        for sql in self.remove(schema_editor.connection.vendor):  # type: ignore[attr-defined]
            schema_editor.execute(sql)  # type: ignore[attr-defined]
