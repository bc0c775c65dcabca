from __future__ import annotations

import json

import pytest
from tests.conftest import T0

from octavo.accounts.services import create_token
from octavo.district.services import add_location
from octavo.shared.actor import Role


class Api:
    """A JSON client that sends a bearer token."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def call(self, method: str, path: str, body=None, raw: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json", "data": data} if data is not None else {}
        return getattr(self.client, method.lower())(path, **kwargs, **headers)


@pytest.fixture
def tokens(district, cli_actor) -> dict[Role, str]:
    return {
        role: create_token(actor=cli_actor, username=user.username, at=T0)[1]
        for role, user in district.users.items()
    }


@pytest.fixture
def locations(district, cli_actor):
    return {
        "NES": add_location(
            actor=cli_actor, site=district.north, code="FIC", name="Fiction", at=T0
        ),
        "SES": add_location(
            actor=cli_actor, site=district.south, code="FIC", name="Fiction", at=T0
        ),
    }


@pytest.fixture
def api_as(client, tokens):
    def make(role: Role | None, token: str | None = None) -> Api:
        return Api(client, token if token is not None else (tokens[role] if role else None))

    return make


@pytest.fixture
def catalog_record(district, cli_actor, locations):
    """A record with one item at NES (barcode NES1) and one at SES (SES1)."""
    from octavo.catalog.records import RecordFields
    from octavo.catalog.services import create_record
    from octavo.holdings.services import ItemFields, add_items

    record = create_record(actor=cli_actor, fields=RecordFields(title="Owl moon"), at=T0)
    for code in ("NES", "SES"):
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[f"{code}1"],
            fields=ItemFields(site_code=code, location_code="FIC"),
            at=T0,
        )
    return record


@pytest.fixture
def patron(district, cli_actor):
    """Ana, a student at NES (card P1)."""
    from octavo.patrons.services import PatronFields, create_patron

    return create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="P1",
            first_name="Ana",
            last_name="Reyes",
            patron_type="student",
            site_code="NES",
        ),
        at=T0,
    )
