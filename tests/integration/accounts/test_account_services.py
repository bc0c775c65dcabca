"""Accounts: roles, sites, passwords and tokens, as the services enforce them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.conftest import PASSWORD, T0

from octavo.accounts.errors import WeakPassword
from octavo.accounts.models import User
from octavo.accounts.selectors import user_for_token, visible_users
from octavo.accounts.services import (
    create_token,
    create_user,
    revoke_token,
    set_password,
    update_user,
)
from octavo.audit.models import AuditEntry
from octavo.district.errors import UnknownSite
from octavo.shared.actor import Role
from octavo.shared.errors import Duplicate, InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db


def test_created_account_can_log_in_with_its_password(district, cli_actor) -> None:
    user = create_user(
        actor=cli_actor,
        username="tina",
        role="technician",
        site_codes=["nes", "ses"],
        password=PASSWORD,
        at=T0,
    )
    assert user.check_password(PASSWORD)
    assert sorted(user.sites.values_list("code", flat=True)) == ["NES", "SES"]
    entry = AuditEntry.objects.get(action="user.create", object_id="tina")
    assert entry.changes["sites"] == [None, ["NES", "SES"]]
    assert "password" not in entry.changes


@pytest.mark.parametrize("password", ["short-pw", "password1234", "123456789012345"])
def test_weak_passwords_are_refused_and_no_account_is_made(district, cli_actor, password) -> None:
    with pytest.raises(WeakPassword) as err:
        create_user(
            actor=cli_actor,
            username="weak",
            role="technician",
            site_codes=["NES"],
            password=password,
            at=T0,
        )
    assert err.value.field == "password"
    assert not User.objects.filter(username="weak").exists()


def test_usernames_are_unique_whatever_the_case(district, cli_actor) -> None:
    with pytest.raises(Duplicate) as err:
        create_user(
            actor=cli_actor,
            username="Technician",
            role="technician",
            site_codes=["NES"],
            password=PASSWORD,
            at=T0,
        )
    assert err.value.field == "username"


def test_unknown_site_code_names_the_code_and_writes_nothing(district, cli_actor) -> None:
    count = AuditEntry.objects.count()
    with pytest.raises(UnknownSite) as err:
        create_user(
            actor=cli_actor,
            username="x",
            role="teacher",
            site_codes=["NES", "ZZZ"],
            password=PASSWORD,
            at=T0,
        )
    assert err.value.field == "sites"
    assert "ZZZ" in err.value.message
    assert not User.objects.filter(username="x").exists()
    assert AuditEntry.objects.count() == count


def test_unknown_role_lists_the_known_ones(district, cli_actor) -> None:
    with pytest.raises(InvalidInput, match="district_admin") as err:
        create_user(actor=cli_actor, username="x", role="janitor", site_codes=["NES"], at=T0)
    assert err.value.field == "role"


def test_staff_other_than_district_admins_need_a_site(district, cli_actor) -> None:
    with pytest.raises(InvalidInput) as err:
        create_user(actor=cli_actor, username="nosite", role="teacher", site_codes=[], at=T0)
    assert err.value.field == "sites"


def test_site_librarian_manages_accounts_at_own_site_only(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    create_user(
        actor=librarian,
        username="newtech",
        role="technician",
        site_codes=["NES"],
        password=PASSWORD,
        at=T0,
    )
    with pytest.raises(PermissionDenied):
        create_user(
            actor=librarian,
            username="southtech",
            role="technician",
            site_codes=["SES"],
            password=PASSWORD,
            at=T0,
        )
    with pytest.raises(PermissionDenied):
        create_user(
            actor=librarian,
            username="peer",
            role="site_librarian",
            site_codes=["NES"],
            password=PASSWORD,
            at=T0,
        )
    assert not User.objects.filter(username__in=["southtech", "peer"]).exists()


def test_site_librarian_does_not_see_the_district_admin_or_other_sites(district, cli_actor):
    create_user(
        actor=cli_actor,
        username="southie",
        role="teacher",
        site_codes=["SES"],
        password=PASSWORD,
        at=T0,
    )
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    names = set(visible_users(actor=librarian).values_list("username", flat=True))
    assert "district-admin" not in names
    assert "southie" not in names
    assert "technician" in names


def test_role_change_is_logged_and_a_person_cannot_promote_themselves(district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    update_user(actor=admin, username="technician", changes={"role": "site_librarian"}, at=T0)
    entry = AuditEntry.objects.get(action="user.update", object_id="technician")
    assert entry.changes == {"role": ["technician", "site_librarian"]}
    with pytest.raises(PermissionDenied):
        update_user(actor=admin, username="district-admin", changes={"role": "teacher"}, at=T0)


def test_site_librarian_cannot_move_an_account_to_another_site(district) -> None:
    librarian = district.users[Role.SITE_LIBRARIAN].actor()
    with pytest.raises(PermissionDenied):
        update_user(actor=librarian, username="technician", changes={"sites": ["SES"]}, at=T0)
    assert list(User.objects.get(username="technician").sites.values_list("code", flat=True)) == [
        "NES"
    ]


def test_password_change_is_logged_without_the_password(district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    set_password(actor=admin, username="teacher", password="another-long-passphrase", at=T0)
    assert User.objects.get(username="teacher").check_password("another-long-passphrase")
    entry = AuditEntry.objects.get(action="user.password")
    assert "another-long-passphrase" not in str(entry.changes)


def test_token_resolves_to_its_user_until_revoked(district, cli_actor) -> None:
    token, raw = create_token(actor=cli_actor, username="technician", at=T0)
    assert raw.startswith("oct_") and len(raw) > 40
    assert token.digest != raw  # only the digest is stored
    assert user_for_token(raw, at=T0).username == "technician"
    assert user_for_token(raw + "x", at=T0) is None
    revoke_token(actor=cli_actor, prefix=token.prefix, at=T0 + timedelta(minutes=1))
    assert user_for_token(raw, at=T0 + timedelta(minutes=2)) is None


def test_token_of_a_deactivated_account_stops_working(district, cli_actor) -> None:
    _, raw = create_token(actor=cli_actor, username="teacher", at=T0)
    update_user(actor=cli_actor, username="teacher", changes={"is_active": False}, at=T0)
    assert user_for_token(raw, at=T0) is None


def test_a_technician_cannot_mint_tokens_for_someone_else(district) -> None:
    tech = district.users[Role.TECHNICIAN].actor()
    with pytest.raises(PermissionDenied):
        create_token(actor=tech, username="district-admin", at=T0)
