"""SIP2 bad input (issue #5, "Bad input"): BENCH_SIP2_FUZZ_MESSAGES (default 100,000) mutated
or random messages against a real `octavo sip2` process, while a canary kiosk checks an item
out and in again every second and must always be answered correctly.

The world is small and made through the services on a fresh SQLite file (or the empty database
that BENCH_SIP2_FUZZ_DATABASE_URL names: `scripts/pg-throwaway sh -c 'BENCH_SIP2_FUZZ_DATABASE_URL=
$OCTAVO_DATABASE_URL python -m bench.run --no-record sip2_fuzz'` fuzzes PostgreSQL): a site, 40
items, 30 patrons with a 12-digit PIN, a canary patron and item the fuzz never names, and four
kiosk accounts: `fuzz-kiosk` (the default permissions, PIN required), `fuzz-open` (every permission,
block and offline included, no PIN required), `fuzz-850` (Spanish, code page 850) and
`canary`. Passwords are hashed as `octavo sip2-account add` hashes them (PBKDF2, 1,000,000
rounds).

BENCH_SIP2_FUZZ_CONNECTIONS (default 8) connections, each logged in as one of the three fuzz
accounts, send one payload at a time from a seeded Mutator: a valid request of a random type
(sealed with a right checksum, with a wrong one, or with no error detection), then truncated,
a field dropped, a `|` dropped, a fixed field a few characters short or long, bytes flipped,
non-ASCII text or invalid UTF-8 put in, a value replaced by an odd one (NaN, 1e999, 5,000
digits, superscript digits, NUL...), a field of 10,000 to 45,000 characters, the message code
changed or unknown, line ends inside, random bytes, two messages in one write, no terminator
(the next payload runs on; or the client closes), 1 MB lines. A client mirrors the server's
framing (bench/sip2_client.Framing) to know how many answers to wait for, checks each one
(sip2_client.flaw: known response code, fixed length, fields, checksum summed here) and its
type, and reconnects whenever the server closes. Logins are 1 in about 1,000 requests: each
one with an unknown name costs the server a full PBKDF2 (0.6 s) by design.

A payload never holds a PIN or password anywhere but in its CO, AC or AD field (one that would
is drawn again), so any PIN or password in the server's log is a leak. Counted: unhandled
exceptions in the server's log (tracebacks, "SIP2 ... failed"), answers not well-formed or of
the wrong type, requests left without an answer on an open connection for ANSWER_TIMEOUT_S,
the server's death, canary failures, PINs and passwords in the log. Any of them fails the run.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench.common import Figure, load_average, percentile
from bench.sip2_client import (
    MAX_REQUEST,
    Framing,
    Link,
    answers_to,
    flaw,
    sealed,
    sip_date,
    start_server,
    stop_server,
)

TIMEOUT_S = 1800
MESSAGES = int(os.environ.get("BENCH_SIP2_FUZZ_MESSAGES", "100000"))
CONNECTIONS = int(os.environ.get("BENCH_SIP2_FUZZ_CONNECTIONS", "8"))
SEED = int(os.environ.get("BENCH_SIP2_FUZZ_SEED", "2026"))
DATABASE_URL = os.environ.get("BENCH_SIP2_FUZZ_DATABASE_URL", "")
KEEP_LOG = os.environ.get("BENCH_SIP2_FUZZ_LOG", "")  # a file to copy the server's log to
ANSWER_TIMEOUT_S = 30.0
CANARY_EVERY_S = 1.0
CANARY_TIMEOUT_S = 10.0
SITE = "FZS"
PIN = "739154820637"
CANARY_PIN = "604817293518"
PASSWORDS = {
    "fuzz-kiosk": "Fz-kiosk-Q7w9e2",
    "fuzz-open": "Fz-open-K3m8x1",
    "fuzz-850": "Fz-850-T5r2p6",
}
CANARY_PASSWORD = "Fz-canary-W4n7b3"
CANARY_PATRON, CANARY_ITEM = "CANARY-P1", "CANARY-I1"
MEGABYTE = 1 << 20

# --- the mutator -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the fuzz names: the world's site, patrons (all with `pin`) and items, and the
    accounts it may log in as: (name, password, encoding, PIN required)."""

    site: str
    patrons: tuple[str, ...]
    items: tuple[str, ...]
    accounts: tuple[tuple[str, str, str, bool], ...]
    pin: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.pin, *(password for _, password, _, _ in self.accounts))


