"""What notices there are, when each is due, and what a template may say. Pure: no Django.

Issue #7: courtesy (due soon), overdue (first, second, final), billed as lost, hold ready for
pickup, hold about to expire, fines outstanding, card expiring. When each falls due is the
district's `Schedule` (data, read first, passed in: STYLE.md "Policy is data resolved first").
A notice goes once per patron, kind, object and occasion (models.Notice's constraint); the
occasion is what makes a repeat legitimate: a renewed loan has a new due date, a renewed card a
new expiry date, a new charge a new balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class NoticeKind(StrEnum):
    COURTESY = "courtesy"
    OVERDUE_1 = "overdue_1"
    OVERDUE_2 = "overdue_2"
    OVERDUE_FINAL = "overdue_final"
    BILLED = "billed"
    HOLD_READY = "hold_ready"
    HOLD_EXPIRING = "hold_expiring"
    FINES = "fines"
    CARD_EXPIRING = "card_expiring"


class Channel(StrEnum):
    EMAIL = "email"
    PRINT = "print"  # no address for the patron or a guardian: the printable stack


class NoticeStatus(StrEnum):
    QUEUED = "queued"  # waiting: to be e-mailed (again, after a failed attempt) or printed
    SENT = "sent"  # the mail server took it
    FAILED = "failed"  # refused, or not taken after Schedule.max_attempts runs: printed instead
    PRINTED = "printed"  # in a stack a technician downloaded


class About(StrEnum):
    """What a notice is about (models.Notice.object_type)."""

    LOAN = "loan"
    HOLD = "hold"
    CHARGE = "charge"  # the lost charge a billed notice reports
    PATRON = "patron"  # fines outstanding, card expiring


ABOUT: dict[NoticeKind, About] = {
    NoticeKind.COURTESY: About.LOAN,
    NoticeKind.OVERDUE_1: About.LOAN,
    NoticeKind.OVERDUE_2: About.LOAN,
    NoticeKind.OVERDUE_FINAL: About.LOAN,
    NoticeKind.BILLED: About.CHARGE,
    NoticeKind.HOLD_READY: About.HOLD,
    NoticeKind.HOLD_EXPIRING: About.HOLD,
    NoticeKind.FINES: About.PATRON,
    NoticeKind.CARD_EXPIRING: About.PATRON,
}

LANGUAGES = ("en", "es")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When each notice falls due, in calendar days (a notice is about a date the patron reads
    on a calendar, so closed days are not skipped). District-wide (models.NoticeSchedule)."""

    courtesy_days: int = 2  # due within this many days: a courtesy notice
    overdue_days: tuple[int, int, int] = (1, 8, 15)  # days overdue: first, second, final
    hold_expiring_days: int = 1  # the hold's last day on the shelf within this many days
    card_expiring_days: int = 30
    fines_after_days: int = 7  # the newest charge at least this old (time to pay at the desk)
    fines_window_days: int = 60  # ...and at most this old: no reminders for old debts forever
    fines_minimum: Decimal = Decimal("1.00")
    billed_window_days: int = 14  # how far back a catch-up run looks for lost charges
    max_attempts: int = 3  # nightly runs that try an e-mail before it is failed and printed
    keep_days: int = 180  # the notice log forgets a notice this long after its day

    def __post_init__(self) -> None:
        first, second, final = self.overdue_days
        if not 0 < first < second < final:
            raise ValueError("overdue days must rise: first < second < final, all above 0")
        if self.fines_after_days >= self.fines_window_days:
            raise ValueError("fines: the waiting days must be fewer than the window")


