"""Bad input on a real socket (issue #5, "Bad input"): seeded mutated and random messages from
three kiosks, every answer read as SIP2 here (its checksum summed byte by byte, not by the
codec), while a fourth kiosk checks an item out and in and must always succeed; then the cases
the issue names one by one. The mutations are bench/bench_sip2_fuzz.py's (the 100,000-message
fuzz run by `python -m bench.run sip2_fuzz`), a smaller seeded share of them."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import socket
import time
from collections.abc import Iterator

import pytest
from bench.bench_sip2_fuzz import Mutator, Target
from bench.sip2_client import Framing
from django.db import OperationalError
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.circulation.models import CirculationEvent
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.sip2.accounts import add_account
from octavo.interfaces.sip2.handlers import HANDLERS
from octavo.interfaces.sip2.server import Listen, Server
from octavo.patrons.services import PatronFields, create_patron

from .conftest import KIOSK_PASSWORD, PIN, Kiosk, Running

pytestmark = pytest.mark.usefixtures("sip2_world")

MESSAGES = 2_000
SEED = 5
CANARY_PIN = "604817293518"
CANARY_PASSWORD = "canary-pass-77"
DATE = "20261201    093000"
BLANK_DATE = " " * 18
MEGABYTE = 1 << 20
# What each request may be answered with: its own response, or 96 (please resend).
RESPONSES = {
    "93": "94", "99": "98", "23": "24", "63": "64", "11": "12", "09": "10", "29": "30",
    "65": "66", "17": "18", "19": "20", "35": "36", "37": "38", "15": "16", "01": "24",
}  # fmt: skip
# Each response's fixed length (SIP2 2.00).
FIXED = {"94": 1, "96": 0, "98": 34, "24": 35, "64": 59, "12": 22, "30": 22, "10": 22, "66": 27,
         "18": 24, "20": 19, "36": 19, "38": 19, "16": 20}  # fmt: skip
_END = re.compile(rb"(?:AY\d)?AZ([0-9A-F]{4})\r\Z")
_FIELDS = re.compile(rb"(?:[A-Z0-9]{2}[^|\r]*\|)*")
# The accounts the fuzz logs in as: (name, password, encoding, PIN required).
ACCOUNTS = (
    ("kiosk1", KIOSK_PASSWORD, "utf-8", True),
    ("dropbox", KIOSK_PASSWORD, "utf-8", False),
    ("es-kiosk", KIOSK_PASSWORD, "cp850", True),
)
TARGET = Target(
    site="NES",
    patrons=("P1001", "P1002", "P1003", "P9999"),
    items=("T2001", "T2002", "T2003", "T2004", "T3001", "NOPE"),
    accounts=ACCOUNTS,
    pin=PIN,
)


def sealed(text: str, sequence: int | None = None) -> bytes:
    data = (text + (f"AY{sequence % 10}" if sequence is not None else "") + "AZ").encode()
    return data + f"{-sum(data) & 0xFFFF:04X}".encode() + b"\r"


def assert_well_formed(request: bytes, answer: bytes) -> None:
    """An answer of the request's type (or 96), its fixed part, fields and checksum right."""
    code = request[:2].decode("ascii", errors="replace")
    allowed = set(FIXED) if code == "97" else {"96", RESPONSES.get(code, "96")}
    got = answer[:2].decode("ascii", errors="replace")
    assert got in allowed, f"{request[:80]!r} answered {answer[:80]!r}"
    end = _END.search(answer)
    assert end is not None, f"no AZ checksum at the end of {answer!r}"
    summed = f"{-sum(answer[: end.start(1)]) & 0xFFFF:04X}".encode()
    assert summed == end.group(1), f"the checksum of {answer!r} does not add up"
    assert b"\r" not in answer[:-1]
    assert len(answer) >= 2 + FIXED[got] + 7 and b"|" not in answer[2 : 2 + FIXED[got]]
    assert _FIELDS.fullmatch(answer[2 + FIXED[got] : end.start()]), f"fields of {answer!r}"


def assert_nothing_crashed(caplog) -> None:
    # Octavo's errors, and any record with an exception. (Not asyncio's "Task was destroyed
    # but it is pending", which an earlier test's server loop, stopped with connections still
    # open, may log when it is collected during this one.)
    errors = [
        r
        for r in caplog.records
        if r.exc_info or (r.levelno >= logging.ERROR and r.name.startswith("octavo"))
    ]
    assert not errors, errors[0].getMessage()
    assert "Traceback" not in caplog.text
    for secret in (PIN, KIOSK_PASSWORD, CANARY_PIN, CANARY_PASSWORD):
        assert secret not in caplog.text


def log_in(kiosk: Kiosk, name: str, password: str, encoding: str = "utf-8") -> None:
    request = (f"9300CN{name}|CO{password}|CPNES|AY0AZ").encode(encoding)
    request += f"{-sum(request) & 0xFFFF:04X}\r".encode()
    assert kiosk.ask(request).startswith(b"941")


