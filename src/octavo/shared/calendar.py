"""A site's calendar: which days it is open, when it closes, and when a loan falls due.
Pure: no Django. The site's weekly hours and closed days are handed in, already read.

Due dates never fall on a day the site is closed (issue #4); a day loan is due at the site's
last closing time that day, in the site's own time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Looking further than a year for an open day means the calendar is wrong, not the loan.
_HORIZON_DAYS = 366
_END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True, slots=True)
class Calendar:
    """`closing[weekday]` is the last closing time on that weekday (0 = Monday), None when the
    site is closed that weekday; a site with no weekly hours at all is open every day until
    the end of the day. `closed` holds the extra closed days (holidays, breaks)."""

    zone: ZoneInfo
    closing: tuple[time | None, ...]  # 7 entries
    closed: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls, *, zone: str, periods: Iterable[tuple[int, time, time]], closed: Iterable[date] = ()
    ) -> Calendar:
        """From (weekday, opens, closes) periods, as district.OpeningHours stores them."""
        latest: list[time | None] = [None] * 7
        any_hours = False
        for weekday, _opens, closes in periods:
            any_hours = True
            current = latest[weekday]
            latest[weekday] = closes if current is None else max(current, closes)
        if not any_hours:
            latest = [_END_OF_DAY] * 7
        return cls(zone=ZoneInfo(zone), closing=tuple(latest), closed=frozenset(closed))

    def is_open(self, day: date) -> bool:
        return day not in self.closed and self.closing[day.weekday()] is not None

    def next_open_day(self, day: date) -> date:
        """`day` itself when open, else the first open day after it."""
        for offset in range(_HORIZON_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_open(candidate):
                return candidate
        raise ValueError(f"the site is not open on any day in the year after {day}")

    def closing_on(self, day: date) -> datetime:
        closes = self.closing[day.weekday()] or _END_OF_DAY
        return datetime.combine(day, closes, tzinfo=self.zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def open_days_between(self, first: date, last: date) -> int:
        """Open days after `first` up to and including `last` (0 when last <= first)."""
        count = 0
        day = first + timedelta(days=1)
        while day <= last:
            count += self.is_open(day)
            day += timedelta(days=1)
        return count


def due_at(*, start: datetime, days: int, hours: int, calendar: Calendar) -> datetime:
    """When a loan made at `start` falls due.

    Day loans: `days` calendar days later, moved on to the next open day, at that day's
    closing time. Hour loans (reserve books, equipment): `hours` later, but no later than the
    closing time of the day they fall on, and never on a closed day.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if hours:
        due = start + timedelta(hours=hours)
        day = calendar.local_date(due)
        if not calendar.is_open(day):
            return calendar.closing_on(calendar.next_open_day(day))
        closing = calendar.closing_on(day)
        if closing <= start:  # lent after closing time: due when the next open day ends
            return calendar.closing_on(calendar.next_open_day(day + timedelta(days=1)))
        return min(due, closing)
    day = calendar.next_open_day(calendar.local_date(start) + timedelta(days=days))
    return calendar.closing_on(day)