@dataclass(frozen=True)
class Payload:
    data: bytes
    kind: str
    then_close: bool = False  # the client closes the connection after sending it


# Request types and how often each is the starting point. Logins are rare: one with a name
# that is not an account costs the server a full PBKDF2 (0.6 s), as a wrong password would.
TYPES = {"93": 0.1, "99": 3, "23": 8, "63": 10, "11": 15, "09": 12, "29": 6, "65": 4, "17": 10,
         "19": 4, "35": 5, "37": 5, "15": 5, "01": 1, "97": 2}  # fmt: skip
MUTATIONS = {
    "valid": 5, "truncated": 8, "field dropped": 8, "separator dropped": 4, "fixed length": 8,
    "bytes flipped": 10, "non-ASCII": 6, "invalid UTF-8": 6, "odd value": 10, "long field": 4,
    "code changed": 5, "line ends inside": 4, "random bytes": 6, "wrong checksum": 6,
    "no terminator, more follows": 4, "no terminator, then close": 1, "two at once": 3,
    "blank": 1, "1 MB line": 0.1,
}  # fmt: skip
ODD_VALUES = (
    "", " ", "0", "-1", "+1", "00000000000000000000", "9" * 30, "9" * 5000, "1e999", "-1e-999",
    "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1.005", "0.001", "-0.00", "1,00", "1_000",
    "²", "³³", "١٢٣", "\uff11\uff12", "Ⅻ", "\x00", "\x00\x00\x00\x00", "\t", "\x7f", "\x1b[2J",
    "%s", "%(x)s", "{0}", "'; DROP TABLE patrons_patron; --", "\\", "..", "Y", "N", "+", "-", "*",
    "YYYYYYYYYY", "20261301    250000", "00000000    000000", "99991231    235959",
    "20260230    120000", "2026120    09300", "        Z   ", "ñandú", "漢字", "🙂", "\u202e",
    "\ufeff", "İ", "ß" * 40, "AA", "AZ0000", "AY1AZ", "CN", "|", "||||",
)  # fmt: skip
NON_ASCII = ("é", "ñ", "ü", "Ø", "漢字", "🙂", "\u202e", "\u0301", "\x00", "\u2028", "ß", "İ",
             "\ufffd", "ǅ", "\U0010ffff", "\x85")  # fmt: skip
