"""`octavo labels KIND --batch ID`: a saved label batch printed at the shell, its items in the
order they were added, what was left out on standard error; cards and markers refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.management import CommandError, call_command
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.labels import batches
from octavo.holdings.services import ItemFields, add_items, update_item
from octavo.shared.barcodes import barcode_range

pytestmark = pytest.mark.django_db

BARCODES = barcode_range("31234000000016", 3)


@pytest.fixture
def batch_id(district, cli_actor) -> int:
    record = create_record(actor=cli_actor, fields=RecordFields(title="Tide pools"), at=T0)
    for n, barcode in enumerate(BARCODES):
        add_items(
            actor=cli_actor,
            record_id=record.pk,
            barcodes=[barcode],
            fields=ItemFields(site_code="NES", call_class=f"59{n}.1", call_cutter="TID"),
            at=T0,
        )
    batch = batches.create_batch(actor=cli_actor, name="Spring", site_code="NES", at=T0)
    lines = [BARCODES[2], BARCODES[0], BARCODES[1]]
    batches.add_to_batch(actor=cli_actor, batch_id=batch.pk, lines=lines, at=T0)
    update_item(actor=cli_actor, barcode=BARCODES[1], changes={"status": "withdrawn"}, at=T0)
    return batch.pk


def test_a_saved_batch_prints_in_the_order_it_was_filled(batch_id, tmp_path: Path) -> None:
    out, stdout, stderr = tmp_path / "spine.pdf", io.StringIO(), io.StringIO()
    call_command(
        "labels", "spine", "--stock", "5160", "--batch", str(batch_id), "--out", str(out),
        stdout=stdout, stderr=stderr,
    )  # fmt: skip
    assert "wrote 2 spine labels on 1 sheet of avery-5160" in stdout.getvalue()
    assert f"skipped: {BARCODES[1]}: withdrawn" in stderr.getvalue()
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert text.index("592.1") < text.index("590.1")  # added third first, then first


@pytest.mark.parametrize(
    ("kind", "batch", "message"),
    [
        ("patron-card", None, "a saved batch holds items"),
        ("shelf-marker", None, "a saved batch holds items"),
        ("spine", 999999, "no label batch 999999"),
    ],
)
def test_a_batch_that_cannot_print_says_why(batch_id, tmp_path: Path, kind, batch, message) -> None:
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "labels", kind, "--stock", "5160", "--batch", str(batch or batch_id), "--out", str(out)
        )
    assert not out.exists()
