"""`octavo labels` as an operator runs it: items loaded from a MARC file with their 852
holdings, labels chosen by a barcode list, a range or a day, written to a PDF whose barcodes
scan back; what is left out and what needs a look named on standard error."""

from __future__ import annotations

import re
from pathlib import Path

import pymarc
import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.management import CommandError, call_command
from tests.interfaces.cli.test_octavo_command import migrated, run

from octavo.shared.barcodes import barcode_range

BARCODES = barcode_range("31234000000016", 5)
CALLS = [("", "599.75", "SMI"), ("FIC", "", "ROW"), ("", "QA76.73.P98", "L877"), ("", "", "")]


def _marc(path: Path) -> None:
    """Two records with holdings (852 $p barcode, $k prefix, $h class, $i cutter)."""
    writer = pymarc.XMLWriter(path.open("wb"))
    for n, title in enumerate(["Whales of the world", "A book of strange shelves"]):
        record = pymarc.Record()
        record.add_field(pymarc.Field(tag="001", data=f"lab{n}"))
        record.add_field(
            pymarc.Field(
                tag="245",
                indicators=pymarc.Indicators("0", "0"),
                subfields=[pymarc.Subfield("a", title)],
            )
        )
        for i in range(n * 3, min(n * 3 + 3, len(BARCODES))):
            prefix, klass, cutter = CALLS[i % len(CALLS)]
            if i == 4:
                klass, cutter = "??? corner", ""  # a call number that cannot be read
            subfields = [pymarc.Subfield("p", BARCODES[i])]
            subfields += [
                pymarc.Subfield(c, v) for c, v in (("k", prefix), ("h", klass), ("i", cutter)) if v
            ]
            record.add_field(
                pymarc.Field(tag="852", indicators=pymarc.Indicators(" ", " "), subfields=subfields)
            )
        writer.write(record)
    writer.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One district for the module: each `octavo` run costs a Python and Django start-up."""
    tmp_path = tmp_path_factory.mktemp("labels")
    migrated(tmp_path)
    run(tmp_path, "site", "add", "NES", "North Elementary")
    marc = tmp_path / "new.xml"
    _marc(marc)
    assert "items created 5" in run(tmp_path, "import-marc", str(marc), "--site", "NES").stdout
    return tmp_path


def _scan(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    found = []
    for i in range(len(document)):
        image = document[i].render(scale=300 / 72).to_pil()
        found += [r.text[1:-1] for r in zxingcpp.read_barcodes(image)]  # Codabar: A...A
    return found


def test_barcode_labels_from_a_list_scan_back_and_name_what_was_left_out(loaded: Path) -> None:
    listed = loaded / "batch.txt"
    listed.write_text(f"{BARCODES[0]}\n\n{BARCODES[1]}\n{BARCODES[0]}\nNOPE-1\n{BARCODES[4]}\n")
    out = loaded / "labels.pdf"
    result = run(
        loaded, "labels", "barcode", "--stock", "avery-5160", "--site", "NES", "--start", "7",
        "--barcodes", str(listed), "--out", str(out),
    )  # fmt: skip
    assert "wrote 3 barcode labels on 1 sheet of avery-5160" in result.stdout
    assert "(0 to check, 3 skipped)" in result.stdout
    assert "skipped: line 2: blank line" in result.stderr
    assert f"skipped: line 4: {BARCODES[0]}: already listed on line 1" in result.stderr
    assert "skipped: line 5: NOPE-1: no item with this barcode" in result.stderr
    assert sorted(_scan(out)) == sorted([BARCODES[0], BARCODES[1], BARCODES[4]])
    assert not (loaded / "labels.pdf.partial").exists()


def test_spine_labels_for_a_range_flag_the_call_number_printed_whole(loaded: Path) -> None:
    out = loaded / "spine.pdf"
    result = run(
        loaded, "labels", "spine", "--stock", "5167", "--range",
        f"{BARCODES[0]}-{BARCODES[-1]}", "--out", str(out),
    )  # fmt: skip
    assert "wrote 5 spine labels on 1 sheet of avery-5167" in result.stdout
    assert (
        f"check: label 5 ({BARCODES[4]}), sheet 1 position 5: printed whole, not split"
        in result.stderr
    )
    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    for line in ("599.75", "SMI", "FIC", "ROW", "QA", "76.73", ".P98", "L877", "??? corner"):
        assert line in text


def test_labels_added_today_and_shelf_markers(loaded: Path) -> None:
    out = loaded / "today.pdf"
    result = run(
        loaded, "labels", "spine-barcode", "--stock", "avery-5161", "--site", "NES",
        "--added-since", "today", "--out", str(out),
    )  # fmt: skip
    assert "wrote 5 spine-barcode labels" in result.stdout
    assert sorted(_scan(out)) == sorted(BARCODES)
    markers = loaded / "markers.pdf"
    result = run(
        loaded, "labels", "shelf-marker", "--stock", "avery-5163", "--site", "NES",
        "--range", "000 - 299.99 ZZZ", "--out", str(markers),
    )  # fmt: skip
    assert "wrote 1 shelf-marker labels" in result.stdout
    text = pdfium.PdfDocument(markers)[0].get_textpage().get_text_range()
    assert "000" in text and "299.99 ZZZ" in text and "North Elementary" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stock", "9999", "--range", "B1-B2"), "stock: no label stock '9999'"),
        (("--stock", "roll-2x1", "--start", "3", "--range", "B1-B2"), "is a roll"),
        (("--stock", "5160", "--start", "31", "--range", "B1-B2"), "start from 1 to 30"),
        (("--stock", "5160", "--added-since", "2999-01-01"), "is in the future"),
        (("--stock", "5160", "--added-since", "soon"), "'soon' is not a date"),
        (("--stock", "5160", "--barcodes", "missing.txt"), "barcodes: no file missing.txt"),
        (("--stock", "5160", "--range", "B1-B2"), "nothing to print: everything asked for"),
        (("--stock", "5160", "--site", "ZZZ", "--range", "B1-B2"), "no site with code 'ZZZ'"),
    ],
)
def test_a_run_that_cannot_print_says_why_and_writes_nothing(
    db, tmp_path: Path, args, message
) -> None:
    # In this process (each `octavo` start-up costs a second and a half): the same command.
    out = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        call_command("labels", "spine", *args, "--out", str(out))
    assert raised.value.returncode == 2
    assert not out.exists()


def test_what_to_print_must_be_chosen(db, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="one of the arguments --barcodes --added-since"):
        call_command("labels", "spine", "--stock", "5160", "--out", str(tmp_path / "x.pdf"))