INVALID_UTF8 = (b"\xff", b"\xfe", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x80",
                b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80")  # fmt: skip
LINE_ENDS = (b"\r", b"\n", b"\r\n", b"\n\r", b"\r\r")
UNKNOWN_CODES = ("", "0", "00", "98", "ZZ", "9A", "**", "12", "64", "96", " 9", "9\x00", "é")
_LABELLED = re.compile(rb"(?:CO|AC|AD)[^|\r]*")

Request = tuple[str, list[str], list[tuple[str, str]]]


class Mutator:
    """Payloads for one connection, drawn from `rng` alone (seeded: the same run each time)."""

    def __init__(self, target: Target, rng: random.Random, *, pin_required: bool = True) -> None:
        self.target = target
        self.rng = rng
        self.pin_required = pin_required
        self.types, self.type_weights = list(TYPES), list(TYPES.values())
        self.kinds, self.kind_weights = list(MUTATIONS), list(MUTATIONS.values())

    def next(self, encoding: str = "utf-8") -> Payload:
        while True:
            payload = self._mutated(encoding)
            if not self._exposes_secret(payload.data):
                return payload

    def _exposes_secret(self, data: bytes) -> bool:
        """A PIN or password anywhere but in the value of a CO, AC or AD field."""
        rest = _LABELLED.sub(b"", data)
        return any(secret.encode() in rest for secret in self.target.secrets)

    # --- valid requests ----------------------------------------------------------------------

    def _date(self) -> str:
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.rng.randrange(10**8))
        return sip_date(moment, UTC)

    def valid(self) -> Request:
        r, t = self.rng, self.target
        code = r.choices(self.types, self.type_weights)[0]
        date, blank = self._date(), " " * 18
        patron, item, site = r.choice(t.patrons), r.choice(t.items), t.site
        pin = t.pin if r.random() > 0.03 else str(r.randrange(10**4, 10**12))
        with_pin = self.pin_required or r.random() < 0.2
        person = [("AO", site), ("AA", patron), ("AC", "")] + ([("AD", pin)] if with_pin else [])
        if code == "93":
            name, password, _, _ = r.choice(t.accounts)
            return code, ["0", "0"], [("CN", name), ("CO", password), ("CP", site)]
        if code == "99":
            return code, [r.choice("012"), "030", "2.00"], []
        if code == "23":
            return code, [r.choice(["000", "001", "008"]), date], person
        if code == "63":
            summary = [" "] * 10
            if r.random() < 0.8:
                summary[r.randrange(6)] = "Y"
            fields = [*person, ("BP", "1"), ("BQ", str(r.randint(1, 200)))]
            return code, ["001", date, "".join(summary)], fields
        if code == "11":
            fixed = [
                r.choice("YN"),
                "Y" if r.random() < 0.1 else "N",
                date,
                r.choice([blank, date]),
            ]
            fields = [*person, ("AB", item), ("BO", "N"), ("BI", "Y" if r.random() < 0.1 else "N")]
            return code, fixed, fields
        if code == "09":
            fixed = ["N", date, r.choice([blank, date])]
            return code, fixed, [("AP", site), ("AO", site), ("AB", item), ("AC", ""), ("BI", "N")]
        if code == "29":
            return code, ["N", "N", date, blank], [*person, ("AB", item), ("BO", "N")]
        if code == "65":
            return code, [date], [*person, ("BO", "N")]
        if code == "17":
            return code, [date], [("AO", site), ("AB", item), ("AC", "")]
        if code == "19":
            return code, [date], [("AO", site), ("AB", item), ("AC", ""), ("CH", "3 discs")]
        if code == "35":
            return code, [date], person
        if code == "37":
            fixed = [date, r.choice(["01", "02", "99"]), r.choice(["00", "01", "02"]), "USD"]
            fields = [
                ("BV", r.choice(["0.50", "1.00", "3.25", "100.00"])),
                *person,
                ("CG", str(r.randint(1, 50))),
                ("BK", f"T{r.randrange(10**6)}"),
            ]
            return code, fixed, fields
        if code == "15":
            fixed = [r.choice("+-*"), date]
            fields = [("BW", date), ("BS", site), ("BY", r.choice("23")), *person, ("AB", item)]
            return code, fixed, fields
        if code == "01":
            return code, [r.choice("YN"), date], [("AO", site), ("AL", "misuse"), *person]
        return code, [], []  # 97

    @staticmethod
    def _text(request: Request) -> str:
        code, fixed, fields = request
        return code + "".join(fixed) + "".join(f"{name}{value}|" for name, value in fields)

    def _seal(self, body: bytes, *, right: bool | None = None) -> bytes:
        """A body with a right checksum (and perhaps AY), a wrong one, or none."""
        r = self.rng
        roll = r.random()
        if right is True or (right is None and roll < 0.6):
            data = body + (f"AY{r.randrange(10)}".encode() if r.random() < 0.7 else b"") + b"AZ"
            return data + f"{-sum(data) & 0xFFFF:04X}".encode() + b"\r"
        if right is None and roll < 0.9:
            return body + b"\r"
        data = body + (b"AY" + r.choice([b"1", b"X", b""]) if r.random() < 0.5 else b"") + b"AZ"
        right_sum = -sum(data) & 0xFFFF
        wrong = r.choice(
            [
                f"{(right_sum + r.randrange(1, 0xFFFF)) & 0xFFFF:04X}",
                f"{right_sum:04x}" if f"{right_sum:04x}" != f"{right_sum:04X}" else "GGGG",
                f"{right_sum:03X}",
                f"{right_sum:05X}",
                "",
                "ZZZZ",
            ]
        )
        return data + wrong.encode() + b"\r"

    # --- mutations ---------------------------------------------------------------------------

    def _mutated(self, encoding: str) -> Payload:
        r = self.rng
        kind = r.choices(self.kinds, self.kind_weights)[0]
        code, fixed, fields = self.valid()

        def encode(request: Request) -> bytes:
            return self._text(request).encode(encoding, errors="replace")

        if kind == "valid":
            return Payload(self._seal(encode((code, fixed, fields)), right=True), kind)
        if kind == "truncated":
            whole = self._seal(encode((code, fixed, fields)))
            return Payload(whole[: r.randrange(len(whole))] + b"\r", kind)
        if kind == "field dropped" and fields:
            fields.pop(r.randrange(len(fields)))
        elif kind == "separator dropped":
            body = encode((code, fixed, fields))
            bars = [i for i, byte in enumerate(body) if byte == ord("|")]
            if bars:
                cut = r.choice(bars)
                body = body[:cut] + body[cut + 1 :]
            return Payload(self._seal(body), kind)
        elif kind == "fixed length" and fixed:
            index = r.randrange(len(fixed))
            if r.random() < 0.5:
                fixed[index] = fixed[index][: max(0, len(fixed[index]) - r.randint(1, 3))]
            else:
                fixed[index] += r.choice(["0", " ", "Y", "000"])
        elif kind == "bytes flipped":
            body = bytearray(encode((code, fixed, fields)))
            for _ in range(r.randint(1, 4)):
                body[r.randrange(len(body))] = r.randrange(256)
            return Payload(self._seal(bytes(body)), kind)
        elif kind == "non-ASCII":
            odd = r.choice(NON_ASCII) * r.randint(1, 3)
            if fields and r.random() < 0.7:
                index = r.randrange(len(fields))
                name, value = fields[index]
                at = r.randint(0, len(value))
                fields[index] = (name, value[:at] + odd + value[at:])
            elif fixed:
                index = r.randrange(len(fixed))
                fixed[index] = odd + fixed[index][len(odd) :]
        elif kind == "invalid UTF-8":
            body = encode((code, fixed, fields))
            at = r.randint(2, len(body))
            return Payload(self._seal(body[:at] + r.choice(INVALID_UTF8) + body[at:]), kind)
        elif kind == "odd value":
            odd = r.choice(ODD_VALUES)
            if fields and (r.random() < 0.75 or not fixed):
                index = r.randrange(len(fields))
                fields[index] = (fields[index][0], odd)
            elif fixed:
                fixed[r.randrange(len(fixed))] = odd
        elif kind == "long field":
            size = r.choice([40, 300, 2_000, 9_990, 10_001, 12_000, 39_990, 45_000])
            fields.insert(
                r.randint(0, len(fields)),
                (r.choice(["AF", "AJ", "AA", "AB", "AO", "AL", "BK", "CH"]), r.choice("Aé") * size),
            )
        elif kind == "code changed":
            others = [c for c in TYPES if c not in (code, "93")]
            code = r.choice([*UNKNOWN_CODES, *others])
        elif kind == "line ends inside":
            body = encode((code, fixed, fields))
            for _ in range(r.randint(1, 2)):
                at = r.randint(0, len(body))
                body = body[:at] + r.choice(LINE_ENDS) + body[at:]
            return Payload(self._seal(body), kind)
        elif kind == "random bytes":
            data = r.randbytes(r.randint(0, 300))
            return Payload(data + (b"\r" if r.random() < 0.8 else b""), kind)
        elif kind == "wrong checksum":
            return Payload(self._seal(encode((code, fixed, fields)), right=False), kind)
        elif kind.startswith("no terminator"):
            whole = self._seal(encode((code, fixed, fields)), right=r.random() < 0.5)
            return Payload(whole[:-1], kind, then_close=kind.endswith("close"))
        elif kind == "two at once":
            first = self._seal(encode((code, fixed, fields)))
            return Payload(first + self._seal(encode(self.valid())), kind)
        elif kind == "blank":
            return Payload(r.choice([b"\r", b"\n\r", b"\r\n", b" \r", b"\n", b"\r\r\r"]), kind)
        elif kind == "1 MB line":
            filler = r.choice([b"A" * MEGABYTE, r.randbytes(MEGABYTE).replace(b"\r", b"\n")])
            start = encode((code, fixed, fields))[: r.randint(0, 40)]
            return Payload(start + filler + (b"\r" if r.random() < 0.5 else b""), kind)
        return Payload(self._seal(encode((code, fixed, fields))), kind)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0  # payloads
    requests: int = 0  # requests the server was to answer (framing mirrored)
    answered: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    malformed: list[str] = field(default_factory=list)  # answers not well-formed SIP2
    wrong_type: list[str] = field(default_factory=list)  # well-formed, not the request's type
    hangs: list[str] = field(default_factory=list)  # no answer, connection still open
    closed_by_server: int = 0
    closed_by_client: int = 0
    left_unanswered: int = 0  # requests whose connection the server closed first
    logins: int = 0
    refused_logins: list[str] = field(default_factory=list)
    canary_ms: list[float] = field(default_factory=list)
    canary_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _describe(request: bytes, answer: bytes | None, problem: str) -> str:
    return f"{problem}: request {request[:120]!r} answer {(answer or b'')[:160]!r}"