class Canary:
    """A kiosk beside the fuzz: each round checks its own item out and in again."""

    def __init__(self, running: Running) -> None:
        self.kiosk = Kiosk(running)
        log_in(self.kiosk, "canary", CANARY_PASSWORD)
        self.sequence = 0
        self.rounds = 0

    def round(self) -> None:
        for text, expected in (
            (f"11NN{DATE}{BLANK_DATE}AONES|AACANARY-P1|ABCANARY-I1|AC|AD{CANARY_PIN}|", b"121"),
            (f"09N{DATE}{BLANK_DATE}APNES|AONES|ABCANARY-I1|AC|", b"101"),
        ):
            self.sequence += 1
            request = sealed(text, self.sequence)
            answer = self.kiosk.ask(request)
            assert_well_formed(request, answer)
            assert answer.startswith(expected), answer
        self.rounds += 1


@pytest.fixture
def canary(sip2_server, sip2_world, cli_actor) -> Iterator[Canary]:
    """A patron, an item of a title of its own and an account the fuzz never names."""
    record = create_record(actor=cli_actor, fields=RecordFields(title="Canary"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=record.pk,
        barcodes=["CANARY-I1"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    create_patron(
        actor=cli_actor,
        fields=PatronFields(
            barcode="CANARY-P1",
            first_name="Cana",
            last_name="Ry",
            patron_type="student",
            site_code="NES",
            pin=CANARY_PIN,
        ),
        at=T0,
    )
    add_account(actor=cli_actor, name="canary", password=CANARY_PASSWORD, site_code="NES", at=T0)
    bird = Canary(sip2_server)
    yield bird
    bird.kiosk.close()


class Fuzzer:
    """One fuzz connection: payloads from a seeded Mutator, answers counted by the server's
    framing (a CR ends a request; bare line ends are none; past 40,000 bytes it closes)."""

    def __init__(self, running: Running, number: int) -> None:
        self.running = running
        self.name, self.password, self.encoding, pin_required = ACCOUNTS[number]
        self.mutator = Mutator(TARGET, random.Random(SEED * 10 + number), pin_required=pin_required)
        self.kiosk: Kiosk | None = None
        self.framing = Framing()
        self.reconnects = 0

    def connect(self) -> Kiosk:
        if self.kiosk is None:
            self.kiosk = Kiosk(self.running)
            log_in(self.kiosk, self.name, self.password, self.encoding)
            self.framing = Framing()
        return self.kiosk

    def drop(self) -> None:
        if self.kiosk is not None:
            self.kiosk.close()
        self.kiosk = None
        self.reconnects += 1

    def step(self) -> int:
        """Send one payload, check its answers; the number of answers."""
        kiosk = self.connect()
        payload = self.mutator.next(self.encoding)
        requests, too_long = self.framing.feed(payload.data)
        try:
            kiosk.send(payload.data)
            for request in requests:
                assert_well_formed(request, kiosk.receive())
        except ConnectionError:  # the server closed it: ten unreadable requests, say
            self.drop()
            return 0
        if too_long:
            assert kiosk.closed(), "a request of more than 40,000 bytes left the connection open"
            self.drop()
        elif payload.then_close:
            self.drop()
        return len(requests)


def test_mutated_and_random_messages_are_answered_well_formed_and_crash_nothing(
    sip2_server, canary, caplog
):
    fuzzers = [Fuzzer(sip2_server, number) for number in range(len(ACCOUNTS))]
    answered = 0
    started = time.monotonic()
    try:
        for number in range(MESSAGES):
            answered += fuzzers[number % len(fuzzers)].step()
            if number % 50 == 0:
                canary.round()
        canary.round()
    finally:
        for fuzzer in fuzzers:
            fuzzer.drop()
    assert answered > MESSAGES / 2  # most payloads were read as requests and answered
    assert canary.rounds == MESSAGES // 50 + 1
    assert_nothing_crashed(caplog)
    assert "SIP2 refused" in caplog.text  # what was refused is logged
    assert time.monotonic() - started < 120


def test_a_1_mb_line_closes_that_connection_and_no_other(kiosk, canary, caplog):
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    with pytest.raises(ConnectionError):
        kiosk.send(b"11" + b"A" * MEGABYTE + b"\r")
        kiosk.receive()
    canary.round()
    assert "longer than 40000 bytes" in caplog.text
    assert_nothing_crashed(caplog)


def test_a_request_without_its_terminator_then_a_close_is_a_clean_close(
    sip2_server, canary, caplog
):
    kiosk = Kiosk(sip2_server)
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    kiosk.send(sealed(f"11NN{DATE}{BLANK_DATE}AONES|AAP1001|ABT2001|AC|AD{PIN}|", 1)[:-1])
    kiosk.socket.shutdown(socket.SHUT_WR)
    assert kiosk.closed()
    kiosk.close()
    canary.round()
    deadline = time.monotonic() + 5
    while "in the middle of a request" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "in the middle of a request" in caplog.text
    assert_nothing_crashed(caplog)


def test_a_request_without_its_terminator_runs_on_into_the_next(kiosk, caplog):
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    first = sealed(f"17{DATE}AONES|ABT2001|", 1)[:-1]
    second = sealed(f"17{DATE}AONES|ABT2002|", 2)
    kiosk.send(first + second)
    assert_well_formed(first, answer := kiosk.receive())
    assert answer.startswith(b"96")  # one request, its checksum wrong: please resend
    assert_nothing_crashed(caplog)


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"11NN2026", id="checkout, transaction date cut short"),
        pytest.param(f"11N{DATE}AONES|AAP1001|".encode(), id="checkout, a fixed field missing"),
        pytest.param(f"63000{DATE}YYY".encode(), id="patron information, summary short"),
        pytest.param(f"09N{DATE}".encode(), id="checkin without its return date"),
        pytest.param(f"37{DATE}01".encode(), id="fee paid, its types missing"),
        pytest.param(f"11NN{DATE}{BLANK_DATE}AONES|AAP1001|AB\xff\xfe|".encode("latin-1"),
                     id="invalid UTF-8"),
        pytest.param(f"11NN{DATE}{BLANK_DATE}AONES|AAP1001|ABT2001\x00|AD{PIN}|".encode(),
                     id="a NUL in a barcode"),
        pytest.param(f"17{DATE}AONES|AB漢字🙂|".encode(), id="non-ASCII barcode"),
        pytest.param(b"ZZ hello", id="unknown message code"),
        pytest.param(b"\xff\xfe\x00\x01", id="random bytes"),
    ],
)  # fmt: skip
def test_a_broken_request_gets_a_well_formed_answer(kiosk, caplog, request_bytes):
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    for request in (request_bytes + b"\r", sealed_bytes(request_bytes, 3)):
        assert_well_formed(request, kiosk.ask(request))
    assert kiosk.ask(sealed("9900302.00", 4)).startswith(b"98Y")  # still served
    assert_nothing_crashed(caplog)


