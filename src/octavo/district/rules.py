"""Pure checks on site and location fields. No Django."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from itertools import pairwise
from zoneinfo import available_timezones

from octavo.shared.errors import InvalidInput

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One open period: weekday 0 (Monday) to 6, from `opens` to `closes` local time."""

    weekday: int
    opens: time
    closes: time


def normalize_code(value: str, *, field: str = "code") -> str:
    code = value.strip().upper()
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            f"{value!r} is not a valid code: use 1 to 16 letters, digits, '-' or '_'",
            field=field,
        )
    return code


def require_text(value: str, *, field: str, max_length: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("this field is required", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"at most {max_length} characters", field=field)
    return text


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: str, *, field: str = "time_zone") -> str:
    zone = value.strip()
    if zone not in _zones():
        raise InvalidInput(f"{value!r} is not a known IANA time zone", field=field)
    return zone


def check_periods(periods: Iterable[Period], *, field: str = "opening_hours") -> list[Period]:
    """Sorted periods; each opens before it closes and none overlaps another on its day."""
    given = list(periods)
    if any(p.opens.tzinfo is not None or p.closes.tzinfo is not None for p in given):
        raise InvalidInput("opening hours are local times, without a time zone", field=field)
    ordered = sorted(given)
    for p in ordered:
        if not 0 <= p.weekday <= 6:
            raise InvalidInput(f"weekday {p.weekday} is not 0 (Monday) to 6 (Sunday)", field=field)
        if p.opens >= p.closes:
            raise InvalidInput(
                f"{WEEKDAYS[p.weekday]}: opening time {p.opens:%H:%M} must be before "
                f"closing time {p.closes:%H:%M}",
                field=field,
            )
    for a, b in pairwise(ordered):
        if a.weekday == b.weekday and b.opens < a.closes:
            raise InvalidInput(f"{WEEKDAYS[a.weekday]}: open periods overlap", field=field)
    return ordered