def overdue_kind(days_overdue: int, schedule: Schedule) -> NoticeKind | None:
    """The highest overdue notice a loan this many days overdue has reached. A catch-up run
    after an outage sends only that one, not every stage it skipped."""
    first, second, final = schedule.overdue_days
    if days_overdue >= final:
        return NoticeKind.OVERDUE_FINAL
    if days_overdue >= second:
        return NoticeKind.OVERDUE_2
    if days_overdue >= first:
        return NoticeKind.OVERDUE_1
    return None


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The calendar days a run for `day` compares with: each is the first day *not* in the
    range it bounds, so the selectors compare `moment < midnight(bound)` in a site's zone."""

    courtesy_until: date  # due before the end of day + courtesy_days
    overdue: tuple[date, date, date]  # due before the start of these days: first, second, final
    expiring_until: date
    card_until: date  # card_expires <= this


def thresholds(day: date, schedule: Schedule) -> Thresholds:
    one = timedelta(days=1)
    first, second, final = schedule.overdue_days
    return Thresholds(
        courtesy_until=day + timedelta(days=schedule.courtesy_days) + one,
        overdue=(
            day - timedelta(days=first) + one,
            day - timedelta(days=second) + one,
            day - timedelta(days=final) + one,
        ),
        expiring_until=day + timedelta(days=schedule.hold_expiring_days) + one,
        card_until=day + timedelta(days=schedule.card_expiring_days),
    )


# --- what a template may say -----------------------------------------------------------------
# The fixed, documented set of fields (docs/librarians/notices.md). A template is rendered in a
# sandbox that reaches these and nothing else (octavo.notices.rendering): plain values, already
# formatted in the patron's language.

PATRON_FIELDS = ("first_name", "last_name", "barcode", "grade", "homeroom")
SITE_FIELDS = ("code", "name", "address")
ITEM_FIELDS = (
    "title",
    "barcode",
    "call_number",
    "due",  # the due date (loans)
    "days_overdue",  # a number (loans)
    "pickup_site",  # the pickup site's name (holds)
    "last_day",  # the last day on the hold shelf (holds)
    "amount",  # the replacement cost plus processing fee (billed)
)
TOP_FIELDS = ("patron", "site", "items", "today", "balance", "card_expires")


@dataclass(frozen=True, slots=True)
class PatronFields:
    first_name: str
    last_name: str
    barcode: str
    grade: str
    homeroom: str


@dataclass(frozen=True, slots=True)
class SiteFields:
    code: str
    name: str
    address: str


@dataclass(frozen=True, slots=True)
class ItemFields:
    title: str
    barcode: str = ""
    call_number: str = ""
    due: str = ""
    days_overdue: int = 0
    pickup_site: str = ""
    last_day: str = ""
    amount: str = ""


ALLOWED = {
    PatronFields: frozenset(PATRON_FIELDS),
    SiteFields: frozenset(SITE_FIELDS),
    ItemFields: frozenset(ITEM_FIELDS),
}


@dataclass(frozen=True, slots=True)
class NoticeContext:
    """Everything a template sees, as top-level names (TOP_FIELDS)."""

    patron: PatronFields
    site: SiteFields
    items: tuple[ItemFields, ...]
    today: str
    balance: str = ""  # what the patron owes (fines)
    card_expires: str = ""  # (card expiring)

    def names(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in TOP_FIELDS}


def sample_context(language: str) -> NoticeContext:
    """Invented values for the editor's preview and for checking a template before it is
    saved: every field filled, so a misspelt field fails at save and not at night."""
    spanish = language == "es"
    return NoticeContext(
        patron=PatronFields("Ana", "Reyes", "P1000123", "3", "Ms. Lee"),
        site=SiteFields("NES", "North Elementary", "100 Main Street"),
        items=(
            ItemFields(
                title="Frog and Toad Are Friends",
                barcode="31230000456",
                call_number="E LOB",
                due="15 de septiembre de 2026" if spanish else "September 15, 2026",
                days_overdue=3,
                pickup_site="North Elementary",
                last_day="22 de septiembre de 2026" if spanish else "September 22, 2026",
                amount="18,95 US$" if spanish else "$18.95",
            ),
        ),
        today="18 de septiembre de 2026" if spanish else "September 18, 2026",
        balance="18,95 US$" if spanish else "$18.95",
        card_expires="30 de junio de 2027" if spanish else "June 30, 2027",
    )
