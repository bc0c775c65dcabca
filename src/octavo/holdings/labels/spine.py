"""A call number broken into spine-label lines, and those lines fitted to a label. No Django.

Libraries print a spine label one part to a line, top to bottom: shelf prefixes (`J`, `FIC`),
the class number (Dewey `599.75`; LC letters, then the number: `QA` / `76.73`), the cutters
(`SMI`; LC `.P98` / `L877`), then the year, volume and copy (`2013`, `v.2`, `c.2`). The call
number is read by octavo.catalog.callnumbers, so a spine label and shelf order agree.

A Dewey class number too wide for the label breaks at the decimal point, then after every
third digit of the decimal part (`599.7573` -> `599` / `.757` / `3`): the three-digit groups
of the printed DDC schedules. A call number that cannot be read is printed whole (wrapped at
spaces only when it must be) and flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise

from reportlab.pdfbase.pdfmetrics import stringWidth

from octavo.catalog.callnumbers import InvalidCallNumber, Scheme, parse_call_number

# One line's ways to be printed, preferred first: ("599.7573",), ("599", ".7573"), ...
Choices = tuple[tuple[str, ...], ...]
Measure = Callable[[str, str, float], float]

_LC_CLASS = re.compile(r"^([A-Z]{1,3})\s*(\d.*)$", re.ASCII)
_DEWEY_CLASS = re.compile(r"^(\d{1,3})\.(\d+)$", re.ASCII)

SPINE_FONT = "Helvetica-Bold"
LARGEST = 12.0  # points: what a spine label reads at from a shelf
SMALLEST = 6.0  # below this a spine label cannot be read at arm's length: flag instead
COMFORTABLE = 8.0  # one part to a line down to this size; below it, parts may share a line
STEP = 0.5
LEADING = 1.15  # line height, as a multiple of the font size


@dataclass(frozen=True, slots=True)
class SpineText:
    """The lines of one spine label, each with its ways to break; `split` is False when the
    call number could not be read and is printed whole, `reason` saying why."""

    call_number: str
    choices: tuple[Choices, ...]
    split: bool = True
    reason: str = ""

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines, none broken further."""
        return tuple(part for line in self.choices for part in line[0])


def spine_text(call_number: str) -> SpineText:
    """`call_number` as spine lines: "599.75 SMI 2010 c.2" -> 599.75 / SMI / 2010 / c.2."""
    text = " ".join(call_number.split())
    if not text:
        return SpineText(call_number, (), split=False, reason="no call number")
    try:
        call = parse_call_number(text)
    except InvalidCallNumber as unread:
        return SpineText(call_number, (_whole(text),), split=False, reason=unread.message)
    choices: list[Choices] = [((prefix,),) for prefix in call.prefixes]
    if call.scheme is Scheme.LC:
        match = _LC_CLASS.match(call.classification)
        if match is not None:
            choices += [((match.group(1),),), ((match.group(2),),)]
        else:
            choices.append(((call.classification,),))
    elif call.scheme is Scheme.DEWEY:
        choices.append(_dewey(call.classification))
    for number, cutter in enumerate(call.cutters):
        # The first LC cutter keeps its full stop (`.P98`), as LC prints it on the spine.
        dotted = call.scheme is Scheme.LC and number == 0
        choices.append(((f".{cutter}" if dotted else _as_written(cutter, text),),))
    choices += [((extra,),) for extra in call.extras]
    return SpineText(call_number, tuple(choices))


def _as_written(cutter: str, text: str) -> str:
    """The cutter with the letter case it was catalogued with (`Smi` stays `Smi`)."""
    for token in text.split():
        if token.upper().lstrip(".") == cutter:
            return token.lstrip(".")
    return cutter


def _dewey(classification: str) -> Choices:
    match = _DEWEY_CLASS.match(classification)
    if match is None:
        return ((classification,),)
    whole, fraction = match.groups()
    groups = [fraction[i : i + 3] for i in range(0, len(fraction), 3)]
    choices: list[tuple[str, ...]] = [(classification,), (whole, f".{fraction}")]
    if len(groups) > 1:
        choices.append((whole, f".{groups[0]}", *groups[1:]))
    return tuple(choices)


def _whole(text: str) -> Choices:
    words = tuple(text.split())
    return ((text,), words) if len(words) > 1 else ((text,),)


