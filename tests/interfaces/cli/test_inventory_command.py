"""`octavo inventory`: the contract (start's last line is the id; reconcile --json's five keys),
a scanner's file with bad lines named on standard error, and finish."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.models import Item
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.cli.main import _help

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(district, cli_actor):
    record = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    for site, barcodes in (("NES", ["B1", "B2", "B3"]), ("SES", ["S1"])):
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=barcodes,
            fields=ItemFields(site_code=site),
            at=T0,
        )


def octavo(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("inventory", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_inventory_from_the_command_line(books, tmp_path: Path) -> None:
    out, _ = octavo("start", "--site", "nes")
    lines = out.strip().splitlines()
    assert lines[0] == "inventory of NES started"
    inventory_id = lines[-1]
    assert inventory_id.isdigit()

    scans = tmp_path / "cart-1.txt"
    scans.write_bytes(b"barcode\r\nB1\r\n\r\nB1\r\nS1\r\nB#2\r\nZZ9\r\n")
    out, err = octavo("scan", inventory_id, str(scans))
    assert err.splitlines() == [
        "cart-1.txt: line 1: 'barcode' is a column heading",
        "cart-1.txt: line 6: 'B#2' is not a barcode: stray characters '#' (a barcode is "
        "letters, digits, '.', '-' or '_')",
        "cart-1.txt: line 7: no item in the catalog has the barcode ZZ9 (another library's? "
        "not yet cataloged?): recorded, and listed as unknown",
    ]
    assert out.strip() == (
        "cart-1.txt: 7 lines; 3 barcodes recorded (1 of them unknown), 1 already scanned, "
        "2 lines skipped, 1 blank"
    )

    out, _ = octavo("reconcile", inventory_id, "--json")
    assert json.loads(out) == {
        "missing": ["B2", "B3"],
        "misplaced": ["S1"],
        "checked_out_on_shelf": [],
        "found": [],
        "unknown": ["ZZ9"],
    }
    out, _ = octavo("reconcile", inventory_id)
    assert "1 of 3 expected seen (33 %)" in out
    assert "missing (expected on the shelf, not scanned): 2\n  B2\n  B3\n" in out

    out, _ = octavo("finish", inventory_id)
    assert out.startswith(f"inventory {inventory_id} of NES finished: 2 marked missing")
    assert Item.objects.get(barcode="B2").status == "missing"
    out, _ = octavo("reconcile", inventory_id, "--json")
    assert json.loads(out)["missing"] == ["B2", "B3"]
    out, _ = octavo("list")
    assert out.startswith(f"{inventory_id}\tNES\tfinished\t")


def test_an_inventory_cancelled_from_the_command_line(books) -> None:
    inventory_id = octavo("start", "--site", "NES")[0].strip().splitlines()[-1]
    out, _ = octavo("cancel", inventory_id)
    assert (
        out.strip() == f"inventory {inventory_id} of NES cancelled: nothing marked; 0 scan(s) kept"
    )
    listed = octavo("list")[0]
    assert f"{inventory_id}\tNES\tcancelled\t" in listed


def test_a_scan_of_an_unknown_inventory_or_file_is_one_clear_line(books, tmp_path) -> None:
    with pytest.raises(CommandError, match="inventory: no inventory 999"):
        octavo("reconcile", "999")
    out, _ = octavo("start", "--site", "NES", "--range", "500-599")
    with pytest.raises(CommandError, match="file: no file"):
        octavo("scan", out.split()[-1], str(tmp_path / "nowhere.txt"))
    with pytest.raises(CommandError, match="range: 600 comes after 500 on the shelf"):
        octavo("start", "--site", "NES", "--range", "600-500")


def test_octavo_help_lists_the_inventory_command() -> None:
    assert "\n  inventory " in _help()
