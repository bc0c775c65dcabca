"""`octavo weeding`: build prints the list in shelf order with its id on the last line (or one
JSON object), apply withdraws with a reason; bad input is one line naming what is wrong."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import T0, student

from octavo.catalog.models import Record
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.holds.services import place_hold
from octavo.interfaces.cli.main import _help

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(district, cli_actor):
    for title, year, barcode, call_class, condition in (
        ("Old Science", 2001, "B1", "599.75", ""),
        ("Torn Science", 2024, "B2", "550", "damaged"),
        ("Old Cooking", 2001, "B3", "641.5", ""),
    ):
        record = create_record(
            actor=cli_actor, fields=RecordFields(title=title, year=year), at=T0.replace(year=2020)
        )
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[barcode],
            fields=ItemFields(site_code="NES", call_class=call_class, condition=condition),
            at=T0.replace(year=2020),
        )


def octavo(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("weeding", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_build_lists_the_range_in_shelf_order_and_apply_withdraws(books, cli_actor):
    # A hold waits for Torn Science, whose only copy is about to go.
    student(cli_actor, "P1", "Ana", "Reyes")
    torn = Record.objects.get(title="Torn Science")
    place_hold(
        actor=cli_actor, patron_barcode="P1", record_id=torn.pk, pickup_site_code="NES", at=T0
    )
    out, _ = octavo("build", "--site", "nes", "--range", "500-599", "--preset", "crew")
    lines = out.splitlines()
    assert lines[0] == "weeding list of NES 500-599: 2 items, in shelf order"
    assert lines[1].startswith("550\tB2\tTorn Science\t2024\tlast out never\tcondition")
    assert lines[2].startswith("599.75\tB1\tOld Science\t2001\tlast out never\tage,unused")
    number = lines[-1]
    out, err = octavo("apply", number, "--reason", "CREW", "--include-undecided")
    assert out.strip() == f"weeding list {number}: 2 withdrawn, 0 not withdrawn now, 0 kept"
    assert err.strip() == (
        f"record {torn.pk} (Torn Science): 1 hold(s) waiting that no copy can fill now: "
        "cancel them or order a copy"
    )
    assert set(Item.objects.filter(status="withdrawn").values_list("barcode", flat=True)) == {
        "B1",
        "B2",
    }


def test_build_json_and_own_criteria(books):
    out, _ = octavo("build", "--site", "NES", "--range", "500-", "--age", "20", "--json")
    found = json.loads(out)
    assert (found["site"], found["range"]) == ("NES", ["500", ""])
    assert [(e["barcode"], e["reasons"]) for e in found["entries"]] == [
        ("B1", ["age"]),
        ("B3", ["age"]),
    ]
    assert found["criteria"]["age_years"] == 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--range", "5OO-599", "--preset", "crew"], "range: the range's first end"),
        (["--range", "500-599"], "criteria: choose at least one criterion"),
        (["--range", "500-599", "--preset", "crew", "--age", "3"], "not both"),
        (["--range", "500-599", "--unused", "x"], "unused_years: years without use: 'x'"),
    ],
)
def test_bad_input_is_one_line_naming_it(books, args, words):
    with pytest.raises(CommandError, match=words):
        octavo("build", "--site", "NES", *args)


def test_weeding_is_listed_in_octavo_help():
    assert "  weeding " in _help()
