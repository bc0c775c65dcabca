"""The desk's hot reads and writes (octavo.db.rows) behave as Django's own queries do, on the
direct path to SQLite's driver as on Django's cursor: the same rows and values, Django's
errors, a broken transaction refused, and every statement seen by whatever watches them."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError

from octavo.db import rows
from octavo.district.models import Site

pytestmark = pytest.mark.django_db


def test_a_row_by_key_comes_back_as_the_orm_gives_it(district) -> None:
    found = rows.one(Site, "code = %s", ["SES"])
    assert found is not None
    assert (found.pk, found.name, found.is_active) == (district.south.pk, "South Elementary", True)
    assert rows.one(Site, "code = %s", ["XXX"]) is None


def test_a_literal_percent_sign_is_written_twice_as_in_djangos_queries(district) -> None:
    assert rows.first("SELECT %s || '%%'", ["50"]) == ("50%",)


def test_a_duplicate_is_djangos_integrity_error_and_nothing_is_written(district) -> None:
    before = Site.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.create(Site(code="NES", name="A second North"))
    assert Site.objects.count() == before


def test_after_an_error_inside_a_transaction_no_further_statement_runs(district) -> None:
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rows.create(Site(code="NES", name="A second North"))
        with pytest.raises(TransactionManagementError):
            rows.one(Site, "code = %s", ["NES"])
        transaction.set_rollback(True)


def test_every_statement_is_seen_by_an_execute_wrapper(district) -> None:
    seen: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch), transaction.atomic():
        site = rows.create(Site(code="WES", name="West Elementary"))
        site.name = "West Elementary School"
        rows.update(site, ["name"])
        assert rows.one(Site, "id = %s", [site.pk]).name == "West Elementary School"  # type: ignore[union-attr]
        rows.values("SELECT code FROM district_site WHERE id = %s", [site.pk])
    statements = [sql.split()[0] for sql in seen if not sql.startswith(("SAVEPOINT", "RELEASE"))]
    assert statements == ["INSERT", "UPDATE", "SELECT", "SELECT"]


def test_times_and_json_come_back_as_they_were_written(district) -> None:
    from octavo.audit.models import AuditEntry

    moment = datetime.fromisoformat("2026-09-01T15:00:00.123456+00:00")
    entry = rows.create(
        AuditEntry(
            at=moment,
            actor_username="test-operator",
            actor_role="district_admin",
            source="cli",
            action="site.note",
            object_type="site",
            object_id=str(district.north.pk),
            object_repr="NES",
            changes={"note": [None, "ñ"]},
        )
    )
    found = rows.one(AuditEntry, "id = %s", [entry.pk])
    assert found is not None
    assert found.at == moment and found.at.utcoffset() is not None
    assert found.changes == {"note": [None, "ñ"]}
    assert AuditEntry.objects.get(pk=entry.pk).at == moment


def test_a_nested_block_that_fails_is_undone_and_the_rest_is_kept(district) -> None:
    """The savepoints of nested atomic blocks (sent to SQLite's driver directly) undo exactly
    the inner block."""
    with transaction.atomic():
        rows.create(Site(code="WES", name="West Elementary"))
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.create(Site(code="EES", name="East Elementary"))
            rows.create(Site(code="NES", name="A second North"))
        assert rows.one(Site, "code = %s", ["EES"]) is None
    assert sorted(Site.objects.values_list("code", flat=True)) == ["CHS", "NES", "SES", "WES"]
