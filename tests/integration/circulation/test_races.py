"""Desks racing for one item: whatever the timing, one loan (issue #4, "Engineering")."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.errors import Refused
from octavo.circulation.models import CirculationEvent, Loan
from octavo.circulation.services import check_in, check_out
from octavo.holdings.services import ItemFields, add_items
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role

pytestmark = pytest.mark.django_db(transaction=True)

DESKS = 8
TRIALS = 5


def test_desks_racing_to_check_out_one_item_make_exactly_one_loan(
    flushable_append_only, district, cli_actor
) -> None:
    record = create_record(actor=cli_actor, fields=RecordFields(title="Holes"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["RACE1"],
        fields=ItemFields(site_code="NES"),
        at=T0,
    )
    for n in range(DESKS):
        create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=f"P{n}",
                first_name="Kid",
                last_name=f"N{n}",
                patron_type="student",
                site_code="NES",
            ),
            at=T0,
        )
    tech = district.users[Role.TECHNICIAN].actor()
    for trial in range(TRIALS):
        at = T0 + timedelta(minutes=trial)
        start = threading.Barrier(DESKS)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=_desk, args=(tech, n, at, start, outcomes))
            for n in range(DESKS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["item_checked_out"] * (DESKS - 1) + ["loan"], outcomes
        assert Loan.objects.filter(status="open").count() == 1
        check_in(actor=tech, item_barcode="RACE1", at=at + timedelta(seconds=30))
    assert CirculationEvent.objects.filter(kind="check_out").count() == TRIALS


def _desk(tech, n: int, at, start: threading.Barrier, outcomes: list[str]) -> None:
    """One desk: wait for the others, then scan. Each thread has its own connection."""
    try:
        start.wait()
        check_out(actor=tech, patron_barcode=f"P{n}", item_barcode="RACE1", at=at)
        outcome = "loan"
    except Refused as refused:
        outcome = refused.reason.value
    except Exception as error:  # any other failure is reported by the assertion
        outcome = f"error: {error!r}"
    finally:
        connection.close()
    outcomes.append(outcome)  # list.append is atomic under the GIL
