"""SIP2 messages (3M Standard Interchange Protocol 2.00) as bytes and back, for the server of
issue #5. Pure: no database, no sockets.

A message is a two-digit command identifier, its fixed-length fields in the order the spec
gives them, then variable fields: a two-letter identifier, the value, a `|`. Error detection,
when used, closes the message: `AY` and a one-digit sequence number, then `AZ` and a checksum
of four hex digits; the checksum is the 16-bit two's complement of the sum of the bytes up to
and including `AZ`. A carriage return ends the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

TERMINATOR = "\r"
MAX_LENGTH = 10_000  # characters: the longest real request is a few hundred
DATE_LENGTH = 18  # YYYYMMDDZZZZHHMMSS

# The spec's checksum is four hex digits; one to four are read, because a client that drops
# the leading zeros (the Sip2 package on PyPI does) means the same number.
_ERROR_DETECTION = re.compile(r"(?:AY(?P<sequence>\d))?AZ(?P<checksum>[0-9A-Fa-f]{1,4})$")
# A date field: YYYYMMDD, four characters of zone (blanks, or "   Z" for UTC), HHMMSS; or
# all blanks where the spec allows none (a due date the kiosk did not set).
_DATE_FIELD = re.compile(r"^(?:\d{8}.{4}\d{6}| {18})$")
_FIELD_ID = re.compile(r"^[A-Z0-9]{2}$")


class SipError(ValueError):
    """A request that cannot be read; the message says which part, never a field's value."""


class SipChecksumError(SipError):
    """The checksum does not match: answered with 96 (please resend), nothing done."""


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    fixed: tuple[tuple[str, int], ...]  # (field, length) in the order they stand


_DATE = ("transaction_date", DATE_LENGTH)
REQUESTS: dict[str, Spec] = {
    "93": Spec("login", (("uid_algorithm", 1), ("pwd_algorithm", 1))),
    "99": Spec("sc_status", (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4))),
    "23": Spec("patron_status", (("language", 3), _DATE)),
    "63": Spec("patron_information", (("language", 3), _DATE, ("summary", 10))),
    "11": Spec(
        "checkout",
        (("sc_renewal_policy", 1), ("no_block", 1), _DATE, ("nb_due_date", DATE_LENGTH)),
    ),
    "09": Spec("checkin", (("no_block", 1), _DATE, ("return_date", DATE_LENGTH))),
    "29": Spec(
        "renew",
        (("third_party_allowed", 1), ("no_block", 1), _DATE, ("nb_due_date", DATE_LENGTH)),
    ),
    "65": Spec("renew_all", (_DATE,)),
    "17": Spec("item_information", (_DATE,)),
    "19": Spec("item_status_update", (_DATE,)),
    "35": Spec("end_patron_session", (_DATE,)),
    "37": Spec("fee_paid", (_DATE, ("fee_type", 2), ("payment_type", 2), ("currency_type", 3))),
    "15": Spec("hold", (("hold_mode", 1), _DATE)),
    "01": Spec("block_patron", (("card_retained", 1), _DATE)),
    "97": Spec("request_resend", ()),
}


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    fixed: dict[str, str]
    fields: tuple[tuple[str, str], ...]  # (identifier, value) in the order sent
    sequence: str | None = None  # AY, when the sender uses error detection

    @property
    def name(self) -> str:
        return REQUESTS[self.code].name

    def field(self, identifier: str) -> str | None:
        """The first value of a variable field, or None when it was not sent."""
        for found, value in self.fields:
            if found == identifier:
                return value
        return None

    def all(self, identifier: str) -> list[str]:
        """Every value of a repeatable field (AF screen messages, item lists)."""
        return [value for found, value in self.fields if found == identifier]


def checksum(text: str, *, encoding: str = "utf-8") -> str:
    """The four hex digits that follow `AZ`, for `text` up to and including `AZ`."""
    total = sum(text.encode(encoding, errors="replace"))
    return f"{-total & 0xFFFF:04X}"


