"""What the SIP2 server answers: one small function per request type, each calling the same
circulation, holds, fines and patrons services as the desk and translating the result into
SIP2 flags and a screen message (words.py). Nothing here decides whether an item may go out.

A `Session` is one kiosk connection. It runs in a worker thread (the services are
synchronous); the asyncio server (server.py) hands it one request at a time.

Exactly once (issue #5): an answer to a request that changes something is stored, in the same
transaction as the change, under the request's sequence number (AY) and a hash of its bytes;
a fee payment's also under its transaction id (BK). A resend finds the stored answer and gets
it again without a second effect.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import (
    IntegrityError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)

from octavo.catalog.models import Record
from octavo.circulation import selectors as circulation_selectors
from octavo.circulation import services as circulation
from octavo.circulation.errors import Refused
from octavo.circulation.models import Loan
from octavo.db import rows
from octavo.district.selectors import site_by_id
from octavo.fines import selectors as fines_selectors
from octavo.fines import services as fines
from octavo.holdings import selectors as holdings_selectors
from octavo.holdings import services as holdings
from octavo.holdings.models import Item
from octavo.holdings.states import ItemStatus
from octavo.holds import selectors as holds_selectors
from octavo.holds import services as holds_services
from octavo.holds.models import Hold
from octavo.holds.states import HoldStatus
from octavo.interfaces.sip2 import accounts, codec, words
from octavo.interfaces.sip2.accounts import Kiosk
from octavo.interfaces.sip2.codec import Message, SipChecksumError, SipError
from octavo.interfaces.sip2.models import Sip2Answer
from octavo.patrons import selectors as patrons_selectors
from octavo.patrons import services as patrons
from octavo.patrons.models import Patron
from octavo.patrons.services import PinOutcome
from octavo.shared.clock import now
from octavo.shared.errors import OctavoError, Reason

log = logging.getLogger("octavo.sip2")

MAX_LOGIN_FAILURES = 3  # then the connection is closed (issue #5, "Security")
MAX_BAD_MESSAGES = 10  # unreadable requests in a row before the connection is closed
MAX_LIST = 100  # items in one list of a 64 when the kiosk names no range (BP/BQ)
OFFLINE_WINDOW = timedelta(days=30)  # how far back a book drop's return date is believed
RETRIES = 2  # runs again of a request PostgreSQL rolled back (a deadlock, a key taken)

# Requests that change something: their answers are kept for a resend.
CHANGES = frozenset({"11", "09", "29", "65", "37", "15", "01", "19"})
# Of those, the ones a patron makes with their PIN (a check-in needs none: a PIN sent with one
# is not checked, and a wrong one is not counted against the card).
_PATRON_ACTS = frozenset({"11", "29", "65", "37", "15"})
# Every request whose patron's PIN is checked (Session.patron): the server compares the PIN
# ahead, on a thread of its own (Session.pin_to_compare).
_PIN_CHECKED = _PATRON_ACTS | {"63", "23"}
_PIN_CODES = frozenset(code.encode() for code in _PIN_CHECKED)
# The Y/N table of supported messages in a 98 (BX), in the spec's order.
SUPPORTED = (
    ("23", "Y"), ("11", "Y"), ("09", "Y"), ("01", "Y"), ("99", "Y"), ("97", "Y"), ("93", "Y"),
    ("63", "Y"), ("35", "Y"), ("37", "Y"), ("17", "Y"), ("19", "Y"), ("25", "N"), ("15", "Y"),
    ("29", "Y"), ("65", "Y"),
)  # fmt: skip
# SIP2's language codes for the two languages Octavo speaks (000: unknown).
LANGUAGE_CODES = {"en": "001", "es": "008"}
# Item status -> SIP2 circulation status (18, item information).
CIRCULATION_STATUS = {
    ItemStatus.AVAILABLE.value: "03",
    ItemStatus.CHECKED_OUT.value: "04",
    ItemStatus.IN_TRANSIT.value: "10",
    ItemStatus.ON_HOLD_SHELF.value: "08",
    ItemStatus.IN_REPAIR.value: "01",
    ItemStatus.LOST.value: "12",
    ItemStatus.MISSING.value: "13",
    ItemStatus.WITHDRAWN.value: "01",
}
# A record or charge id sent by a kiosk: ASCII digits only (str.isdigit also passes "²",
# which int() refuses), short enough for the database's integers.
_ID = re.compile(r"[0-9]{1,18}")
PAYMENT_METHODS = {"00": "cash", "01": "card", "02": "card"}  # cash, VISA, credit card


# The stored answers, read and written by hand: a kiosk request that changes something does
# both inside the transaction that holds SQLite's writers back (docs/benchmarks.md, SIP2).
_ANSWER_READ = (
    'SELECT id, request_sha256, response FROM sip2_sip2answer WHERE account_id = %s AND "key" = %s'
)
_ANSWER_INSERT = (
    'INSERT INTO sip2_sip2answer (account_id, "key", request_sha256, response, at) '
    "VALUES (%s, %s, %s, %s, %s)"
)
_ANSWER_UPDATE = (
    "UPDATE sip2_sip2answer SET request_sha256 = %s, response = %s, at = %s WHERE id = %s"
)
_ITEM_LOCK = "SELECT id FROM holdings_item WHERE barcode = %s FOR UPDATE"


def _answer_sql() -> str:
    """The stored answer's row, locked where the database locks rows (SQLite's IMMEDIATE
    transaction has locked the whole file already)."""
    return _ANSWER_READ + (" FOR UPDATE" if connection.features.has_select_for_update else "")


def _deadlock(error: OperationalError) -> bool:
    """PostgreSQL's deadlock_detected (SQLSTATE 40P01), under Django's wrapper."""
    return getattr(error.__cause__, "sqlstate", None) == "40P01"


def _yn(value: bool) -> str:
    return "Y" if value else "N"


def _count(value: int) -> str:
    return f"{min(value, 9999):04d}"


@dataclass
class Reply:
    data: bytes | None
    close: bool = False


# A PIN compared ahead (Session.compare_pin): the patron's id, the PIN's digest, the match.
PinAhead = tuple[int, bytes, patrons.PinMatch]


@dataclass
class Verified:
    """A patron whose PIN this connection checked: later requests in the same patron session
    (kiosks send the PIN with each one) are not checked again until 35 or another patron."""

    barcode: str
    digest: bytes


@dataclass
class Session:
    address: str | None
    kiosk: Kiosk | None = None
    failed_logins: int = 0
    bad_messages: int = 0
    last: bytes | None = None  # the last answer, for a 97
    verified: Verified | None = None
    request: bytes = b""  # the request being answered, for the log (redacted)
    # What this request's handler will read, read before its transaction (see _once).
    _patron_read: tuple[Patron | None, str | None] | None = None
    _titles: dict[str, str] = field(default_factory=dict)
    # Salts the digests of PINs kept for this connection (never the PINs themselves).
    salt: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    # The request's PIN compared ahead (compare_pin): the patron's id, the PIN's digest.
    _pin_ahead: PinAhead | None = None

    # --- the loop's one entry point ------------------------------------------------------

    def answer(self, raw: bytes, pin_ahead: PinAhead | None = None) -> Reply:
        """The answer to one request (its bytes, terminator included or not); `pin_ahead`: its
        PIN compared by this connection's twin in another process (answering.Link)."""
        if pin_ahead is not None:
            self._pin_ahead = pin_ahead
        close_old_connections()
        self.request = raw
        self._patron_read, self._titles = None, {}
        encoding = self.kiosk.encoding if self.kiosk else "utf-8"
        try:
            message = codec.parse(raw, encoding=encoding)
        except SipChecksumError:
            self._refused(raw, "bad checksum")
            return self._unreadable()
        except SipError as error:
            self._refused(raw, str(error))
            code = raw[:2].decode("ascii", errors="replace")
            return self._bad(code) if code in FAILED else self._unreadable()
        if message.code not in ("93", "97", "99") and self.kiosk is None:
            # Counted with the unreadable: a client that never logs in is closed soon.
            self._refused(raw, "not logged in")
            return self._bad(message.code, "not_allowed")
        self.bad_messages = 0
        if message.code == "97":
            return Reply(self.last or self._seal("96", None))
        try:
            reply = self._dispatch(message, raw)
        except Exception:
            # Never an unhandled exception on the connection: the request is logged (without
            # secrets) with the traceback, the kiosk told to try again, and nothing half-done
            # stays (each handler's work is one transaction).
            log.exception(
                "SIP2 %s from %s failed: %s", message.code, self.address, codec.redact(raw)
            )
            reply = self._bad(message.code)
        finally:
            self._pin_ahead = None
        if reply.data is not None:
            self.last = reply.data
        return reply

    # --- a PIN compared ahead (server.Server) ----------------------------------------------
    # Comparing a PIN with its hash is most of a kiosk's patron login (a couple of
    # milliseconds of CPU, without Python's lock). On the thread that answers requests it held
    # up every other kiosk's request in the same process meanwhile; the server compares it on
    # a thread of its own first, and Session.patron hands the result to verify_pin, which
    # counts failures and decides as always.

    def pin_to_compare(self, raw: bytes) -> Message | None:
        """The request, if it carries a PIN not yet seen right for its card on this
        connection; else None. Cheap enough for the event loop."""
        if self.kiosk is None or raw[:2] not in _PIN_CODES or b"|AD" not in raw:
            return None
        try:
            message = codec.parse(raw, encoding=self.kiosk.encoding)
        except SipError:
            return None  # answered (refused) on the worker as always
        barcode, pin = (message.field("AA") or "").strip(), message.field("AD") or ""
        if not barcode or not pin:
            return None
        return None if self._seen_right(barcode, self._digest(pin)) else message

    def compare_pin(self, message: Message) -> None:
        """Compare the request's PIN with its patron's hash (reads only); Session.patron uses
        the result. Any trouble leaves it to verify_pin to compare, as it would anyway."""
        barcode, pin = (message.field("AA") or "").strip(), message.field("AD") or ""
        try:
            close_old_connections()
            patron = patrons_selectors.by_card(barcode)
            if patron is None or not patron.pin_hash:
                return
            match = patrons.pin_matches(patron.pin_hash, pin)
        except Exception:  # the worker compares again, and reports any error
            log.debug("SIP2 PIN compared ahead for %s failed", self.address, exc_info=True)
            return
        self._pin_ahead = (patron.pk, self._digest(pin), match)

    def take_pin_ahead(self) -> PinAhead | None:
        """The PIN compared ahead for the request in hand, taken (for answering.Link)."""
        ahead, self._pin_ahead = self._pin_ahead, None
        return ahead

    def _digest(self, pin: str) -> bytes:
        return hashlib.sha256(self.salt + pin.encode()).digest()

    def _seen_right(self, barcode: str, digest: bytes) -> bool:
        """Was this PIN (its digest) accepted for this card earlier on this connection?"""
        known = self.verified
        return (
            known is not None
            and known.barcode == barcode
            and secrets.compare_digest(known.digest, digest)
        )

    def _dispatch(self, message: Message, raw: bytes) -> Reply:
        if message.code == "93":
            return self._login(message, raw)
        handler = HANDLERS[message.code]
        if message.code not in CHANGES or self.kiosk is None:
            return Reply(self._seal(handler(self, message, now()), message.sequence))
        return Reply(self._once(handler, message, raw))

    def _once(self, handler: Handler, message: Message, raw: bytes) -> bytes:
        """Run a request that changes something once: a resend gets the stored answer."""
        assert self.kiosk is not None  # noqa: S101 - _dispatch checked
        transaction_id = message.field("BK") if message.code == "37" else None
        if transaction_id:
            key = f"BK{transaction_id[:70]}"
        elif message.sequence is not None:
            key = f"AY{message.sequence}"
        else:
            return self._seal(handler(self, message, now()), message.sequence)
        digest = hashlib.sha256(raw.rstrip(b"\r\n")).hexdigest()
        barcode = (message.field("AB") or "").strip()
        # On SQLite the transaction below holds every other writer back until it commits:
        # what can be read before it (the patron and their PIN, the title) is read first.
        # The services read and lock again inside it whatever they decide on.
        if message.code in _PATRON_ACTS and message.field("AA"):
            self._patron_read = self.patron(message, now())
        if barcode:
            self.title(barcode)
        attempt = 0
        while True:
            attempt += 1
            try:
                with transaction.atomic():
                    stored = rows.first(_answer_sql(), [self.kiosk.id, key])
                    if stored is not None and (transaction_id or stored[1] == digest):
                        return self._seal(stored[2], message.sequence)
                    if barcode and connection.features.has_select_for_update:
                        # The item first, then (the PIN check) the patron: the services' order.
                        # The other way round, a renewal here and a check-in of the same item
                        # on another connection each waited for the other (PostgreSQL).
                        rows.first(_ITEM_LOCK, [barcode])
                    text = handler(self, message, now())
                    at = rows.moment(now())
                    if stored is None:
                        rows.execute(_ANSWER_INSERT, [self.kiosk.id, key, digest, text, at])
                    else:
                        rows.execute(_ANSWER_UPDATE, [digest, text, at, stored[0]])
            except IntegrityError:
                # Another connection of the same account stored an answer under this key first
                # (PostgreSQL); this one's work is rolled back. A resend of that request gets
                # its answer; another request (two kiosks sharing an account reuse sequence
                # numbers) is run again, and finds that answer's row to replace.
                taken = Sip2Answer.objects.filter(account_id=self.kiosk.id, key=key).first()
                if taken is None:
                    raise
                if transaction_id or taken.request_sha256 == digest:
                    return self._seal(taken.response, message.sequence)
                if attempt > RETRIES:
                    raise
                continue
            except OperationalError as error:
                # A deadlock, broken by PostgreSQL rolling this transaction back whole (a renew
                # all holds the patron's row while it locks each item): nothing of it stays, so
                # it is run again.
                if attempt > RETRIES or not _deadlock(error):
                    raise
                log.info("SIP2 %s from %s: deadlock, run again", message.code, self.address)
                continue
            return self._seal(text, message.sequence)

    # --- helpers ---------------------------------------------------------------------------

    def _seal(self, body: str, sequence: str | None) -> bytes:
        encoding = self.kiosk.encoding if self.kiosk else "utf-8"
        return codec.seal(body, sequence=sequence, encoding=encoding)

    def _unreadable(self) -> Reply:
        """96: please resend. Too many unreadable requests in a row close the connection."""
        self.bad_messages += 1
        return Reply(self._seal("96", None), close=self.bad_messages >= MAX_BAD_MESSAGES)

    def _bad(self, code: str, screen: str = "bad_request") -> Reply:
        """The failure answer of the request's type, with a screen message."""
        self.bad_messages += 1
        body = FAILED[code](self, self.say(screen), now())
        return Reply(self._seal(body, None), close=self.bad_messages >= MAX_BAD_MESSAGES)

    def _refused(self, raw: bytes, why: str) -> None:
        kiosk = self.kiosk.name if self.kiosk else "-"
        log.warning(
            "SIP2 refused from %s (%s): %s: %s", self.address, kiosk, why, codec.redact(raw)
        )

    @property
    def language(self) -> str:
        return self.kiosk.language if self.kiosk else "en"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.kiosk.time_zone if self.kiosk else settings.TIME_ZONE)

    def say(self, key: str, **values: object) -> str:
        return words.say(key, self.language, **values)

    def reason(self, error: OctavoError) -> str:
        """The screen message for a service's refusal, which is logged."""
        self._refused(self.request, f"{error.reason.value}: {error}")
        return words.reason(error.reason, self.language)

    def refuse(self, key: str) -> str:
        """The screen message for a refusal of the server's own (no such patron, wrong PIN,
        not this account's to do), which is logged."""
        self._refused(self.request, key)
        return self.say(key)

    def date(self, moment: datetime) -> str:
        return codec.sip_date(moment, self.zone)

    def institution(self, message: Message) -> str:
        return message.field("AO") or (self.kiosk.site_code if self.kiosk else "")

    def money(self, amount: Decimal) -> str:
        return f"{amount:.2f}"

    def _login(self, message: Message, raw: bytes) -> Reply:
        name = message.field("CN") or ""
        password = message.field("CO") or ""
        kiosk = accounts.log_in(name, password, address=self.address) if name else None
        if kiosk is None:
            self.failed_logins += 1
            self._refused(raw, f"login failed ({self.failed_logins} of {MAX_LOGIN_FAILURES})")
            return Reply(
                self._seal("940", message.sequence),
                close=self.failed_logins >= MAX_LOGIN_FAILURES,
            )
        self.kiosk, self.failed_logins, self.verified = kiosk, 0, None
        return Reply(codec.seal("941", sequence=message.sequence, encoding=kiosk.encoding))

    # --- the patron at the kiosk -----------------------------------------------------------

    def patron(self, message: Message, at: datetime) -> tuple[Patron | None, str | None]:
        """The patron of the request's AA and whether they may act: (patron, None) when they
        may; (patron or None, what the screen says) when not. The PIN (AD) is checked with
        the limit every interface shares (patrons.services.verify_pin)."""
        assert self.kiosk is not None  # noqa: S101 - only after login
        if self._patron_read is not None:
            return self._patron_read
        barcode = (message.field("AA") or "").strip()
        patron = None
        if barcode:
            patron = patrons_selectors.by_card(barcode)
        if patron is None:
            return None, self.refuse("no_patron")
        pin = message.field("AD") or ""
        if not pin:
            return (
                (patron, self.refuse("pin_needed")) if self.kiosk.pin_required else (patron, None)
            )
        digest = self._digest(pin)
        if self._seen_right(patron.barcode, digest):
            return patron, None
        ahead, self._pin_ahead = self._pin_ahead, None
        checked = None
        if ahead is not None and ahead[0] == patron.pk and secrets.compare_digest(ahead[1], digest):
            checked = ahead[2]
        check = patrons.verify_pin(patron=patron, pin=pin, at=at, checked=checked)
        if check.outcome is PinOutcome.ACCEPTED:
            self.verified = Verified(patron.barcode, digest)
            return patron, None
        if check.outcome is PinOutcome.LOCKED:
            return patron, self.refuse("pin_locked")
        if check.outcome is PinOutcome.NO_PIN and not self.kiosk.pin_required:
            return patron, None
        return patron, self.refuse("pin_wrong")

    def title(self, barcode: str) -> str:
        """The title of the item with this barcode ("" for none), read once per request."""
        if barcode not in self._titles:
            self._titles[barcode] = (holdings_selectors.title_by_barcode(barcode) or "")[:100]
        return self._titles[barcode]

    def may(self, permission: str) -> bool:
        return self.kiosk is not None and self.kiosk.may(permission)