def sealed_bytes(body: bytes, sequence: int) -> bytes:
    data = body + f"AY{sequence}AZ".encode()
    return data + f"{-sum(data) & 0xFFFF:04X}\r".encode()


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999", "1e30"])
def test_a_fee_paid_of_no_real_amount_is_refused(kiosk, caplog, amount):
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    answer = kiosk.ask(sealed(f"37{DATE}0100USDBV{amount}|AONES|AAP1001|AD{PIN}|BKT-{amount}|", 1))
    assert_well_formed(b"37", answer)
    assert answer.startswith(b"38N")
    assert_nothing_crashed(caplog)


@pytest.mark.parametrize("identifier", ["²", "³³", "٣", "9" * 40])
def test_a_fee_or_title_id_that_is_no_plain_number_is_refused(kiosk, caplog, identifier):
    """Found by the 100,000-message fuzz: "²" passes str.isdigit, and int() refuses it."""
    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    pay = f"37{DATE}0100USDBV1.00|AONES|AAP1001|AD{PIN}|CG{identifier}|BKT-{len(identifier)}|"
    answer = kiosk.ask(sealed(pay, 1))
    assert_well_formed(b"37", answer)
    hold = kiosk.ask(sealed(f"15+{DATE}AONES|AAP1001|AD{PIN}|AJ{identifier}|", 2))
    assert_well_formed(b"15", hold)
    assert hold.startswith(b"160")  # no such title
    assert_nothing_crashed(caplog)


def test_stopping_the_server_with_kiosks_connected_logs_no_error(caplog):
    """As `octavo sip2` stops on SIGTERM: the listener closed, then asyncio cancels the
    connections still open; each ends quietly."""

    async def serve_then_stop() -> None:
        server = Server(Listen("127.0.0.1", 0))
        host, port = await server.start()
        connected = [await asyncio.open_connection(host, port) for _ in range(3)]
        connected[0][1].write(b"9900")  # one in the middle of a request
        await asyncio.sleep(0.2)
        await server.stop()

    asyncio.run(serve_then_stop())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


class _Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg's DeadlockDetected carries


def test_a_request_rolled_back_by_a_deadlock_is_run_again(kiosk, monkeypatch, caplog):
    """PostgreSQL breaks a deadlock by rolling one transaction back whole; the kiosk still gets
    its answer, and the change is made once."""
    checkin, calls = HANDLERS["09"], []

    def deadlocked_once(s, m, at):
        calls.append(m.code)
        answer = checkin(s, m, at)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return answer

    log_in(kiosk, "kiosk1", KIOSK_PASSWORD)
    assert kiosk.ask(
        sealed(f"11NN{DATE}{BLANK_DATE}AONES|AAP1001|ABT2001|AC|AD{PIN}|", 1)
    ).startswith(b"121")
    monkeypatch.setitem(HANDLERS, "09", deadlocked_once)
    answer = kiosk.ask(sealed(f"09N{DATE}{BLANK_DATE}APNES|AONES|ABT2001|AC|", 2))
    assert answer.startswith(b"101")
    assert calls == ["09", "09"]
    assert CirculationEvent.objects.filter(kind="check_in").count() == 1
    assert_nothing_crashed(caplog)
