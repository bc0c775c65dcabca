"""Closing a site for holidays and breaks, and opening it again."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.district.models import ClosedDay
from octavo.district.selectors import closed_days_at
from octavo.district.services import add_closed_days, remove_closed_days
from octavo.policy.selectors import calendar_for
from octavo.shared.actor import Role
from octavo.shared.calendar import due_at
from octavo.shared.errors import InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_winter_break_closes_every_day_of_the_range_in_one_entry(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    added = add_closed_days(
        actor=librarian,
        site_code="nes",
        first=date(2026, 12, 21),
        last=date(2027, 1, 1),
        reason="Winter break",
        at=T0,
    )
    assert len(added) == 12
    assert [d.day for d in closed_days_at(actor=librarian, site=district.north)][:2] == [
        date(2026, 12, 21),
        date(2026, 12, 22),
    ]
    entry = AuditEntry.objects.get(action="closed_days.add")
    assert entry.object_id == "NES"
    assert entry.changes["closed_days"][1][0] == "2026-12-21"
    assert entry.changes["reason"] == [None, "Winter break"]


def test_adding_days_already_closed_keeps_them_and_adds_the_rest(district, cli_actor) -> None:
    add_closed_days(
        actor=cli_actor, site_code="NES", first=date(2026, 11, 26), reason="Thanksgiving", at=T0
    )
    added = add_closed_days(
        actor=cli_actor,
        site_code="NES",
        first=date(2026, 11, 26),
        last=date(2026, 11, 27),
        reason="Break",
        at=T0,
    )
    assert [d.day for d in added] == [date(2026, 11, 27)]
    assert (
        ClosedDay.objects.get(site=district.north, day=date(2026, 11, 26)).reason == "Thanksgiving"
    )
    assert add_closed_days(actor=cli_actor, site_code="NES", first=date(2026, 11, 26), at=T0) == []
    assert AuditEntry.objects.filter(action="closed_days.add").count() == 2


def test_a_due_date_moves_past_the_closed_days(district, cli_actor) -> None:
    from datetime import time

    from octavo.district.rules import Period
    from octavo.district.services import update_site

    update_site(
        actor=cli_actor,
        code="NES",
        changes={},
        hours=[Period(d, time(8), time(16)) for d in range(5)],
        at=T0,
    )
    start = datetime(2026, 12, 7, 17, 0, tzinfo=T0.tzinfo)  # a Monday
    before = due_at(start=start, days=14, hours=0, calendar=calendar_for(district.north.id))
    add_closed_days(
        actor=cli_actor, site_code="NES", first=date(2026, 12, 21), last=date(2027, 1, 1), at=T0
    )
    after = due_at(start=start, days=14, hours=0, calendar=calendar_for(district.north.id))
    local = calendar_for(district.north.id).local_date
    assert local(before) == date(2026, 12, 21)
    assert local(after) == date(2027, 1, 4)  # the first open day after the break


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2026, 12, 21), date(2026, 12, 20), "last"),
        (date(2026, 1, 1), date(2027, 6, 1), "last"),
        ("2026-12-21", None, "first"),
        (T0, None, "first"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(district, cli_actor, first, last, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_closed_days(actor=cli_actor, site_code="NES", first=first, last=last, at=T0)
    assert caught.value.field == field
    assert not ClosedDay.objects.exists()


def test_only_who_sets_policy_at_the_site_closes_it(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    tech = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(PermissionDenied):
        add_closed_days(actor=librarian, site_code="SES", first=date(2026, 12, 21), at=T0)
    with pytest.raises(PermissionDenied):
        add_closed_days(actor=tech, site_code="NES", first=date(2026, 12, 21), at=T0)
    with pytest.raises(NotFound):
        add_closed_days(actor=librarian, site_code="XXX", first=date(2026, 12, 21), at=T0)


def test_removing_closed_days_opens_the_site_and_is_audited(district, cli_actor) -> None:
    add_closed_days(
        actor=cli_actor, site_code="NES", first=date(2026, 12, 21), last=date(2026, 12, 24), at=T0
    )
    removed = remove_closed_days(
        actor=cli_actor, site_code="NES", first=date(2026, 12, 23), last=date(2026, 12, 31), at=T0
    )
    assert removed == 2
    assert list(ClosedDay.objects.values_list("day", flat=True)) == [
        date(2026, 12, 21),
        date(2026, 12, 22),
    ]
    entry = AuditEntry.objects.get(action="closed_days.remove")
    assert entry.changes == {"closed_days": [["2026-12-23", "2026-12-24"], None]}
    with pytest.raises(NotFound):
        remove_closed_days(actor=cli_actor, site_code="NES", first=date(2026, 12, 25), at=T0)