Handler = Callable[[Session, Message, datetime], str]


# --- 99 -> 98: SC status / ACS status -------------------------------------------------------


def sc_status(s: Session, m: Message, at: datetime) -> str:
    may = s.may
    fixed = [
        "Y",  # on-line
        _yn(may("checkin")),
        _yn(may("checkout")),
        _yn(may("renew")),  # ACS renewal policy: renewals from the SC allowed
        _yn(may("status")),
        "N",  # off-line: the ACS does not store and forward
        "030",  # timeout period, tenths of a second
        "003",  # retries allowed
        s.date(at),
        "2.00",
    ]
    return codec.body(
        "98",
        fixed,
        [
            ("AO", s.institution(m)),
            ("AM", s.kiosk.site_name if s.kiosk else None),
            ("BX", "".join(flag for _code, flag in SUPPORTED)),
            ("AN", s.kiosk.name if s.kiosk else None),
        ],
    )


# --- 23 -> 24, 63 -> 64: patron status and information -------------------------------------

# The patron status field's 14 flags (SIP2 2.00, patron status response), each set by the
# reasons of the blocks a check-out would meet now (circulation_selectors.standing_blocks).
_STATUS_FLAGS: tuple[frozenset[Reason], ...] = (
    frozenset({Reason.PATRON_BLOCKED, Reason.PATRON_EXPIRED, Reason.FINES_OVER_LIMIT,
               Reason.TOO_MANY_OVERDUES, Reason.LIMIT_REACHED}),  # charge privileges denied
    frozenset({Reason.PATRON_BLOCKED, Reason.PATRON_EXPIRED}),  # renewal privileges denied
    frozenset(),  # recall privileges denied (Octavo has no recalls)
    frozenset({Reason.PATRON_BLOCKED, Reason.PATRON_EXPIRED}),  # hold privileges denied
    frozenset(),  # card reported lost
    frozenset({Reason.LIMIT_REACHED}),  # too many items charged
    frozenset({Reason.TOO_MANY_OVERDUES}),  # too many items overdue
    frozenset(),  # too many renewals
    frozenset(),  # too many claims of items returned
    frozenset(),  # too many items lost
    frozenset({Reason.FINES_OVER_LIMIT}),  # excessive outstanding fines
    frozenset({Reason.FINES_OVER_LIMIT}),  # excessive outstanding fees
    frozenset(),  # recall overdue
    frozenset(),  # too many items billed
)  # fmt: skip
_ALL_DENIED = "YYYY" + " " * 10


