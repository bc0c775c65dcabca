"""Fixtures for the staff screens: a fresh Spanish catalog, logged-in clients, two locations."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.translation import trans_real
from tests.conftest import T0

from octavo.shared.actor import Role
from octavo.shared.catalogs import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def _fresh_catalogs() -> None:
    # The .mo is a build product (gitignored); a .po edited since the last build must count.
    if compile_catalogs(only_stale=True):
        trans_real._translations = {}  # drop catalogs a test may have loaded before
        trans_real._default = None


@pytest.fixture
def client_as(district, client: Client):
    """`client_as(Role.X)`: the test client logged in with the district's account for X."""

    def log_in(role: Role | None) -> Client:
        if role is not None:
            client.force_login(district.users[role])
        return client

    return log_in


@pytest.fixture
def locations(district, cli_actor):
    """One location at North Elementary (NES/FIC) and one at South Elementary (SES/REF)."""
    from octavo.district.services import add_location

    return {
        "NES": add_location(
            actor=cli_actor, site=district.north, code="FIC", name="Fiction", at=T0
        ),
        "SES": add_location(
            actor=cli_actor, site=district.south, code="REF", name="Reference", at=T0
        ),
    }
