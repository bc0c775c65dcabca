"""Sites, hours and locations through the services, with their audit entries."""

from __future__ import annotations

from datetime import time

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.district.models import Location, OpeningHours, Site
from octavo.district.rules import Period
from octavo.district.selectors import visible_sites
from octavo.district.services import add_location, create_site, update_location, update_site
from octavo.shared.actor import Role
from octavo.shared.errors import Duplicate, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_created_site_has_its_hours_and_an_audit_entry(cli_actor) -> None:
    site = create_site(
        actor=cli_actor,
        code="mes",
        name="Maple Elementary",
        time_zone="America/Chicago",
        hours=[Period(0, time(8), time(15)), Period(4, time(8), time(12))],
        at=T0,
    )
    assert site.code == "MES"
    assert list(OpeningHours.objects.filter(site=site).values_list("weekday", flat=True)) == [0, 4]
    entry = AuditEntry.objects.get(object_type="site", object_id="MES")
    assert entry.action == "site.create"
    assert entry.actor_username == "test-operator"
    assert entry.source == "cli"
    assert entry.changes["name"] == [None, "Maple Elementary"]
    assert entry.changes["hours"][1] == ["0:08:00-15:00", "4:08:00-12:00"]


def test_duplicate_site_code_is_refused_and_nothing_is_written(district, cli_actor) -> None:
    before = (Site.objects.count(), AuditEntry.objects.count())
    with pytest.raises(Duplicate) as err:
        create_site(actor=cli_actor, code="nes", name="Another North", at=T0)
    assert err.value.field == "code"
    assert (Site.objects.count(), AuditEntry.objects.count()) == before


def test_bad_hours_write_nothing(cli_actor) -> None:
    with pytest.raises(InvalidInput) as err:
        create_site(
            actor=cli_actor,
            code="BAD",
            name="Bad Hours",
            hours=[Period(0, time(15), time(8))],
            at=T0,
        )
    assert err.value.field == "opening_hours"
    assert not Site.objects.filter(code="BAD").exists()


def test_site_librarian_edits_own_site_and_the_log_shows_before_and_after(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    update_site(
        actor=librarian,
        code="NES",
        changes={"name": "North Elementary School"},
        hours=[Period(2, time(9), time(14))],
        at=T0,
    )
    entry = AuditEntry.objects.filter(action="site.update").get()
    assert entry.actor_username == "site-librarian"
    assert entry.changes["name"] == ["North Elementary", "North Elementary School"]
    assert entry.changes["hours"] == [[], ["2:09:00-14:00"]]


def test_site_librarian_cannot_edit_another_site(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    with pytest.raises(PermissionDenied):
        update_site(actor=librarian, code="SES", changes={"name": "Mine now"}, at=T0)
    assert Site.objects.get(code="SES").name == "South Elementary"


def test_update_with_nothing_changed_writes_no_audit_entry(district, cli_actor) -> None:
    count = AuditEntry.objects.count()
    update_site(actor=cli_actor, code="NES", changes={"name": "North Elementary"}, at=T0)
    assert AuditEntry.objects.count() == count


def test_update_of_unknown_site_names_it(cli_actor, db) -> None:
    with pytest.raises(NotFound, match="ZZZ"):
        update_site(actor=cli_actor, code="ZZZ", changes={"name": "x"}, at=T0)


def test_update_refuses_fields_it_does_not_know(district, cli_actor) -> None:
    with pytest.raises(InvalidInput) as err:
        update_site(actor=cli_actor, code="NES", changes={"code": "NEW"}, at=T0)
    assert err.value.field == "code"


def test_technician_adds_a_location_at_own_site_only(district) -> None:
    tech = district.users[Role.TECHNICIAN].actor()
    loc = add_location(actor=tech, site=district.north, code="fic", name="Fiction", at=T0)
    assert (loc.site.code, loc.code) == ("NES", "FIC")
    with pytest.raises(PermissionDenied):
        add_location(actor=tech, site=district.south, code="FIC", name="Fiction", at=T0)
    assert not Location.objects.filter(site=district.south).exists()


def test_location_codes_are_unique_within_a_site_but_not_across_sites(district, cli_actor) -> None:
    add_location(actor=cli_actor, site=district.north, code="REF", name="Reference", at=T0)
    add_location(actor=cli_actor, site=district.south, code="REF", name="Reference", at=T0)
    with pytest.raises(Duplicate) as err:
        add_location(actor=cli_actor, site=district.north, code="ref", name="Again", at=T0)
    assert err.value.field == "code"


def test_location_can_be_renamed_and_retired(district, cli_actor) -> None:
    loc = add_location(actor=cli_actor, site=district.north, code="E", name="Easy", at=T0)
    update_location(
        actor=cli_actor,
        location_id=loc.id,
        changes={"name": "Easy readers", "is_active": False},
        at=T0,
    )
    loc.refresh_from_db()
    assert (loc.name, loc.is_active) == ("Easy readers", False)
    entry = AuditEntry.objects.filter(action="location.update").get()
    assert entry.changes == {"is_active": [True, False], "name": ["Easy", "Easy readers"]}


def test_staff_see_only_their_sites_and_the_admin_sees_all(district) -> None:
    tech = district.users[Role.TECHNICIAN].actor()
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    assert [s.code for s in visible_sites(actor=tech)] == ["NES"]
    assert [s.code for s in visible_sites(actor=admin)] == ["CHS", "NES", "SES"]
    with pytest.raises(PermissionDenied):
        visible_sites(actor=district.users[Role.STUDENT].actor())
