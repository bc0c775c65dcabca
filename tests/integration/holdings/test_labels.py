"""Labels end to end: items and patrons chosen from the database, laid out on each stock,
drawn as PDF, the PDF rendered to an image (PDFium) and every barcode read back by a barcode
reader nobody on the team wrote (zxing-cpp). Text is measured against its label: nothing
printed runs off the label's printable area unless the label is flagged."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from tests.conftest import T0

from octavo.audit.models import AuditEntry
from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.district.services import set_label_settings
from octavo.holdings.labels import select
from octavo.holdings.labels.content import Kind, Label, PrinterSetup, Symbology
from octavo.holdings.labels.render import Flag, Plan, draw, plan, text_width
from octavo.holdings.labels.stocks import MM, get_stock
from octavo.holdings.services import ItemFields, add_items, update_item
from octavo.patrons import cards
from octavo.patrons.services import PatronFields, create_patron
from octavo.shared.actor import Role
from octavo.shared.barcodes import barcode_range

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
DPI = 300
CODABAR = barcode_range("31234000000016", 12)  # 14-digit library Codabar, check digits right
CALLS = [
    "599.75 SMI 2010 c.2",
    "QA76.73.P98 L877 2013",
    "FIC ROW",
    "J FIC Row v.2 c.3",
    "641.597309 KEL",
    "REF 031 WOR 2020 v.12",
]


def _item(record_id, actor, barcode, call, site="NES"):
    parts = call.split(" ")
    add_items(
        actor=actor,
        record_id=record_id,
        barcodes=[barcode],
        fields=ItemFields(site_code=site, call_class=" ".join(parts[:-1]), call_cutter=parts[-1]),
        at=T0,
    )


@pytest.fixture
def shelf(district, cli_actor):
    """Twelve Codabar items at North Elementary, one at South, with real call numbers."""
    record = create_record(
        actor=cli_actor,
        fields=RecordFields(title="The very hungry caterpillar / by Eric Carle"),
        at=T0,
    )
    for n, barcode in enumerate(CODABAR):
        _item(record.pk, cli_actor, barcode, CALLS[n % len(CALLS)])
    _item(record.pk, cli_actor, "S-0001", "599.75 SMI", site="SES")
    return record


def _pages(pdf: bytes):
    document = pdfium.PdfDocument(pdf)
    return [document[i].render(scale=DPI / 72).to_pil() for i in range(len(document))]


def _scanned(layout: Plan) -> list[tuple[str, str]]:
    out = io.BytesIO()
    draw(layout, out)
    found = []
    for image in _pages(out.getvalue()):
        found += [(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)]
    return found


def _value(symbology: str, text: str) -> str:
    # The reader reports Codabar's start and stop characters; the library's barcode is between.
    return text[1:-1] if symbology == "Codabar" else text


def _assert_inside(layout: Plan) -> None:
    """Every text and the bars of every unflagged label lie within its printable area."""
    stock = layout.stock
    for placed in layout.placed:
        if placed.flagged:
            continue
        left, bottom = placed.x + stock.padding - 0.01, placed.y + stock.padding - 0.01
        right = placed.x + stock.label_width - stock.padding + 0.01
        top = placed.y + stock.label_height - stock.padding + 0.01
        for text in placed.texts:
            half = text_width(text) / 2
            assert left <= text.x - half and text.x + half <= right, (placed.label.key, text)
            assert bottom <= text.y - text.size * 0.25 and text.y + text.size * 0.75 <= top, text
        if placed.bars:
            bars = placed.bars
            assert left <= bars.x and bars.x + bars.width <= right
            assert bottom <= bars.y and bars.y + bars.height <= top


@pytest.mark.parametrize(
    ("kind", "stock"),
    [
        (Kind.BARCODE, "avery-5160"),
        (Kind.BARCODE, "avery-5161"),
        (Kind.BARCODE, "avery-5163"),
        (Kind.BARCODE, "avery-5167"),
        (Kind.BARCODE, "avery-6577"),
        (Kind.BARCODE, "avery-5266"),
        (Kind.BARCODE, "roll-2x1"),
        (Kind.SPINE_BARCODE, "avery-5160"),
        (Kind.SPINE_BARCODE, "avery-5161"),
        (Kind.SPINE_BARCODE, "custom:75x25mm"),
    ],
)
def test_every_printed_item_barcode_scans_back_to_its_value(shelf, cli_actor, kind, stock):
    batch = select.items_listed(actor=cli_actor, lines=CODABAR)
    layout = plan(batch.labels, kind=kind, stock=get_stock(stock))
    assert not layout.flagged, [p.problems for p in layout.flagged]
    _assert_inside(layout)
    scanned = _scanned(layout)
    assert sorted(_value(f, t) for f, t in scanned) == sorted(CODABAR)
    assert {f for f, _ in scanned} == {"Codabar"}


def test_patron_cards_scan_back_and_carry_name_and_site(district, cli_actor):
    for n in range(4):
        create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=f"2123400000{n:03d}",
                first_name="Ana",
                last_name=f"Reyes-{n}",
                patron_type="student",
                site_code="NES",
            ),
            at=T0,
        )
    batch = cards.cards_added_since(
        actor=cli_actor, since=T0.date(), at=T0 + timedelta(hours=1), site_code="NES"
    )
    assert [c.name for c in batch.labels] == [f"Ana Reyes-{n}" for n in range(4)]
    layout = plan(batch.labels, kind=Kind.PATRON_CARD, stock=get_stock("avery-5163"))
    assert not layout.flagged
    _assert_inside(layout)
    assert all(p.photo is not None for p in layout.placed)
    texts = {t.text for p in layout.placed for t in p.texts}
    assert {"Ana Reyes-0", "North Elementary"} <= texts
    scanned = sorted(_value(f, t) for f, t in _scanned(layout))
    assert scanned == [f"2123400000{n:03d}" for n in range(4)]


@pytest.mark.parametrize(
    ("setup", "barcodes", "reader_name", "read_as"),
    [
        (PrinterSetup(symbology=Symbology.CODE39), ["B-0001", "LIB.42"], "Code39", None),
        (PrinterSetup(symbology=Symbology.CODE128), ["t0001_x", "31234000000016"], "Code128", None),
        (
            PrinterSetup(codabar_start="B", codabar_stop="B"),
            ["31234000000016"],
            "Codabar",
            "B31234000000016B",
        ),
        # A free-form barcode a site's Codabar cannot write: Code 128, flagged, still printed.
        (PrinterSetup(symbology=Symbology.CODABAR), ["LIB-9"], "Code128", None),
    ],
)
def test_each_symbology_scans_back(setup, barcodes, reader_name, read_as):
    labels = [Label(key=b, barcode=b, title="Frog and Toad", library="NES") for b in barcodes]
    layout = plan(labels, kind=Kind.BARCODE, stock=get_stock("avery-5160"), setup=setup)
    scanned = _scanned(layout)
    assert {f for f, _ in scanned} == {reader_name}
    if read_as:
        assert [t for _, t in scanned] == [read_as]
    else:
        assert sorted(t for _, t in scanned) == sorted(barcodes)
    other = [q.code for p in layout.placed for q in p.problems]
    assert other == ([Flag.OTHER_SYMBOLOGY] if barcodes == ["LIB-9"] else [])


@pytest.mark.parametrize("stock", ["avery-5160", "avery-5161", "avery-5167", "avery-6577"])
def test_spine_text_fits_its_label_measured(shelf, cli_actor, stock):
    batch = select.items_listed(actor=cli_actor, lines=CODABAR)
    layout = plan(batch.labels, kind=Kind.SPINE, stock=get_stock(stock))
    _assert_inside(layout)
    for placed in layout.placed:
        widest = max(text_width(t) for t in placed.texts)
        if not placed.flagged:
            assert widest <= layout.stock.printable_width + 1e-6


def test_spine_labels_on_a_sheet_look_right(shelf, cli_actor):
    """One page kept as a picture for people to look at (test-artifacts/)."""
    batch = select.items_listed(actor=cli_actor, lines=CODABAR)
    layout = plan(batch.labels, kind=Kind.SPINE_BARCODE, stock=get_stock("avery-5160"), start=4)
    out = io.BytesIO()
    draw(layout, out, outlines=True)
    ARTIFACTS.mkdir(exist_ok=True)
    _pages(out.getvalue())[0].save(ARTIFACTS / "labels-spine-barcode-5160.png")
    assert [p.position for p in layout.placed[:2]] == [3, 4]


def test_a_call_number_that_cannot_be_split_is_printed_whole_and_flagged(shelf, cli_actor):
    update_item(
        actor=cli_actor,
        barcode=CODABAR[0],
        changes={"call_class": "??? by the window", "call_cutter": ""},
        at=T0,
    )
    batch = select.items_listed(actor=cli_actor, lines=CODABAR[:2])
    layout = plan(batch.labels, kind=Kind.SPINE, stock=get_stock("avery-5160"))
    first = layout.placed[0]
    assert [q.code for q in first.problems] == [Flag.NOT_SPLIT]
    assert [t.text for t in first.texts] == ["??? by the window"]
    out = io.BytesIO()
    draw(layout, out)
    text = pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range()
    assert "??? by the window" in text and "599.75" not in text.split("window")[0]


def test_a_stock_too_small_for_the_text_is_flagged_and_still_printed(shelf, cli_actor):
    batch = select.items_listed(actor=cli_actor, lines=CODABAR[:4])
    layout = plan(batch.labels, kind=Kind.SPINE_BARCODE, stock=get_stock("avery-5167"))
    codes = {q.code for p in layout.placed for q in p.problems}
    assert Flag.DOES_NOT_FIT in codes or Flag.BARS_TOO_WIDE in codes
    assert len(layout.placed) == 4 and all(p.texts for p in layout.placed)


def test_start_position_and_printer_offsets_move_the_labels(district, cli_actor):
    set_label_settings(actor=cli_actor, site_code="NES", offset_x_mm="2", offset_y_mm="-1.5", at=T0)
    setup = select.printer_setup(district.north)
    assert (setup.offset_x_mm, setup.offset_y_mm) == (2.0, -1.5)
    stock = get_stock("avery-5160")
    labels = [Label(key="x", barcode="31234000000016")] * 3
    plain = plan(labels, kind=Kind.BARCODE, stock=stock, start=29)
    moved = plan(labels, kind=Kind.BARCODE, stock=stock, start=29, setup=setup)
    assert [(p.page, p.position) for p in plain.placed] == [(0, 28), (0, 29), (1, 0)]
    assert moved.placed[0].x - plain.placed[0].x == pytest.approx(2 * MM)
    assert moved.placed[0].y - plain.placed[0].y == pytest.approx(1.5 * MM)  # up is +y in PDF
    entry = AuditEntry.objects.get(action="label_settings.update")
    assert entry.changes["offset_x_mm"] == [None, "2.0"]


def test_printer_settings_are_checked_and_limited_to_the_sites_one_works_at(district, cli_actor):
    from octavo.shared.errors import InvalidInput, PermissionDenied

    tech = district.users[Role.TECHNICIAN].actor()
    set_label_settings(actor=tech, site_code="NES", symbology="code39", at=T0)
    with pytest.raises(PermissionDenied):
        set_label_settings(actor=tech, site_code="SES", at=T0)
    with pytest.raises(InvalidInput, match="from -20 to 20 mm"):
        set_label_settings(actor=cli_actor, site_code="NES", offset_x_mm="25", at=T0)
    with pytest.raises(InvalidInput, match="is not a symbology"):
        set_label_settings(actor=cli_actor, site_code="NES", symbology="qr", at=T0)


def test_what_is_left_out_is_reported_and_the_rest_printed(shelf, district, cli_actor):
    update_item(actor=cli_actor, barcode=CODABAR[1], changes={"status": "withdrawn"}, at=T0)
    tech = district.users[Role.TECHNICIAN].actor()  # works at NES only
    unknown = barcode_range(CODABAR[0], 100)[-1]
    lines = [CODABAR[0], "", CODABAR[0], unknown, CODABAR[1], "S-0001", CODABAR[2]]
    batch = select.items_listed(actor=tech, lines=lines)
    assert [label.barcode for label in batch.labels] == [CODABAR[0], CODABAR[2]]
    assert [str(s) for s in batch.skipped] == [
        "line 2: blank line",
        f"line 3: {CODABAR[0]}: already listed on line 1",
        f"line 4: {unknown}: no item with this barcode",
        f"line 5: {CODABAR[1]}: withdrawn",
        "line 6: S-0001: at SES, a site technician does not label items for",
    ]
    assert batch.labels[0].title == "The very hungry caterpillar"
    assert batch.labels[0].call_number == "599.75 SMI 2010 c.2"


def test_a_range_prints_the_items_that_exist_and_counts_the_gaps(shelf, cli_actor):
    beyond = barcode_range(CODABAR[10], 4)  # two on the shelf, two never added
    batch = select.items_in_range(actor=cli_actor, text=f"{beyond[0]}-{beyond[-1]}")
    assert [label.barcode for label in batch.labels] == CODABAR[10:]
    assert [str(s) for s in batch.skipped] == [
        f"2 of the range: no item (the first is {beyond[2]})"
    ]


def test_items_added_since_a_day_and_one_records_copies(shelf, cli_actor):
    later = T0 + timedelta(days=3)
    record = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=later)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["N-1", "N-2"],
        fields=ItemFields(site_code="NES", call_class="E", call_cutter="LOB"),
        at=later,
    )
    since = select.items_added_since(
        actor=cli_actor, since=later.date(), at=later + timedelta(hours=1), site_code="NES"
    )
    assert [label.barcode for label in since.labels] == ["N-1", "N-2"]
    everything = select.items_added_since(
        actor=cli_actor, since=T0.date(), at=later + timedelta(hours=1)
    )
    assert len(everything.labels) == len(CODABAR) + 1 + 2
    copies = select.items_of_record(actor=cli_actor, record_id=shelf.pk, site_code="SES")
    assert [label.barcode for label in copies.labels] == ["S-0001"]