async def _log_in(port: int, name: str, password: str, encoding: str, tally: Tally) -> Link:
    link = await Link.open("127.0.0.1", port)
    tally.logins += 1
    answer = await link.ask(sealed(f"9300CN{name}|CO{password}|CP{SITE}|", 0, encoding), 60.0)
    if answer is None or not answer.startswith(b"941"):
        tally.refused_logins.append(f"{name}: {answer!r}")
        raise RuntimeError(f"the fuzz account {name} could not log in: {answer!r}")
    return link


async def _fuzz(port: int, number: int, target: Target, budget: list[int], tally: Tally) -> None:
    name, password, encoding, pin_required = target.accounts[number % len(target.accounts)]
    mutator = Mutator(target, random.Random(SEED * 1000 + number), pin_required=pin_required)
    link: Link | None = None
    framing = Framing()
    while budget[0] > 0:
        budget[0] -= 1
        if link is None:
            link, framing = await _log_in(port, name, password, encoding, tally), Framing()
        payload = mutator.next(encoding)
        tally.sent += 1
        tally.kinds[payload.kind] += 1
        requests, too_long = framing.feed(payload.data)
        tally.requests += len(requests)
        open_ = True
        try:
            await link.send(payload.data)
        except ConnectionError:
            open_ = False
        for index, request in enumerate(requests if open_ else []):
            try:
                answer = await link.receive(ANSWER_TIMEOUT_S)
            except TimeoutError:
                tally.hangs.append(_describe(request, None, f"no answer in {ANSWER_TIMEOUT_S:g} s"))
                open_ = False
                break
            if answer is None:
                open_ = False
                tally.left_unanswered += len(requests) - index
                break
            tally.answered += 1
            code = answer[:2].decode("ascii", errors="replace")
            tally.codes[code] += 1
            problem = flaw(answer)
            if problem:
                tally.malformed.append(_describe(request, answer, problem))
            elif code not in answers_to(request):
                tally.wrong_type.append(_describe(request, answer, "an answer of another type"))
        if open_ and too_long:
            try:
                extra = await link.receive(ANSWER_TIMEOUT_S)
            except TimeoutError:
                extra = b"(none)"
            if extra is not None:
                tally.hangs.append(
                    _describe(payload.data, extra, f"not closed after {MAX_REQUEST:,} bytes")
                )
            open_ = False
        if open_ and payload.then_close:
            tally.closed_by_client += 1
            open_ = False
        elif not open_:
            tally.closed_by_server += 1
        if not open_:
            await link.close()
            link = None
    if link is not None:
        await link.close()


