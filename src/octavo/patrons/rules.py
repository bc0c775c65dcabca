"""Pure checks on patron fields. No Django."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from octavo.shared.errors import InvalidInput

# PK (pre-kindergarten), TK (transitional kindergarten), K, 1 to 12, and blank for adults.
GRADES = ("PK", "TK", "K", *(str(n) for n in range(1, 13)))
_GRADE_ALIASES = {"KG": "K", "00": "K", "0": "K", "-1": "PK", "P": "PK"}
_LANGUAGES = ("en", "es")
_PIN = re.compile(r"^[0-9]{4,12}$")


def normalize_grade(value: str) -> str:
    """`"03"` -> `"3"`, `"kg"` -> `"K"`; blank stays blank. OneRoster grades are two digits."""
    text = value.strip().upper()
    if not text:
        return ""
    text = _GRADE_ALIASES.get(text, text)
    if text.isdigit():
        text = str(int(text))
    if text not in GRADES:
        raise InvalidInput(f"{value!r} is not a grade: use PK, TK, K or 1 to 12", field="grade")
    return text


def next_grade(grade: str) -> str | None:
    """The grade after this one at year-end rollover; None after 12 (the student leaves)."""
    if not grade:
        return ""
    position = GRADES.index(grade)
    return GRADES[position + 1] if position + 1 < len(GRADES) else None


def check_language(value: str) -> str:
    text = value.strip().lower()[:2]
    if text not in _LANGUAGES:
        raise InvalidInput(f"{value!r} is not a language Octavo speaks: en or es", field="language")
    return text


def check_pin(value: str) -> str:
    if not _PIN.match(value):
        raise InvalidInput("a PIN is 4 to 12 digits", field="pin")
    return value


# OneRoster grades are CEDS grade-level codes (OneRoster 1.1 CSV tables, users.csv `grades`):
# IT, PR, PK, TK, KG, 01-13, PS, UG, Other. "Ungraded" and "Other" say the student has no grade
# Octavo can move up at rollover; IT and PR (infants, preschool) are read as pre-kindergarten.
_ROSTER_NO_GRADE = {"UG", "OTHER"}
_ROSTER_ALIASES = {"IT": "PK", "PR": "PK"}


def roster_grade(value: str) -> str:
    """A OneRoster `grades` value as an Octavo grade; several (a list) take the first."""
    first = value.split(",")[0].strip()
    if first.upper() in _ROSTER_NO_GRADE:
        return ""
    return normalize_grade(_ROSTER_ALIASES.get(first.upper(), first))


# Deliberately loose: one @, something before it, a dot after it, no spaces. Whether the mailbox
# exists is for the mail server to say; this only catches a name typed into the e-mail box.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value: str) -> str:
    text = value.strip()
    if text and (not _EMAIL.match(text) or len(text) > 254):
        raise InvalidInput(f"{value!r} is not an e-mail address", field="email")
    return text


def fold(text: str) -> str:
    """Lower case without accents, for matching names typed without them: "Pérez" -> "perez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# Shared by the desk, the OPAC and the SIP2 kiosk, so guessing at one does not reset at another
# (issue #4: 5 failures per patron in 15 minutes).
PIN_FAILURE_LIMIT = 5
PIN_FAILURE_WINDOW = timedelta(minutes=15)


def pin_locked_until(failures: Iterable[datetime], at: datetime) -> datetime | None:
    """When a patron may try a PIN again, or None if they may now.

    Locked while `PIN_FAILURE_LIMIT` failures fall within the window before `at`; it lifts when
    the oldest of the latest `PIN_FAILURE_LIMIT` leaves the window.
    """
    recent = sorted((f for f in failures if at - PIN_FAILURE_WINDOW < f <= at), reverse=True)
    if len(recent) < PIN_FAILURE_LIMIT:
        return None
    return recent[PIN_FAILURE_LIMIT - 1] + PIN_FAILURE_WINDOW


# Issue #6: reading history is off unless the student chooses it, "for a child, the parent
# chooses". A roster knows grades, not ages; the line is drawn where COPPA draws it (under 13),
# which a student passes in grade 7: through grade 6 the parent chooses.
CHILD_GRADES = frozenset(GRADES[: GRADES.index("6") + 1])


def parent_chooses_history(grade: str) -> bool:
    """Does a parent, rather than the student, turn this student's reading history on or off?"""
    return grade in CHILD_GRADES
