"""The printable stack (issue #7): a site's notices for patrons with no e-mail address (and
e-mails that failed), grouped by homeroom teacher so a technician can hand a stack to each
class. A divider page names each homeroom; each notice is its own page (a message's plain-text
part), folded to fit, with the patron's name and class at the top.

Drawn with reportlab's canvas directly, not its layout engine: 2,000 notices print in well
under the 10 s the issue allows (bench/bench_notices.py). Helvetica's encoding covers the
Latin-1 letters of English and Spanish.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from octavo.notices.rendering import Rendered
from octavo.notices.rules import PatronFields

FONT, BOLD = "Helvetica", "Helvetica-Bold"
SIZE, LEADING = 11, 15
MARGIN = 0.9 * inch


@dataclass(frozen=True, slots=True)
class StackWords:
    """The few words the stack itself says, in the language of whoever prints it."""

    no_homeroom: str = "No homeroom"
    notices: str = "notices"
    homeroom: str = "Homeroom"
    grade: str = "Grade"


def _page_order(page: tuple[str, PatronFields, Rendered]) -> tuple[bool, str, str, str]:
    room, patron, _rendered = page
    return (room == "", room.lower(), patron.last_name.lower(), patron.first_name.lower())


def stack_pdf(
    *,
    site_name: str,
    day: date,
    pages: Sequence[tuple[str, PatronFields, Rendered]],
    words: StackWords,
) -> bytes:
    """`pages`: (homeroom, patron, rendered notice), in any order."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"{site_name} {day.isoformat()}")
    width, height = LETTER
    text_width = width - 2 * MARGIN
    ordered = sorted(pages, key=_page_order)
    for room, group in groupby(ordered, key=lambda p: p[0]):
        members = list(group)
        canvas.setFont(BOLD, 28)
        canvas.drawString(MARGIN, height - 2.5 * inch, room or words.no_homeroom)
        canvas.setFont(FONT, 14)
        canvas.drawString(
            MARGIN,
            height - 2.5 * inch - 30,
            f"{site_name} · {day.isoformat()} · {len(members)} {words.notices}",
        )
        canvas.showPage()
        for _room, patron, rendered in members:
            _notice_page(canvas, site_name, room, patron, rendered, words, text_width, height)
    if not ordered:
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _notice_page(
    canvas: Canvas,
    site_name: str,
    room: str,
    patron: PatronFields,
    rendered: Rendered,
    words: StackWords,
    text_width: float,
    height: float,
) -> None:
    y = height - MARGIN
    canvas.setFont(BOLD, 13)
    canvas.drawString(MARGIN, y, f"{patron.first_name} {patron.last_name}")
    canvas.setFont(FONT, 10)
    klass = " · ".join(
        part
        for part in (
            f"{words.homeroom}: {room}" if room else "",
            f"{words.grade} {patron.grade}" if patron.grade else "",
            patron.barcode,
            site_name,
        )
        if part
    )
    canvas.drawRightString(MARGIN + text_width, y, klass)
    y -= 2 * LEADING
    canvas.setFont(BOLD, SIZE)
    for line in simpleSplit(rendered.subject, BOLD, SIZE, text_width):
        canvas.drawString(MARGIN, y, line)
        y -= LEADING
    y -= LEADING / 2
    canvas.setFont(FONT, SIZE)
    for paragraph in rendered.text.splitlines():
        lines = simpleSplit(paragraph, FONT, SIZE, text_width) or [""]
        for line in lines:
            if y < MARGIN:
                canvas.showPage()
                canvas.setFont(FONT, SIZE)
                y = height - MARGIN
            canvas.drawString(MARGIN, y, line)
            y -= LEADING
    canvas.showPage()