async def _canary(port: int, stop: asyncio.Event, tally: Tally) -> None:
    """A kiosk beside the fuzz: a check-out and a check-in every second, each must succeed."""
    link: Link | None = None
    sequence = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            if link is None:
                link = await _log_in(port, "canary", CANARY_PASSWORD, "utf-8", tally)
            for text, expected in (
                (f"11NN{{date}}{' ' * 18}AO{SITE}|AA{CANARY_PATRON}|AB{CANARY_ITEM}|AC|"
                 f"AD{CANARY_PIN}|BON|BIN|", b"121"),
                (f"09N{{date}}{' ' * 18}AP{SITE}|AO{SITE}|AB{CANARY_ITEM}|AC|", b"101"),
            ):  # fmt: skip
                sequence += 1
                request = sealed(text.format(date=sip_date(datetime.now(tz=UTC))), sequence)
                sent = time.perf_counter()
                answer = await link.ask(request, CANARY_TIMEOUT_S)
                tally.canary_ms.append((time.perf_counter() - sent) * 1000)
                if answer is None or flaw(answer) or not answer.startswith(expected):
                    tally.canary_failures.append(_describe(request, answer, "canary"))
                    if answer is None:
                        await link.close()
                        link = None
                        break
        except (TimeoutError, ConnectionError, RuntimeError) as error:
            tally.canary_failures.append(f"canary: {type(error).__name__}: {error}")
            if link is not None:
                await link.close()
            link = None
        await asyncio.sleep(max(0.0, CANARY_EVERY_S - (time.perf_counter() - started)))
    if link is not None:
        await link.close()


