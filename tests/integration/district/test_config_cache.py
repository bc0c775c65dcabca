"""The desk keeps sites, calendars and the policy matrix in memory (district.selectors.cached)
and must still follow every change at once, however it is made, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from octavo.district.models import ClosedDay, ConfigVersion, Site
from octavo.district.selectors import site_by_id
from octavo.policy.models import PolicyRule
from octavo.policy.selectors import calendar_for, rules_for


def _loan_days(district) -> int:
    return rules_for(
        site_id=district.north.id, patron_type_id=1, material_type_id=None
    ).rules.loan_days


@pytest.mark.django_db
def test_a_policy_change_by_queryset_update_is_read_at_once(district) -> None:
    assert _loan_days(district) == 14
    assert _loan_days(district) == 14  # from memory now
    PolicyRule.objects.update(loan_days=7)  # no service, no signal: the trigger sees it
    assert _loan_days(district) == 7


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_the_old_policy(district) -> None:
    assert _loan_days(district) == 14
    with pytest.raises(RuntimeError), transaction.atomic():
        PolicyRule.objects.update(loan_days=3)
        assert _loan_days(district) == 3
        raise RuntimeError("undo")
    assert _loan_days(district) == 14


@pytest.mark.django_db
def test_a_closed_day_and_a_time_zone_change_reach_the_calendar(district) -> None:
    day = date(2026, 12, 24)
    assert day not in calendar_for(district.north.id).closed
    ClosedDay.objects.create(site=district.north, day=day, reason="Winter break")
    assert day in calendar_for(district.north.id).closed
    Site.objects.filter(pk=district.north.id).update(time_zone="America/New_York")
    assert str(calendar_for(district.north.id).zone) == "America/New_York"


@pytest.mark.django_db
def test_a_site_from_memory_is_a_copy(district) -> None:
    site = site_by_id(district.north.id)
    site.name = "Changed in one request"
    assert site_by_id(district.north.id).name == district.north.name


@pytest.mark.django_db
def test_an_emptied_token_table_still_gives_the_current_policy(district) -> None:
    assert _loan_days(district) == 14
    ConfigVersion.objects.all().delete()  # as the test suite's flush leaves it
    assert _loan_days(district) == 14
    PolicyRule.objects.update(loan_days=9)
    assert ConfigVersion.objects.count() == 1  # the trigger wrote the token again
    assert _loan_days(district) == 9


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_read_at_once(
    flushable_append_only, district
) -> None:
    assert _loan_days(district) == 14

    def elsewhere() -> None:  # another desk's process, as far as this one can tell
        try:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE policy_policyrule SET loan_days = 21")
        finally:
            connection.close()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert _loan_days(district) == 21
