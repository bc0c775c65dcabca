"""The reports' pure parts: the period, Dewey classes, medians and age bands. No Django."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

from octavo.patrons.rules import check_email
from octavo.shared.errors import InvalidInput

# A school year starts on 1 July (the US federal fiscal and school-reporting year); "this
# year" in a report is the school year to date.
SCHOOL_YEAR_STARTS = (7, 1)

# `599.75`, `920`, `005.133`: three digits first. `92` alone is the abridged Dewey notation for
# an individual biography, shelved with 920 (octavo.catalog.callnumbers.BIOGRAPHY_92_SHELVED_AS).
_DEWEY = re.compile(r"^([0-9])[0-9]{2}(?![0-9])")
BIOGRAPHY_92 = "92"

# Ages of a copy's publication year, in years, for the collection's age profile: the bands
# weeding guides (CREW) read a collection by.
AGE_BANDS: tuple[tuple[int, int | None], ...] = ((0, 5), (6, 10), (11, 15), (16, 20), (21, None))

_ONE_PLACE = Decimal("0.1")


def school_year_start(today: date) -> date:
    month, day = SCHOOL_YEAR_STARTS
    year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
    return date(year, month, day)


def this_school_year(today: date) -> tuple[date, date]:
    return school_year_start(today), today


def next_days(days: int) -> Callable[[date], tuple[date, date]]:
    """A default period: today and the `days` days after it."""

    def period(today: date) -> tuple[date, date]:
        return today, today + timedelta(days=days)

    return period


def check_period(start: date, end: date) -> None:
    """Refuse a period that runs backwards, naming the field to change."""
    if end < start:
        raise InvalidInput(
            f"the period runs backwards: {end.isoformat()} is before the start date "
            f"{start.isoformat()}",
            field="to",
        )


def dewey_class(call_class: str) -> int | None:
    """The Dewey main class (0 for 000-099 ... 9 for 900-999) of a classification number, or
    None when it is not a Dewey number (fiction and easy sections, LC numbers, blank). The
    database computes the same with octavo.reports.sql.dewey_class; a test keeps them equal."""
    if call_class == BIOGRAPHY_92:
        return 9
    found = _DEWEY.match(call_class)
    return int(found[1]) if found else None


def grade_key(grade: str) -> tuple[int, int, str]:
    """PK, TK, K, 1 to 12, then anything else in text order, and blank (adults) last."""
    early = {"PK": -3, "TK": -2, "K": -1}
    if grade in early:
        return (0, early[grade], "")
    if grade.isdigit():
        return (0, int(grade), "")
    return (2, 0, "") if not grade else (1, 0, grade)


def count_of(histogram: Mapping[int, int]) -> int:
    return sum(histogram.values())


def average(histogram: Mapping[int, int]) -> Decimal | None:
    """The mean of values counted in a histogram {value: how many}, to one decimal place."""
    total = count_of(histogram)
    if not total:
        return None
    mean = Decimal(sum(value * n for value, n in histogram.items())) / total
    return mean.quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


def percentile(histogram: Mapping[int, int], fraction: Decimal) -> Decimal | None:
    """The value at `fraction` (0.5: the median) of the values counted in a histogram; for the
    median of an even count, the mean of the two middle values."""
    total = count_of(histogram)
    if not total:
        return None
    if fraction == Decimal("0.5") and total % 2 == 0:
        low, high = _nth(histogram, total // 2), _nth(histogram, total // 2 + 1)
        return (Decimal(low + high) / 2).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)
    rank = max(1, int((fraction * total).to_integral_value(rounding=ROUND_CEILING)))
    return Decimal(_nth(histogram, rank)).quantize(_ONE_PLACE)


def median(histogram: Mapping[int, int]) -> Decimal | None:
    return percentile(histogram, Decimal("0.5"))


def _nth(histogram: Mapping[int, int], rank: int) -> int:
    """The rank-th smallest value (from 1)."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError(f"rank {rank} past {seen} values")


def age_band(age: int) -> int:
    """The index in AGE_BANDS of a copy `age` years old (a future year counts as 0)."""
    for index, (_, last) in enumerate(AGE_BANDS):
        if last is None or age <= last:
            return index
    raise AssertionError("the last band is open")  # pragma: no cover


def ratio(part: int, whole: int, places: int = 1) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal place."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


# --- reports sent by e-mail on a schedule ------------------------------------------------------


class Every(StrEnum):
    """How often a scheduled report is sent: each day, each Monday, on the first of each month."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Covers(StrEnum):
    """The days a scheduled report covers."""

    # The day, week (Monday to Sunday) or month that ended before the day it is sent.
    LAST = "last"
    # The report's own period as of the day it is sent (mostly the school year to date; the
    # next days for a report that looks ahead, such as cards expiring).
    USUAL = "usual"


def due_on(every: Every, day: date) -> date:
    """The day a report sent `every` day, week or month was last due, on or before `day`: the
    night's run for `day` sends it unless it went already (catch-up runs compute the same)."""
    if every is Every.WEEK:
        return day - timedelta(days=day.weekday())
    if every is Every.MONTH:
        return day.replace(day=1)
    return day


def period_before(every: Every, due: date) -> tuple[date, date]:
    """The day, week or calendar month that ended the day before `due` (Covers.LAST)."""
    last = due - timedelta(days=1)
    if every is Every.WEEK:
        return last - timedelta(days=6), last
    if every is Every.MONTH:
        return last.replace(day=1), last
    return last, last


MAX_RECIPIENTS = 10


def recipients(text: str) -> list[str]:
    """The addresses in `text` (separated by commas, semicolons, spaces or lines), each once,
    in the order given; InvalidInput naming the first that is not an address."""
    found: list[str] = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        try:
            check_email(part)
        except InvalidInput as error:
            raise InvalidInput(error.message, field="recipients") from error
        if part.lower() not in (f.lower() for f in found):
            found.append(part)
    if not found:
        raise InvalidInput(
            "give at least one e-mail address to send the report to", field="recipients"
        )
    if len(found) > MAX_RECIPIENTS:
        raise InvalidInput(
            f"{len(found)} addresses: a report goes to at most {MAX_RECIPIENTS}",
            field="recipients",
        )
    return found