async def fuzz(port: int, target: Target) -> Tally:
    tally = Tally()
    stop = asyncio.Event()
    canary = asyncio.create_task(_canary(port, stop, tally))
    await asyncio.sleep(1.5)  # the canary logged in and did its first round
    budget = [MESSAGES]
    started = time.perf_counter()

    async def progress() -> None:
        while True:
            await asyncio.sleep(10)
            _say(f"{MESSAGES - budget[0]:,} of {MESSAGES:,} sent")

    talker = asyncio.create_task(progress())
    try:
        await asyncio.gather(*(_fuzz(port, n, target, budget, tally) for n in range(CONNECTIONS)))
    finally:
        tally.seconds = time.perf_counter() - started
        talker.cancel()
        stop.set()
        await canary
    return tally


def _say(text: str) -> None:
    print(f"sip2_fuzz: {text}", file=sys.stderr, flush=True)


def _world() -> Target:
    """The site, items, patrons and accounts, through the services."""
    import django

    django.setup()
    from django.db import connections

    from octavo.catalog.records import RecordFields
    from octavo.catalog.services import create_record
    from octavo.district.models import Site
    from octavo.district.services import create_site
    from octavo.fines.services import charge
    from octavo.fines.states import ChargeType
    from octavo.holdings.services import ItemFields, add_items
    from octavo.interfaces.sip2.accounts import add_account
    from octavo.patrons.services import PatronFields, create_patron
    from octavo.shared.actor import Actor
    from octavo.shared.clock import now

    actor, at = Actor.command_line("bench"), now()
    create_site(actor=actor, code=SITE, name="Fuzz Elementary", at=at)
    items = [f"FZ-I{n:03d}" for n in range(1, 41)]
    # The canary's item is the only copy of a title of its own: no hold the fuzz places on a
    # title of its items can stand in the canary's way.
    for n, barcodes in enumerate(
        [items[:10], items[10:20], items[20:30], items[30:], [CANARY_ITEM]]
    ):
        record = create_record(actor=actor, fields=RecordFields(title=f"Fuzz title {n}"), at=at)
        add_items(
            actor=actor,
            record_id=record.pk,
            barcodes=barcodes,
            fields=ItemFields(site_code=SITE, material_type="book"),
            at=at,
        )
    patrons = [f"FZ-P{n:03d}" for n in range(1, 31)]
    for barcode, pin in [*((b, PIN) for b in patrons), (CANARY_PATRON, CANARY_PIN)]:
        patron = create_patron(
            actor=actor,
            fields=PatronFields(
                barcode=barcode, first_name="Fuzz", last_name=barcode, patron_type="student",
                site_code=SITE, email="fuzz@example.org", pin=pin,
            ),
            at=at,
        )  # fmt: skip
        if barcode.endswith("0"):  # something to pay
            charge(
                actor=None, patron=patron, charge_type=ChargeType.MANUAL, amount=Decimal(2),
                site=Site.objects.get(code=SITE), at=at,
            )  # fmt: skip
    accounts = (
        ("fuzz-kiosk", PASSWORDS["fuzz-kiosk"], "utf-8", True),
        ("fuzz-open", PASSWORDS["fuzz-open"], "utf-8", False),
        ("fuzz-850", PASSWORDS["fuzz-850"], "cp850", True),
    )
    for name, password, encoding, pin_required in accounts:
        add_account(
            actor=actor, name=name, password=password, site_code=SITE, at=at, encoding=encoding,
            language="es" if encoding == "cp850" else "en", pin_required=pin_required,
            may="checkout,checkin,renew,pay,fines,hold,status,block,offline"
            if not pin_required else None, personal_data=not pin_required,
        )  # fmt: skip
    add_account(actor=actor, name="canary", password=CANARY_PASSWORD, site_code=SITE, at=at)
    connections.close_all()
    return Target(site=SITE, patrons=tuple(patrons), items=tuple(items), accounts=accounts, pin=PIN)


