"""Holds from placing to pickup, as the desk, the API and the OPAC will all drive them: the
queue, trapping at check-in, transit to the pickup site, the hold shelf, expiry, and the
checks that keep an item for the patron it waits for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.errors import Refused
from octavo.circulation.services import cancel_hold, check_in, check_out, expire_holds, renew
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.models import Hold
from octavo.holds.selectors import pull_list, queue_position
from octavo.holds.services import HoldRefused, place_hold, suspend_hold
from octavo.patrons.services import PatronFields, create_patron
from octavo.policy.models import PolicyRule
from octavo.shared.actor import Role
from octavo.shared.errors import Reason

pytestmark = pytest.mark.django_db


@pytest.fixture
def lib(district, cli_actor):
    """One title with a copy at North (H1) and one at South (H2); three students at North."""
    record = create_record(
        actor=cli_actor, fields=RecordFields(title="Hatchet", call_number="FIC PAU"), at=T0
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["H1"],
        fields=ItemFields(site_code="NES", call_class="FIC", call_cutter="PAU"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["H2"],
        fields=ItemFields(site_code="SES"),
        at=T0,
    )
    patrons = {}
    for code, name in (("PA", "Ana"), ("PB", "Ben"), ("PC", "Cy")):
        patrons[code] = create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=code,
                first_name=name,
                last_name="Kid",
                patron_type="student",
                site_code="NES",
            ),
            at=T0,
        )
    return {
        "record": record,
        "p": patrons,
        "admin": district.users[Role.DISTRICT_ADMIN].actor(),
        "tech": district.users[Role.TECHNICIAN].actor(),
    }


def hold(lib, who, at=T0, site="NES"):
    return place_hold(
        actor=lib["admin"],
        patron_id=lib["p"][who].pk,
        record_id=lib["record"].pk,
        pickup_site_code=site,
        at=at,
    )


def test_a_returned_copy_is_trapped_for_the_oldest_hold_and_waits_on_the_shelf(lib) -> None:
    check_out(actor=lib["tech"], patron_barcode="PA", item_barcode="H1", at=T0)
    first = hold(lib, "PB", at=T0 + timedelta(minutes=1))
    second = hold(lib, "PC", at=T0 + timedelta(minutes=2))
    assert (queue_position(first), queue_position(second)) == (1, 2)
    back = check_in(actor=lib["tech"], item_barcode="H1", at=T0 + timedelta(days=2))
    assert back.destination == "hold_shelf" and back.hold.pk == first.pk
    assert Item.objects.get(barcode="H1").status == "on_hold_shelf"
    ready = Hold.objects.get(pk=first.pk)
    assert ready.status == "ready" and ready.item.barcode == "H1"
    assert ready.expires_at > ready.ready_at + timedelta(days=6)


def test_an_item_on_the_hold_shelf_goes_only_to_its_patron(lib) -> None:
    hold(lib, "PB")
    check_in(actor=lib["tech"], item_barcode="H1", at=T0)  # on the shelf: trapped at once
    with pytest.raises(Refused) as refused:
        check_out(actor=lib["tech"], patron_barcode="PC", item_barcode="H1", at=T0)
    assert refused.value.reason is Reason.ITEM_ON_HOLD
    check_out(actor=lib["tech"], patron_barcode="PB", item_barcode="H1", at=T0)
    done = Hold.objects.get()
    # Fulfilled, and (no reading history) the hold no longer names the patron.
    assert done.status == "fulfilled" and done.patron is None


def test_an_override_gives_the_item_away_and_the_hold_waits_again(lib) -> None:
    waiting = hold(lib, "PB")
    check_in(actor=lib["tech"], item_barcode="H1", at=T0)
    check_out(
        actor=lib["tech"], patron_barcode="PC", item_barcode="H1", at=T0, overrides={"item_on_hold"}
    )
    again = Hold.objects.get(pk=waiting.pk)
    assert again.status == "waiting" and again.item is None


def test_a_copy_returned_elsewhere_travels_to_the_pickup_site(lib, district) -> None:
    hold(lib, "PB", site="NES")
    south_desk = lib["admin"]
    away = check_in(actor=south_desk, item_barcode="H2", at=T0, site_code="SES")
    assert (away.destination, away.to_site.code) == ("transit", "NES")
    assert Hold.objects.get().status == "in_transit"
    arrived = check_in(actor=lib["tech"], item_barcode="H2", at=T0 + timedelta(days=1))
    assert arrived.destination == "hold_shelf"
    assert Hold.objects.get().status == "ready"


def test_a_suspended_hold_is_passed_over(lib) -> None:
    first = hold(lib, "PB")
    hold(lib, "PC", at=T0 + timedelta(minutes=1))
    suspend_hold(actor=lib["admin"], hold_id=first.pk, until=date(2026, 9, 20), at=T0)
    back = check_in(actor=lib["tech"], item_barcode="H1", at=T0)
    assert back.hold.patron.barcode == "PC"


def test_renewal_is_refused_while_another_patron_waits(lib) -> None:
    check_out(actor=lib["tech"], patron_barcode="PA", item_barcode="H1", at=T0)
    hold(lib, "PB")
    with pytest.raises(Refused) as refused:
        renew(actor=lib["tech"], item_barcode="H1", at=T0 + timedelta(days=3))
    assert refused.value.reason is Reason.ITEM_ON_HOLD


def test_holds_are_refused_past_the_limit_and_twice_for_one_title(lib) -> None:
    hold(lib, "PB")
    with pytest.raises(HoldRefused) as twice:
        hold(lib, "PB")
    assert twice.value.reason is Reason.DUPLICATE
    PolicyRule.objects.update(hold_limit=0)
    with pytest.raises(HoldRefused) as limit:
        hold(lib, "PC")
    assert limit.value.reason is Reason.LIMIT_REACHED


def test_cancelling_a_ready_hold_sends_the_item_to_the_next_one(lib) -> None:
    first = hold(lib, "PB")
    hold(lib, "PC", at=T0 + timedelta(minutes=1))
    check_in(actor=lib["tech"], item_barcode="H1", at=T0)
    _, went = cancel_hold(actor=lib["admin"], hold_id=first.pk, at=T0 + timedelta(hours=1))
    assert went == "hold_shelf"
    nxt = Hold.objects.get(status="ready")
    assert nxt.patron.barcode == "PC" and nxt.item.barcode == "H1"


def test_a_patron_cannot_cancel_someone_elses_hold(lib) -> None:
    from octavo.shared.errors import NotFound

    theirs = hold(lib, "PB")
    with pytest.raises(NotFound):
        cancel_hold(actor=lib["admin"], hold_id=theirs.pk, at=T0, patron_id=lib["p"]["PC"].pk)
    assert Hold.objects.get().status == "waiting"


def test_a_hold_not_picked_up_expires_and_the_item_goes_home(lib) -> None:
    hold(lib, "PB")
    check_in(actor=lib["tech"], item_barcode="H1", at=T0)
    assert expire_holds(at=T0 + timedelta(days=3)) == 0
    assert expire_holds(at=T0 + timedelta(days=30)) == 1
    assert Hold.objects.get().status == "expired"
    assert Item.objects.get(barcode="H1").status == "available"


def test_the_pull_list_names_copies_on_this_sites_shelf_in_shelf_order(lib, district) -> None:
    hold(lib, "PB")
    lines = pull_list(district.north, today=date(2026, 9, 1))
    assert [(line.item.barcode, line.hold.patron.barcode) for line in lines] == [("H1", "PB")]
    assert pull_list(district.high, today=date(2026, 9, 1)) == []
