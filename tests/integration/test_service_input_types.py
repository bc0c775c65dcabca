"""Services refuse values of the wrong kind instead of storing "None" or crashing, whichever
interface called them (the API guards too, but the services are the rule)."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.conftest import T0

from octavo.accounts.services import update_user
from octavo.audit.selectors import AuditFilter, audit_entries
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.models import Site
from octavo.district.services import update_site
from octavo.holdings.services import ItemFields, add_items, update_item
from octavo.shared.actor import Role
from octavo.shared.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": None}, "name"),
        ({"address": 5}, "address"),
        ({"time_zone": None}, "time_zone"),
    ],
)
def test_site_changes_must_be_text(district, cli_actor, changes, field) -> None:
    with pytest.raises(InvalidInput) as err:
        update_site(actor=cli_actor, code="NES", changes=changes, at=T0)
    assert err.value.field == field
    assert Site.objects.get(code="NES").address == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"sites": None}, "sites"),
        ({"sites": "NES"}, "sites"),
    ],
)
def test_account_changes_must_have_the_right_kind(district, cli_actor, changes, field) -> None:
    with pytest.raises(InvalidInput) as err:
        update_user(actor=cli_actor, username="teacher", changes=changes, at=T0)
    assert err.value.field == field


def test_item_changes_must_be_text(district, cli_actor) -> None:
    record = create_record(actor=cli_actor, fields=RecordFields(title="T"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["X1"],
        fields=ItemFields(site_code="NES"),
        at=T0,
    )
    with pytest.raises(InvalidInput) as err:
        update_item(actor=cli_actor, barcode="X1", changes={"staff_note": None}, at=T0)
    assert err.value.field == "staff_note"


def test_audit_dates_need_a_time_zone(district) -> None:
    admin = district.users[Role.DISTRICT_ADMIN].actor()
    with pytest.raises(InvalidInput) as err:
        list(audit_entries(actor=admin, filters=AuditFilter(since=datetime(2026, 9, 1))))  # noqa: DTZ001 - the mistake under test
    assert err.value.field == "since"