# The server's own words for an unhandled exception (server.py, handlers.py), and asyncio's.
CRASH = re.compile(
    rb"Traceback \(most recent call last\)|^SIP2 (?:\S\S|connection) from \S+ failed"
    rb"|Task exception was never retrieved|Exception in callback",
    re.MULTILINE,
)


WORKER_ENDED = re.compile(rb"^SIP2 worker process \d+ ended", re.MULTILINE)


def _tracebacks(text: bytes) -> dict[str, tuple[int, str]]:
    """Each distinct exception in the log (its last line): how often, and its first traceback
    with the line logged before it."""
    found: dict[str, tuple[int, str]] = {}
    lines = text.decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        end = number + 1
        while end < len(lines) and lines[end].startswith((" ", "Traceback", "During", "The ")):
            end += 1
        ending = lines[end] if end < len(lines) else "(the log ends)"
        count, first = found.get(ending, (0, ""))
        found[ending] = (count + 1, first or "\n".join(lines[max(number - 1, 0) : end + 1]))
    return found


def run() -> list[Figure]:
    import subprocess

    from bench.bench_api_overhead import _octavo

    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp:
        root = Path(tmp)
        (root / "var").mkdir()
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "octavo.config.settings",
                "OCTAVO_VAR_DIR": str(root / "var"),
                "OCTAVO_DATABASE_URL": DATABASE_URL or f"sqlite:///{root / 'octavo.sqlite3'}",
                "OCTAVO_DEBUG": "false",
                "OCTAVO_LOG_LEVEL": "WARNING",  # every refusal is a warning
            }
        )
        _say(f"migrating {'the database given' if DATABASE_URL else 'a fresh SQLite file'}")
        subprocess.run([*_octavo(), "migrate", "--no-input", "--verbosity", "0"], check=True)
        target = _world()
        log = root / "sip2.log"
        server, port = start_server(log)
        try:
            _say(f"{MESSAGES:,} payloads over {CONNECTIONS} connections to 127.0.0.1:{port}")
            tally = asyncio.run(fuzz(port, target))
            died = server.poll() is not None
        finally:
            status = stop_server(server)
        text = log.read_bytes()
        if KEEP_LOG:  # for reading the server's log after the run
            Path(KEEP_LOG).write_bytes(text)
        load = load_average()
    return _report(tally, text, died=died, status=status, target=target, load=load)