def parse(raw: bytes, *, encoding: str = "utf-8") -> Message:
    """A request from its bytes (the terminator may be there or not). Raises SipError, or
    SipChecksumError when error detection is used and the checksum is wrong."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise SipError(f"not {encoding} text (byte {error.start})") from None
    text = text.rstrip("\r\n")
    if len(text) > MAX_LENGTH:
        raise SipError(f"longer than {MAX_LENGTH:,} characters")
    if "\x00" in text:
        # No SIP2 field holds one, and PostgreSQL text cannot (a query with one would fail in
        # whichever handler got the value): refused here, once for all of them.
        raise SipError("a NUL character in the message")
    sequence = None
    detection = _ERROR_DETECTION.search(text)
    if detection is not None:
        body_end = detection.start("checksum")
        if int(checksum(text[:body_end], encoding=encoding), 16) != int(detection["checksum"], 16):
            raise SipChecksumError("the checksum (AZ) does not match the message")
        sequence = detection["sequence"]
        text = text[: detection.start()]
    code = text[:2]
    spec = REQUESTS.get(code)
    if spec is None:
        raise SipError(f"unknown message type {code!r}")
    position, fixed = 2, {}
    for name, length in spec.fixed:
        value = text[position : position + length]
        if len(value) != length:
            raise SipError(
                f"message {code} ({spec.name}): {name} is missing or shorter than {length}"
            )
        if length == DATE_LENGTH and not _DATE_FIELD.match(value):
            raise SipError(
                f"message {code} ({spec.name}): {name} is not a date (YYYYMMDDZZZZHHMMSS)"
            )
        fixed[name] = value
        position += length
    fields = []
    for piece in text[position:].split("|"):
        if not piece:
            continue
        identifier = piece[:2]
        if not _FIELD_ID.match(identifier):
            raise SipError(
                f"message {code} ({spec.name}): {identifier!r} is not a field identifier"
            )
        fields.append((identifier, piece[2:]))
    return Message(code=code, fixed=fixed, fields=tuple(fields), sequence=sequence)


def _clean(value: str) -> str:
    """A value can hold neither the field separator nor the terminator."""
    return value.replace("|", "/").replace("\r", " ").replace("\n", " ")


def body(code: str, fixed: Sequence[str], fields: Sequence[tuple[str, str | None]]) -> str:
    """A response without its error detection: its fixed fields as given (already their exact
    lengths), then each variable field whose value is not None (absent rather than blank)."""
    text = code + "".join(fixed)
    return text + "".join(
        f"{identifier}{_clean(value)}|" for identifier, value in fields if value is not None
    )


def seal(text: str, *, sequence: str | None = None, encoding: str = "utf-8") -> bytes:
    """A response body made ready to send: AY (when the request had one), AZ and the
    checksum, which responses always carry, and the terminator."""
    text += (f"AY{sequence}" if sequence is not None else "") + "AZ"
    text += checksum(text, encoding=encoding) + TERMINATOR
    return text.encode(encoding, errors="replace")


def render(
    code: str,
    fixed: Sequence[str],
    fields: Sequence[tuple[str, str | None]],
    *,
    sequence: str | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """A whole response (body, then seal)."""
    return seal(body(code, fixed, fields), sequence=sequence, encoding=encoding)


# Fields that carry a secret: a login password, a terminal password, a patron's PIN.
_SECRET = re.compile(r"(CO|AC|AD)[^|]*")


def redact(raw: bytes, *, limit: int = 300) -> str:
    """A request as it may be written to a log: at most `limit` characters, undecodable bytes
    escaped, and whatever follows CO, AC or AD up to the next `|` masked. Masking every such
    pair, wherever it stands, also masks some harmless text (a title with "AD" in it): a log
    may lose a word, never a secret, even in a request too broken to be parsed."""
    text = raw[: limit * 4].decode("utf-8", errors="backslashreplace")[:limit]
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return _SECRET.sub(lambda m: f"{m.group(1)}***", text)


def sip_date(moment: datetime, zone: tzinfo) -> str:
    """The spec's 18-character date: local time at the site, four blanks for the zone."""
    local = moment.astimezone(zone)
    return f"{local:%Y%m%d}    {local:%H%M%S}"


def parse_date(value: str, zone: tzinfo) -> datetime | None:
    """A date from a request: None when blank; `   Z` in the zone field means UTC, anything
    else the site's local time."""
    if not value.strip():
        return None
    if len(value) != DATE_LENGTH:
        raise SipError(f"a date has {DATE_LENGTH} characters, not {len(value)}")
    try:
        naive = datetime.strptime(value[:8] + value[12:], "%Y%m%d%H%M%S")  # noqa: DTZ007 - zone below
    except ValueError:
        raise SipError(f"{value!r} is not a date in the form YYYYMMDDZZZZHHMMSS") from None
    return naive.replace(tzinfo=UTC if value[8:12].strip() == "Z" else zone)
