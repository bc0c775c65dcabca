"""The audit log is append-only, even to raw SQL, and filterable by a district admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from tests.conftest import T0

from octavo.audit.models import AppendOnly, AuditEntry
from octavo.audit.selectors import AuditFilter, audit_entries
from octavo.district.services import update_site
from octavo.shared.actor import Role
from octavo.shared.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted_through_the_model(district) -> None:
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


def test_entries_cannot_be_changed_or_deleted_with_raw_sql(district) -> None:
    entry_id = AuditEntry.objects.first().id
    for sql in (
        "UPDATE audit_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql, [entry_id])
    assert AuditEntry.objects.get(id=entry_id).action != "forged"


def test_bulk_queryset_delete_is_refused_by_the_database(district) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.exists()


def test_district_admin_filters_by_person_object_site_and_time(district, cli_actor) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    later = T0 + timedelta(days=1)
    update_site(actor=librarian, code="NES", changes={"address": "1 Elm St"}, at=later)
    by_person = audit_entries(actor=admin, filters=AuditFilter(actor_username="site-librarian"))
    assert [e.action for e in by_person] == ["site.update"]
    sites = audit_entries(actor=admin, filters=AuditFilter(object_type="site"))
    assert sites.count() == 4  # three created, one updated
    at_north = audit_entries(actor=admin, filters=AuditFilter(site_id=district.north.id))
    assert {e.object_type for e in at_north} >= {"site"}
    since = audit_entries(actor=admin, filters=AuditFilter(since=later))
    assert [e.object_id for e in since] == ["NES"]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.DISTRICT_ADMIN])
def test_only_a_district_admin_reads_the_log(district, role) -> None:
    with pytest.raises(PermissionDenied):
        audit_entries(actor=district.users[role].actor())


def test_a_failed_change_leaves_no_audit_entry(district, cli_actor) -> None:
    count = AuditEntry.objects.count()
    with pytest.raises(Exception, match="time zone"):
        update_site(actor=cli_actor, code="NES", changes={"time_zone": "Mars/Olympus"}, at=T0)
    assert AuditEntry.objects.count() == count
