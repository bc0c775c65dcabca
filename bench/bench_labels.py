"""Labels to PDF (issue #8, "Figures": 1,000 labels to PDF in at most 3 s).

1,000 labels as a day of processing makes them: 14-digit library Codabar barcodes in a run,
call numbers drawn from a mix (Dewey with years, volumes and copies, LC, fiction and easy
sections, a few long Dewey numbers that must break, one in fifty unreadable), titles of
varied length and the site's name. Timed: octavo.holdings.labels.render.plan (every spine
split and fitted, every barcode sized) and draw (the PDF written, compressed, to memory), for
spine labels, barcode labels and spine-and-barcode labels on Avery 5160, the densest design
on the common sheet; and barcode labels on a 2 x 1 in roll (1,000 pages). No database: the
items are chosen before this (octavo.holdings.labels.select), one query for the lot.
BENCH_LABELS_ROUNDS (default 5) runs of each; the median and the slowest are reported.
"""

from __future__ import annotations

import io
import os
import random
import time
from statistics import median

from bench.common import Figure, load_average
from octavo.holdings.labels.content import Kind, Label
from octavo.holdings.labels.render import draw, plan
from octavo.holdings.labels.stocks import get_stock
from octavo.shared.barcodes import barcode_range

COUNT = 1000
ROUNDS = int(os.environ.get("BENCH_LABELS_ROUNDS", "5"))
LIMIT_S = 3.0
SEED = 8

_CUTTERS = ["SMI", "JON", "Row", "GAR", "Lee", "WIL", "Ngu", "OBR", "KIM", "PAT"]
_TITLES = [
    "Frog and Toad are friends",
    "The very hungry caterpillar",
    "A long walk to water : based on a true story",
    "Where the wild things are",
    "National Geographic kids almanac 2026",
    "Diary of a wimpy kid. Rodrick rules",
    "Whales",
]


def _call(rng: random.Random) -> str:
    cutter = rng.choice(_CUTTERS)
    roll = rng.random()
    if roll < 0.02:
        return f"??? {cutter} shelf by the window"
    if roll < 0.30:
        return f"{rng.choice(['FIC', 'E', 'J FIC', 'YA FIC'])} {cutter}"
    if roll < 0.45:
        letters = rng.choice(["QA", "PS", "F", "QL", "HV"])
        return f"{letters}{rng.randint(1, 9999)}.{rng.randint(1, 99)}.{cutter[0]}{rng.randint(10, 99)} {rng.randint(1990, 2026)}"  # noqa: E501
    fraction = "".join(rng.choice("0123456789") for _ in range(rng.choice([0, 1, 2, 3, 5, 7])))
    dewey = f"{rng.randint(0, 999):03d}" + (f".{fraction}" if fraction else "")
    extras = rng.choice(["", f" {rng.randint(1990, 2026)}", " v.2", " c.2", " 2019 v.3 c.2"])
    return f"{dewey} {cutter}{extras}"


def labels() -> list[Label]:
    rng = random.Random(SEED)
    return [
        Label(
            key=barcode,
            barcode=barcode,
            call_number=_call(rng),
            title=rng.choice(_TITLES),
            library="Lincoln Elementary School",
        )
        for barcode in barcode_range("31234000000016", COUNT)
    ]


def _time(batch: list[Label], kind: Kind, stock: str) -> tuple[list[float], int, int]:
    runs = []
    size = pages = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        layout = plan(batch, kind=kind, stock=get_stock(stock))
        out = io.BytesIO()
        draw(layout, out)
        runs.append(time.perf_counter() - started)
        size, pages = len(out.getvalue()), layout.pages
    return runs, size, pages


def run() -> list[Figure]:
    batch = labels()
    figures = []
    for kind, stock in (
        (Kind.SPINE_BARCODE, "avery-5160"),
        (Kind.SPINE, "avery-5160"),
        (Kind.BARCODE, "avery-5160"),
        (Kind.BARCODE, "roll-2x1"),
    ):
        runs, size, pages = _time(batch, kind, stock)
        worst = max(runs)
        detail = (
            f"{COUNT} {kind.value} labels on {stock} ({pages} pages, {size // 1024} kB PDF): "
            f"plan + draw, median of {ROUNDS} runs, slowest {worst:.2f} s; limit {LIMIT_S:g} s; "
            f"{load_average()}"
        )
        figures.append(
            Figure(
                f"1,000 {kind.value} labels to PDF ({stock})", round(median(runs), 3), "s", detail
            )
        )
        assert worst <= LIMIT_S, f"{kind.value} on {stock}: {worst:.2f} s > {LIMIT_S} s"
    return figures