def _status_flags(s: Session, patron: Patron, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    reasons = {
        b.reason
        for b in circulation_selectors.standing_blocks_of(patron, site_id=s.kiosk.site_id, at=at)
    }
    return "".join("Y" if flag & reasons else " " for flag in _STATUS_FLAGS)


def _patron_fields(
    s: Session, m: Message, patron: Patron | None, refused: str | None, balance: Decimal | None
) -> list[tuple[str, str | None]]:
    """AO AA AE BL CQ BH BV: what both the 24 and the 64 carry."""
    pin = m.field("AD")
    return [
        ("AO", s.institution(m)),
        ("AA", m.field("AA") or ""),
        ("AE", f"{patron.first_name} {patron.last_name}" if patron and not refused else ""),
        ("BL", _yn(patron is not None)),
        ("CQ", _yn(patron is not None and not refused) if pin is not None else None),
        ("BH", settings.OCTAVO_CURRENCY if balance is not None else None),
        ("BV", s.money(balance) if balance is not None else None),
    ]


def _language(patron: Patron | None) -> str:
    return LANGUAGE_CODES.get(patron.language, "000") if patron else "000"


def patron_status(s: Session, m: Message, at: datetime) -> str:
    patron, refused = s.patron(m, at)
    return _patron_status_body(s, m, at, patron, refused)


def _patron_status_body(
    s: Session, m: Message, at: datetime, patron: Patron | None, refused: str | None
) -> str:
    known = patron is not None and refused is None
    flags = _status_flags(s, patron, at) if known and patron else _ALL_DENIED
    balance = fines_selectors.balance(patron.pk) if known and patron and s.may("fines") else None
    fields = _patron_fields(s, m, patron, refused, balance)
    fields.append(("AF", refused))
    return codec.body("24", [flags, _language(patron), s.date(at)], fields)


def patron_information(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    patron, refused = s.patron(m, at)
    if patron is None or refused is not None:
        fixed = [_ALL_DENIED, _language(patron), s.date(at), *["0000"] * 6]
        fields = _patron_fields(s, m, patron, refused, None)
        fields.append(("AF", refused))
        return codec.body("64", fixed, fields)
    loans = circulation_selectors.open_loan_lines(patron.pk)
    overdue = [barcode for barcode, due in loans if due < at]
    holds = holds_selectors.active_hold_lines(patron.pk)
    ready = [b or t[:60] for status, b, t in holds if status == HoldStatus.READY.value]
    waiting = [b or t[:60] for status, b, t in holds if status != HoldStatus.READY.value]
    see_fines = s.may("fines")
    charges = fines_selectors.open_charge_lines(patron.pk) if see_fines else []
    balance = fines_selectors.balance(patron.pk) if see_fines else None
    fixed = [
        _status_flags(s, patron, at),
        _language(patron),
        s.date(at),
        _count(len(ready)),
        _count(len(overdue)),
        _count(len(loans)),
        _count(len(charges)),
        "0000",  # recall items
        _count(len(waiting)),
    ]
    fields = _patron_fields(s, m, patron, None, balance)
    summary = m.fixed["summary"]
    chosen = summary.find("Y")
    start, end = _range(m)
    lists: dict[int, tuple[str, list[str]]] = {
        0: ("AS", ready),
        1: ("AT", overdue),
        2: ("AU", [barcode for barcode, _due in loans]),
        3: ("AV", [_charge_line(s, kind, barcode, left) for _id, kind, barcode, left in charges]),
        4: ("BU", []),
        5: ("CD", waiting),
    }
    if chosen in lists:
        identifier, values = lists[chosen]
        fields.extend((identifier, value) for value in values[start:end])
    if s.kiosk.personal_data:
        fields.extend([("BE", patron.email or None), ("BF", patron.phone or None)])
    return codec.body("64", fixed, fields)


def _range(m: Message) -> tuple[int, int]:
    """BP/BQ: the first and last (1-based) of a list to send; the first MAX_LIST without them."""
    try:
        start = max(int(m.field("BP") or "1"), 1)
        end = int(m.field("BQ") or str(start + MAX_LIST - 1))
    except ValueError:
        start, end = 1, MAX_LIST
    end = min(end, start + MAX_LIST - 1)
    return start - 1, max(end, start - 1)


def _charge_line(s: Session, kind: str, barcode: str | None, left: Decimal) -> str:
    """A fine item (AV): what is left to pay, the kind of charge, the item's barcode."""
    return " ".join(p for p in (s.money(left), kind or "charge", barcode or "") if p)


# --- 11 -> 12 check out, 29 -> 30 renew ------------------------------------------------------


def _loan_body(
    code: str,
    s: Session,
    m: Message,
    at: datetime,
    *,
    ok: bool,
    renewal: bool = False,
    due: datetime | None = None,
    screen: str | None = None,
) -> str:
    barcode = (m.field("AB") or "").strip()
    return codec.body(
        code,
        ["1" if ok else "0", _yn(renewal), "N", _yn(ok) if code == "12" else "N", s.date(at)],
        [
            ("AO", s.institution(m)),
            ("AA", m.field("AA") or ""),
            ("AB", barcode),
            ("AJ", s.title(barcode)),
            ("AH", s.date(due) if due else ""),
            ("AF", screen),
        ],
    )


def checkout(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    if not s.may("checkout"):
        return _loan_body("12", s, m, at, ok=False, screen=s.refuse("not_allowed"))
    if (m.field("BI") or "N") == "Y":  # cancel: the kiosk could not desensitize; undo it
        return _cancel_checkout(s, m, at)
    patron, refused = s.patron(m, at)
    if patron is None or refused is not None:
        return _loan_body("12", s, m, at, ok=False, screen=refused)
    barcode = (m.field("AB") or "").strip()
    offline = m.fixed["no_block"] == "Y" and s.may("offline")
    when = _reported_time(s, m.fixed["transaction_date"], at) if offline else at
    try:
        result = circulation.check_out(
            actor=s.kiosk.actor(elevated=offline),
            patron_barcode=patron.barcode,
            item_barcode=barcode,
            at=when,
            site_code=s.kiosk.site_code,
            overrides=frozenset(r.value for r in Reason) if offline else frozenset(),
            override_note=f"SIP2 no-block check-out from {s.kiosk.name}" if offline else "",
        )
    except Refused as refusal:
        mine = _own_loan(s, refusal, barcode, patron)
        if mine is not None:
            return _already_yours(s, m, at, patron, mine.due_at)
        return _loan_body("12", s, m, at, ok=False, screen=s.reason(refusal))
    except OctavoError as error:
        if error.field == "item_barcode":  # no such item (or a card scanned as one)
            return _loan_body("12", s, m, at, ok=False, screen=s.refuse("no_item"))
        return _loan_body("12", s, m, at, ok=False, screen=s.reason(error))
    if result.repeated:  # scanned again at once: the loan just made
        return _already_yours(s, m, at, patron, result.due_at)
    due = result.due_at
    return _loan_body(
        "12", s, m, at, ok=True, due=due, screen=s.say("checked_out", due=_day(s, due))
    )


def _own_loan(s: Session, refusal: Refused, barcode: str, patron: Patron) -> Loan | None:
    """The patron's own open loan of the item, when that is why the check-out was refused."""
    assert s.kiosk is not None  # noqa: S101
    if not any(b.reason is Reason.ITEM_CHECKED_OUT for b in refusal.blocks):
        return None
    loan = circulation_selectors.open_loan_of(actor=s.kiosk.actor(), item_barcode=barcode)
    return loan if loan is not None and loan.patron_id == patron.pk else None


def _already_yours(s: Session, m: Message, at: datetime, patron: Patron, due: datetime) -> str:
    """A check-out of an item the patron has already: a renewal when the kiosk asks for one
    (SC renewal policy), else the loan as it stands (a resend without error detection
    changes nothing)."""
    if m.fixed["sc_renewal_policy"] == "Y" and s.may("renew"):
        return _renew_body("12", s, m, at, patron)
    return _loan_body(
        "12", s, m, at, ok=True, due=due, screen=s.say("already_yours", due=_day(s, due))
    )


def _cancel_checkout(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    patron, refused = s.patron(m, at)
    barcode = (m.field("AB") or "").strip()
    loan = circulation_selectors.open_loan_of(actor=s.kiosk.actor(), item_barcode=barcode)
    if patron is None or refused is not None or loan is None or loan.patron_id != patron.pk:
        return _loan_body("12", s, m, at, ok=False, screen=refused or s.refuse("not_supported"))
    circulation.check_in(
        actor=s.kiosk.actor(), item_barcode=barcode, at=at, site_code=s.kiosk.site_code
    )
    return _loan_body("12", s, m, at, ok=True, screen=s.say("checked_in"))


def _reported_time(s: Session, value: str, at: datetime) -> datetime:
    """When a kiosk says something happened (a no-block check-out made offline, a book drop's
    return): that date when it is believable (in the past OFFLINE_WINDOW), else `at`."""
    try:
        when = codec.parse_date(value, s.zone)
    except SipError:
        return at
    if when is None or when > at or when < at - OFFLINE_WINDOW:
        return at
    return when


def _day(s: Session, moment: datetime) -> str:
    return f"{moment.astimezone(s.zone):%Y-%m-%d}"


def renew(s: Session, m: Message, at: datetime) -> str:
    if not s.may("renew"):
        return _loan_body("30", s, m, at, ok=False, screen=s.refuse("not_allowed"))
    patron, refused = s.patron(m, at)
    if patron is None or refused is not None:
        return _loan_body("30", s, m, at, ok=False, screen=refused)
    return _renew_body("30", s, m, at, patron)


def _renew_body(code: str, s: Session, m: Message, at: datetime, patron: Patron) -> str:
    assert s.kiosk is not None  # noqa: S101
    barcode = (m.field("AB") or "").strip()
    try:
        result = circulation.renew(
            actor=s.kiosk.actor(),
            item_barcode=barcode,
            at=at,
            site_code=s.kiosk.site_code,
            patron_barcode=patron.barcode,
        )
    except OctavoError as error:
        screen = s.refuse("no_item") if error.reason is Reason.NOT_FOUND else s.reason(error)
        return _loan_body(code, s, m, at, ok=False, screen=screen)
    due = result.due_at
    return _loan_body(
        code, s, m, at, ok=True, renewal=True, due=due, screen=s.say("renewed", due=_day(s, due))
    )


def renew_all(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    patron, refused = s.patron(m, at) if s.may("renew") else (None, s.refuse("not_allowed"))
    if patron is None or refused is not None:
        return codec.body(
            "66",
            ["0", "0000", "0000", s.date(at)],
            [("AO", s.institution(m)), ("AF", refused)],
        )
    lines = circulation.renew_all(
        actor=s.kiosk.actor(), patron_barcode=patron.barcode, at=at, site_code=s.kiosk.site_code
    )
    renewed = [line.item_barcode for line in lines if line.result is not None]
    unrenewed = [line.item_barcode for line in lines if line.result is None]
    fields: list[tuple[str, str | None]] = [("AO", s.institution(m))]
    fields += [("BM", b) for b in renewed]
    fields += [("BN", b) for b in unrenewed]
    fields.append(("AF", s.say("renew_all", renewed=len(renewed), unrenewed=len(unrenewed))))
    return codec.body("66", ["1", _count(len(renewed)), _count(len(unrenewed)), s.date(at)], fields)


# --- 09 -> 10 check in ------------------------------------------------------------------------


def _checkin_body(
    s: Session,
    m: Message,
    at: datetime,
    *,
    ok: bool,
    item: Item | None,
    alert_type: str | None = None,
    to_site: str | None = None,
    screen: str | None = None,
) -> str:
    barcode = (m.field("AB") or "").strip()
    return codec.body(
        "10",
        ["1" if ok else "0", _yn(ok), "N", _yn(alert_type is not None or not ok), s.date(at)],
        [
            ("AO", s.institution(m)),
            ("AB", barcode),
            ("AQ", site_by_id(item.site_id).code if item is not None else ""),
            ("AJ", s.title(barcode) if item is not None else ""),
            ("CT", to_site),
            ("CS", (item.call_number or None) if item is not None else None),
            ("CV", alert_type),
            ("AF", screen),
        ],
    )


def checkin(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    if not s.may("checkin"):
        return _checkin_body(s, m, at, ok=False, item=None, screen=s.refuse("not_allowed"))
    barcode = (m.field("AB") or "").strip()
    returned = _reported_time(s, m.fixed["return_date"], at)
    try:
        result = circulation.check_in(
            actor=s.kiosk.actor(), item_barcode=barcode, at=returned, site_code=s.kiosk.site_code
        )
    except OctavoError as error:
        screen = s.refuse("no_item") if error.reason is Reason.NOT_FOUND else s.reason(error)
        return _checkin_body(s, m, at, ok=False, item=None, screen=screen)
    # Where the item goes, for a sorter (CT, and CV, 3M's alert type: 01 hold here, 02 hold
    # at another library, 04 send to another library; none: back on the shelf here).
    to_site, alert_type = None, None
    if result.destination == "hold_shelf":
        screen, to_site, alert_type = s.say("hold_shelf"), s.kiosk.site_code, "01"
    elif result.destination == "transit" and result.to_site is not None:
        screen, to_site = s.say("transit", site=result.to_site.name), result.to_site.code
        alert_type = "02" if result.hold is not None else "04"
    else:
        screen = s.say("checked_in")
    if result.fine > 0:
        screen += " " + s.say("late_fine", amount=s.money(result.fine))
    item = result.item
    return _checkin_body(
        s, m, at, ok=True, item=item, alert_type=alert_type, to_site=to_site, screen=screen
    )


# --- 17 -> 18 item information, 19 -> 20 item status update ----------------------------------


def item_information(s: Session, m: Message, at: datetime) -> str:
    barcode = (m.field("AB") or "").strip()
    item = holdings_selectors.by_barcode(barcode)
    if item is None:
        return codec.body(
            "18",
            ["01", "00", "01", s.date(at)],
            [("AB", barcode), ("AJ", ""), ("AF", s.refuse("no_item"))],
        )
    status = CIRCULATION_STATUS.get(item.status, "01")
    due = None
    if item.status == ItemStatus.CHECKED_OUT.value:
        # The open loan only: a claimed return ends the loan and makes the copy missing, so a
        # checked-out copy has no other (asking for either read every loan the copy ever had).
        loan = circulation.open_loan(item)
        if loan is not None:
            due = loan.due_at
    waiting = holds_selectors.waiting_count(item.record_id)
    shelf_hold = (
        Hold.objects.filter(item=item, status=HoldStatus.READY.value).first()
        if item.status == ItemStatus.ON_HOLD_SHELF.value
        else None
    )
    home = site_by_id(item.site_id).code
    return codec.body(
        "18",
        [status, "02", "01", s.date(at)],
        [
            ("CF", str(waiting) if waiting else None),
            ("AH", s.date(due) if due else None),
            ("CM", s.date(shelf_hold.expires_at) if shelf_hold and shelf_hold.expires_at else None),
            ("AB", item.barcode),
            ("AJ", holdings_selectors.title_of(item)[:100]),
            ("BG", home),
            ("AQ", home),
            ("AP", home),
            ("CS", item.call_number or None),
            ("CH", item.properties or None),
        ],
    )


def item_status_update(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    barcode = (m.field("AB") or "").strip()
    if not s.may("status"):
        return codec.body(
            "20", ["0", s.date(at)], [("AB", barcode), ("AF", s.refuse("not_allowed"))]
        )
    try:
        item = holdings.update_item(
            actor=s.kiosk.actor(elevated=True),
            barcode=barcode,
            changes={"properties": m.field("CH") or ""},
            at=at,
        )
    except OctavoError as error:
        screen = s.refuse("no_item") if error.reason is Reason.NOT_FOUND else s.reason(error)
        return codec.body("20", ["0", s.date(at)], [("AB", barcode), ("AF", screen)])
    return codec.body(
        "20", ["1", s.date(at)], [("AB", item.barcode), ("AJ", item.record.title[:100])]
    )


# --- 35 -> 36 end session, 01 block patron ---------------------------------------------------


def end_session(s: Session, m: Message, at: datetime) -> str:
    s.verified = None
    return codec.body(
        "36",
        ["Y", s.date(at)],
        [("AO", s.institution(m)), ("AA", m.field("AA") or ""), ("AF", s.say("goodbye"))],
    )


def block_patron(s: Session, m: Message, at: datetime) -> str:
    """01: the kiosk stops a card (kept by the machine, or misused). Answered with a 24."""
    assert s.kiosk is not None  # noqa: S101
    patron = patrons_selectors.by_card(m.field("AA") or "")
    if patron is None:
        return _patron_status_body(s, m, at, None, s.refuse("no_patron"))
    if not s.may("block"):
        return _patron_status_body(s, m, at, patron, s.refuse("not_allowed"))
    note = (m.field("AL") or "").strip() or "blocked by a self-check kiosk"
    retained = " (card retained)" if m.fixed["card_retained"] == "Y" else ""
    try:
        patrons.block_patron(
            actor=s.kiosk.actor(elevated=True),
            patron_id=patron.pk,
            note=f"SIP2 {s.kiosk.name}{retained}: {note}"[:500],
            at=at,
        )
    except OctavoError as error:
        return _patron_status_body(s, m, at, patron, s.reason(error))
    patron.refresh_from_db()
    s.verified = None
    return _patron_status_body(s, m, at, patron, None)


# --- 37 -> 38 fee paid -----------------------------------------------------------------------


def fee_paid(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    transaction_id = m.field("BK")

    def answer(accepted: bool, screen: str | None) -> str:
        return codec.body(
            "38",
            [_yn(accepted), s.date(at)],
            [
                ("AO", s.institution(m)),
                ("AA", m.field("AA") or ""),
                ("BK", transaction_id),
                ("AF", screen),
            ],
        )

    if not s.may("pay"):
        return answer(False, s.refuse("not_allowed"))
    patron, refused = s.patron(m, at)
    if patron is None or refused is not None:
        return answer(False, refused)
    method = PAYMENT_METHODS.get(m.fixed["payment_type"])
    currency = m.fixed["currency_type"].strip().upper()
    try:
        amount = Decimal((m.field("BV") or "").strip())
    except InvalidOperation:
        amount = Decimal(0)
    if (
        method is None
        or (currency and currency != settings.OCTAVO_CURRENCY)
        or not amount.is_finite()  # NaN cannot be compared with 0: it would raise
        or amount <= 0
    ):
        return answer(False, s.refuse("bad_request"))
    charge_id = None
    fee = (m.field("CG") or "").strip()
    if _ID.fullmatch(fee):
        charge_id = int(fee)
    reference = f"SIP2 {s.kiosk.name} {transaction_id or ''}".strip()[:100]
    try:
        fines.pay(
            actor=s.kiosk.actor(),
            patron_id=patron.pk,
            amount=amount,
            method=method,
            site_code=s.kiosk.site_code,
            at=at,
            reference=reference,
            charge_id=charge_id,
        )
    except OctavoError as error:
        return answer(False, s.reason(error))
    return answer(True, s.say("paid", amount=s.money(amount)))


# --- 15 -> 16 hold ---------------------------------------------------------------------------


def hold(s: Session, m: Message, at: datetime) -> str:
    assert s.kiosk is not None  # noqa: S101
    barcode = (m.field("AB") or "").strip()
    pickup = (m.field("BS") or "").strip() or s.kiosk.site_code

    def answer(ok: bool, screen: str | None, *, placed: Hold | None = None) -> str:
        title = placed.record.title[:100] if placed else (s.title(barcode) or m.field("AJ") or "")
        return codec.body(
            "16",
            ["1" if ok else "0", _yn(_available(placed)), s.date(at)],
            [
                ("BR", str(holds_selectors.queue_position(placed)) if placed else None),
                ("BS", placed.pickup_site.code if placed else None),
                ("AO", s.institution(m)),
                ("AA", m.field("AA") or ""),
                ("AB", barcode or None),
                ("AJ", title),
                ("AF", screen),
            ],
        )

    if not s.may("hold"):
        return answer(False, s.refuse("not_allowed"))
    patron, refused = s.patron(m, at)
    if patron is None or refused is not None:
        return answer(False, refused)
    record_id = _record_of(barcode, m.field("AJ") or "")
    if record_id is None:
        return answer(False, s.refuse("no_item"))
    mode = m.fixed["hold_mode"]
    if mode == "-":
        mine = next(
            (h for h in holds_selectors.active_holds(patron.pk) if h.record_id == record_id), None
        )
        if mine is None:
            return answer(False, s.refuse("no_hold"))
        try:
            circulation.cancel_hold(
                actor=s.kiosk.actor(), hold_id=mine.pk, at=at, patron_id=patron.pk
            )
        except OctavoError as error:
            return answer(False, s.reason(error))
        return answer(True, s.say("hold_cancelled"))
    if mode != "+":
        return answer(False, s.refuse("not_supported"))
    copy = (m.field("BY") or "") == "3" and bool(barcode)
    try:
        placed = holds_services.place_hold(
            actor=s.kiosk.actor(),
            patron_barcode=patron.barcode,
            record_id=record_id,
            pickup_site_code=pickup,
            at=at,
            item_barcode=barcode if copy else "",
        )
    except OctavoError as error:  # HoldRefused carries its first block's reason
        return answer(False, s.reason(error))
    return answer(True, s.say("hold_placed"), placed=placed)


def _record_of(barcode: str, title_id: str) -> int | None:
    if barcode:
        found = Item.objects.filter(barcode=barcode).values_list("record_id", flat=True).first()
        return int(found) if found is not None else None
    text = title_id.strip()
    if _ID.fullmatch(text):
        return int(text) if Record.objects.filter(pk=int(text)).exists() else None
    return None


def _available(placed: Hold | None) -> bool:
    if placed is None:
        return False
    return Item.objects.filter(
        record_id=placed.record_id, status=ItemStatus.AVAILABLE.value
    ).exists()


HANDLERS: dict[str, Handler] = {
    "99": sc_status,
    "23": patron_status,
    "63": patron_information,
    "11": checkout,
    "09": checkin,
    "29": renew,
    "65": renew_all,
    "17": item_information,
    "19": item_status_update,
    "35": end_session,
    "37": fee_paid,
    "15": hold,
    "01": block_patron,
}


# --- the failure answer of each type, for a request too broken to read ------------------------


def _failed_loan(code: str) -> Callable[[Session, str, datetime], str]:
    return lambda s, screen, at: codec.body(
        code,
        ["0", "N", "N", "N", s.date(at)],
        [("AO", ""), ("AA", ""), ("AB", ""), ("AJ", ""), ("AH", ""), ("AF", screen)],
    )


FAILED: dict[str, Callable[[Session, str, datetime], str]] = {
    "93": lambda s, screen, at: "940",
    "99": lambda s, screen, at: codec.body(
        "98",
        ["N", "N", "N", "N", "N", "N", "030", "003", s.date(at), "2.00"],
        [("AO", ""), ("BX", "".join(f for _c, f in SUPPORTED)), ("AF", screen)],
    ),
    "23": lambda s, screen, at: codec.body(
        "24",
        [_ALL_DENIED, "000", s.date(at)],
        [("AO", ""), ("AA", ""), ("AE", ""), ("BL", "N"), ("AF", screen)],
    ),
    "01": lambda s, screen, at: FAILED["23"](s, screen, at),
    "63": lambda s, screen, at: codec.body(
        "64",
        [_ALL_DENIED, "000", s.date(at), *["0000"] * 6],
        [("AO", ""), ("AA", ""), ("AE", ""), ("BL", "N"), ("AF", screen)],
    ),
    "11": _failed_loan("12"),
    "29": _failed_loan("30"),
    "09": lambda s, screen, at: codec.body(
        "10", ["0", "N", "N", "Y", s.date(at)], [("AO", ""), ("AB", ""), ("AQ", ""), ("AF", screen)]
    ),
    "65": lambda s, screen, at: codec.body(
        "66", ["0", "0000", "0000", s.date(at)], [("AO", ""), ("AF", screen)]
    ),
    "17": lambda s, screen, at: codec.body(
        "18", ["01", "00", "01", s.date(at)], [("AB", ""), ("AJ", ""), ("AF", screen)]
    ),
    "19": lambda s, screen, at: codec.body("20", ["0", s.date(at)], [("AB", ""), ("AF", screen)]),
    "35": lambda s, screen, at: codec.body(
        "36", ["N", s.date(at)], [("AO", ""), ("AA", ""), ("AF", screen)]
    ),
    "37": lambda s, screen, at: codec.body(
        "38", ["N", s.date(at)], [("AO", ""), ("AA", ""), ("AF", screen)]
    ),
    "15": lambda s, screen, at: codec.body(
        "16", ["0", "N", s.date(at)], [("AO", ""), ("AA", ""), ("AF", screen)]
    ),
    "97": lambda s, screen, at: "96",
}
