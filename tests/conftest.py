"""Shared fixtures: a small district (three sites) and one account per role.

Every test that touches the database runs on SQLite and, in the second pass of the test
command, on PostgreSQL (see scripts/test).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from octavo.shared.actor import Actor, Role

pytest_plugins = ["tests.samples"]  # the marc_samples fixture

PASSWORD = "correct-horse-battery-staple"  # 28 characters, not in the common list
T0 = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class District:
    north: object  # Site
    south: object
    high: object
    users: dict[Role, object]  # one account per role, all at `north` (admin: no site)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # PBKDF2's real cost (about 0.3 s a hash) would dominate the suite; hashing is Django's.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cli_actor() -> Actor:
    return Actor.command_line("test-operator")


@pytest.fixture
def district(db, cli_actor: Actor) -> District:
    from octavo.accounts.services import create_user
    from octavo.district.services import create_site

    north = create_site(actor=cli_actor, code="NES", name="North Elementary", at=T0)
    south = create_site(actor=cli_actor, code="SES", name="South Elementary", at=T0)
    high = create_site(actor=cli_actor, code="CHS", name="Central High", at=T0)
    users = {}
    for role in Role:
        users[role] = create_user(
            actor=cli_actor,
            username=role.value.replace("_", "-"),
            role=role,
            site_codes=[] if role is Role.DISTRICT_ADMIN else ["NES"],
            password=PASSWORD,
            at=T0,
        )
    return District(north=north, south=south, high=high, users=users)
