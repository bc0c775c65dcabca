"""The role x action x site table, read as a librarian would expect it."""

from __future__ import annotations

import pytest

from octavo.accounts.rules import (
    OWN_ACCOUNT,
    STAFF_ACTIONS,
    Action,
    decide,
    decide_own,
    decide_user_change,
    may_ever,
)
from octavo.shared.actor import Actor, Role

NORTH, SOUTH = 1, 2


def actor(role: Role, *sites: int) -> Actor:
    return Actor(username=f"a-{role.value}", role=role, site_ids=frozenset(sites))


@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
def test_district_admin_may_do_everything_at_every_site(action: Action) -> None:
    assert decide(actor(Role.DISTRICT_ADMIN), action, site_id=SOUTH)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", sorted(OWN_ACCOUNT))
def test_own_account_actions_are_never_granted_by_site(role: Role, action: Action) -> None:
    assert not decide(actor(role, NORTH), action, site_id=NORTH)
    staff = actor(role, NORTH)
    assert not decide_own(staff, action, patron_id=7)  # a staff account acts for no patron


def test_a_card_holder_acts_on_their_own_account_only() -> None:
    me = Actor.card_holder(7, "P7")
    assert decide_own(me, Action.SELF_SERVICE, patron_id=7)
    assert decide_own(me, Action.HISTORY_CHOICE, patron_id=7)
    assert not decide_own(me, Action.SELF_SERVICE, patron_id=8)


def test_a_parent_reads_their_children_and_only_chooses_their_reading_history() -> None:
    parent = Actor.parent("rosa@example.org", frozenset({7, 9}))
    assert decide_own(parent, Action.HISTORY_CHOICE, patron_id=9)
    assert not decide_own(parent, Action.HISTORY_CHOICE, patron_id=8)
    assert not decide_own(parent, Action.SELF_SERVICE, patron_id=7)  # no renewals, no holds


@pytest.mark.parametrize("role", [Role.STUDENT, Role.PARENT])
@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
def test_students_and_parents_may_not_use_the_staff_side(role: Role, action: Action) -> None:
    decision = decide(actor(role, NORTH), action, site_id=NORTH)
    assert not decision
    assert role.value in decision.reason


def test_teachers_open_the_staff_side_but_manage_nothing() -> None:
    a = actor(Role.TEACHER, NORTH)
    assert decide(a, Action.STAFF_ACCESS)
    for action in set(Action) - {Action.STAFF_ACCESS}:
        assert not decide(a, action, site_id=NORTH), action


def test_student_helpers_run_the_desk_at_their_site_but_override_and_change_nothing() -> None:
    a = actor(Role.STUDENT_HELPER, NORTH)
    allowed = {Action.STAFF_ACCESS, Action.PATRON_VIEW, Action.CIRCULATE}
    for action in allowed:
        assert decide(a, action, site_id=NORTH), action
    assert not decide(a, Action.CIRCULATE, site_id=SOUTH)
    for action in set(Action) - allowed:
        assert not decide(a, action, site_id=NORTH), action


def test_site_librarian_edits_own_site_only() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert decide(a, Action.SITE_EDIT, site_id=NORTH)
    refused = decide(a, Action.SITE_EDIT, site_id=SOUTH)
    assert not refused
    assert "sites" in refused.reason


def test_site_librarian_may_not_create_sites_or_read_the_audit_log() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert not decide(a, Action.SITE_CREATE)
    assert not decide(a, Action.AUDIT_VIEW)


def test_technician_manages_locations_at_own_site_but_cannot_edit_the_site() -> None:
    a = actor(Role.TECHNICIAN, NORTH)
    assert decide(a, Action.LOCATION_MANAGE, site_id=NORTH)
    assert not decide(a, Action.LOCATION_MANAGE, site_id=SOUTH)
    assert not decide(a, Action.SITE_EDIT, site_id=NORTH)
    assert not may_ever(a, Action.USER_VIEW)


def test_site_scoped_action_without_a_site_is_refused_for_non_admins() -> None:
    assert not decide(actor(Role.SITE_LIBRARIAN, NORTH), Action.SITE_EDIT, site_id=None)


def test_site_librarian_creates_technicians_at_own_site() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert decide_user_change(a, target_role=Role.TECHNICIAN, target_site_ids=frozenset({NORTH}))


@pytest.mark.parametrize("role", [Role.SITE_LIBRARIAN, Role.DISTRICT_ADMIN])
def test_site_librarian_may_not_create_peers_or_admins(role: Role) -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert not decide_user_change(a, target_role=role, target_site_ids=frozenset({NORTH}))


def test_site_librarian_may_not_give_an_account_another_site() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    both = frozenset({NORTH, SOUTH})
    assert not decide_user_change(a, target_role=Role.TECHNICIAN, target_site_ids=both)


def test_site_librarian_may_not_take_over_an_account_from_another_site() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert not decide_user_change(
        a,
        target_role=Role.TECHNICIAN,
        target_site_ids=frozenset({NORTH}),
        current_role=Role.TECHNICIAN,
        current_site_ids=frozenset({SOUTH}),
    )


def test_site_librarian_may_not_demote_a_district_admin() -> None:
    a = actor(Role.SITE_LIBRARIAN, NORTH)
    assert not decide_user_change(
        a,
        target_role=Role.TECHNICIAN,
        target_site_ids=frozenset({NORTH}),
        current_role=Role.DISTRICT_ADMIN,
    )


def test_technician_may_not_manage_accounts_at_all() -> None:
    a = actor(Role.TECHNICIAN, NORTH)
    assert not decide_user_change(a, target_role=Role.STUDENT, target_site_ids=frozenset({NORTH}))