def _report(
    tally: Tally, text: bytes, *, died: bool, status: int | None, target: Target, load: str
) -> list[Figure]:
    crashes = CRASH.findall(text)
    # The server's own processes (a connection process, the answering process on SQLite) are
    # started again when one ends, and the server says so: each such end is a death too.
    deaths = int(died) + len(WORKER_ENDED.findall(text))
    secrets = {
        secret: text.count(secret.encode())
        for secret in (*target.secrets, CANARY_PIN, CANARY_PASSWORD)
    }
    leaks = sum(secrets.values())
    refused = text.count(b"SIP2 refused")
    for problem in [*tally.malformed, *tally.wrong_type, *tally.hangs, *tally.canary_failures][:20]:
        _say(problem)
    for ending, (count, traceback) in _tracebacks(text).items():
        _say(f"{count} x {ending}; the first:\n{traceback}")
    _say(f"payloads by mutation: {dict(tally.kinds.most_common())}")
    _say(f"answers by code: {dict(tally.codes.most_common())}")
    canary = tally.canary_ms or [0.0]
    database = DATABASE_URL.split(":", 1)[0] if DATABASE_URL else "SQLite"
    how = (
        f"`octavo sip2` (default workers) on 127.0.0.1, {database}; {tally.sent:,} payloads (seed "
        f"{SEED}) over {CONNECTIONS} connections in {tally.seconds:.0f} s "
        f"({tally.sent / max(tally.seconds, 0.001):,.0f}/s): mutations of valid requests of "
        f"every type, random bytes, 1 MB lines ({tally.kinds['1 MB line']:,}); "
        f"{tally.requests:,} requests by the server's framing, {tally.answered:,} answered "
        f"({dict(tally.codes.most_common(6))}...), {tally.left_unanswered:,} unanswered as the "
        f"server closed; the server closed {tally.closed_by_server:,} connections, the client "
        f"{tally.closed_by_client:,}; {tally.logins:,} logins; {refused:,} refusals logged; "
        f"a canary checked an item out and in every second: {len(tally.canary_ms):,} requests, "
        f"p99 {percentile(canary, 0.99):.0f} ms, slowest {max(canary):.0f} ms; server exit "
        f"status after SIGTERM {status}; {load}"
    )
    figures = [
        Figure("unhandled exceptions in the server's log", len(crashes), "exceptions", how),
        Figure("answers not well-formed SIP2 or of the wrong type",
               len(tally.malformed) + len(tally.wrong_type), "answers", how),
        Figure("requests left hanging on an open connection", len(tally.hangs), "requests", how),
        Figure("server processes that died", deaths, "times", how),
        Figure("canary requests that failed", len(tally.canary_failures),
               f"of {len(tally.canary_ms):,}", how),
        Figure("PINs and passwords in the server's log", leaks, "occurrences", how),
        Figure("canary round trip during the fuzz: p99", percentile(canary, 0.99), "ms", how),
    ]  # fmt: skip
    failures = [f.name for f in figures[:6] if f.value]
    if not died and status != 0:
        failures.append(f"the server did not stop cleanly on SIGTERM (status {status})")
    if failures:
        for figure in figures:
            _say(f"{figure.name}: {figure.value:,.0f} {figure.unit}")
        raise RuntimeError(f"the fuzz found: {'; '.join(failures)}; secrets {secrets}")
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name}: {figure.value:,.2f} {figure.unit}")