@dataclass(frozen=True, slots=True)
class Fitted:
    """Lines as printed, at `size` points; `fits` is False when even the smallest size leaves a
    line wider than the label or the lines taller than it (`widest` and `height` say by how
    much, in points)."""

    lines: tuple[str, ...]
    size: float
    fits: bool
    widest: float
    height: float


def fit_lines(
    choices: Sequence[Choices],
    *,
    width: float,
    height: float,
    font: str = SPINE_FONT,
    largest: float = LARGEST,
    smallest: float = SMALLEST,
    measure: Measure = stringWidth,
) -> Fitted:
    """The largest size (in STEP steps from `largest` down to `smallest`) at which the lines fit
    `width` x `height` points, breaking a line only when it is wider than `width` at that size.

    One part to a line is kept down to COMFORTABLE points; below that, on a label wider than it
    is tall (Avery 5167), parts share lines, as many lines as the height holds, cut where the
    widest is narrowest (`827.839 GAR` / `2019 v.3 c.2`), as spine labels on short stock are
    written. When nothing fits, the most broken lines at `smallest`, with fits=False."""
    # A line's width grows in proportion to the font size: each part is measured once.
    unit = {part: measure(part, font, 1.0) for line in choices for o in line for part in o}
    space = measure(" ", font, 1.0)
    comfortable = max(smallest, min(largest, COMFORTABLE))
    for floor, packed in ((comfortable, False), (smallest, True), (smallest, False)):
        size = largest
        while size >= floor - 1e-9:
            lines = _choose(choices, width / size, unit)
            if packed:
                rows = int(height / (size * LEADING) + 1e-9)
                if rows < min(2, len(lines)):  # a call number is never all on one line
                    size -= STEP
                    continue
                lines = _pack(lines, rows, unit, space)
            fitted = _measured(lines, size, unit, width, height)
            if fitted.fits:
                return fitted
            size -= STEP
    return _measured(_choose(choices, width / smallest, unit), smallest, unit, width, height)


def _measured(
    lines: tuple[str, ...], size: float, unit: dict[str, float], width: float, height: float
) -> Fitted:
    widest = max((unit[line] * size for line in lines), default=0.0)
    tall = len(lines) * size * LEADING
    fits = widest <= width + 1e-9 and tall <= height + 1e-9
    return Fitted(lines, size, fits, widest, tall)


def _pack(
    lines: tuple[str, ...], rows: int, unit: dict[str, float], space: float
) -> tuple[str, ...]:
    """The lines in `rows` lines or fewer, consecutive parts joined with spaces, cut where the
    widest joined line is narrowest; `unit` learns the joined lines' widths (at size 1)."""
    if rows < 1 or len(lines) <= rows:
        return lines
    best: tuple[float, tuple[str, ...]] | None = None
    for cuts in combinations(range(1, len(lines)), rows - 1):
        bounds = (0, *cuts, len(lines))
        joined = []
        for start, end in pairwise(bounds):
            part = lines[start:end]
            text = " ".join(part)
            unit[text] = sum(unit[p] for p in part) + space * (len(part) - 1)
            joined.append(text)
        widest = max(unit[text] for text in joined)
        if best is None or widest < best[0] - 1e-9:
            best = (widest, tuple(joined))
    return best[1] if best else lines


def _choose(choices: Sequence[Choices], room: float, unit: dict[str, float]) -> tuple[str, ...]:
    """Each line as written if it fits `room` (in widths at size 1), else broken."""
    out: list[str] = []
    for line in choices:
        chosen = line[-1]
        for option in line:
            if all(unit[part] <= room + 1e-9 for part in option):
                chosen = option
                break
        out.extend(chosen)
    return tuple(out)


def fit_text(
    text: str,
    *,
    width: float,
    font: str,
    largest: float,
    smallest: float,
    measure: Measure = stringWidth,
) -> tuple[float, bool]:
    """The largest size at which one line of `text` is no wider than `width`, and whether it
    fits at all (at `smallest` when it does not)."""
    size = largest
    while measure(text, font, size) > width and size - STEP >= smallest - 1e-9:
        size -= STEP
    return size, measure(text, font, size) <= width


def truncate(
    text: str, *, width: float, font: str, size: float, measure: Measure = stringWidth
) -> str:
    """`text`, cut at a word (or a character) and ended with an ellipsis to fit `width`."""
    text = " ".join(text.split())
    if measure(text, font, size) <= width:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:.") + "…"
        if measure(candidate, font, size) <= width:
            return candidate
    word = words[0] if words else ""
    while word and measure(word + "…", font, size) > width:
        word = word[:-1]
    return word + "…" if word else ""
