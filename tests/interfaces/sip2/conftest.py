"""A SIP2 server on a real TCP socket (a free port on loopback), run in a thread with its own
event loop against the test database, and a small world for kiosks: items at North
Elementary, patrons with PINs, and kiosk accounts. The tests commit (the server's threads have
their own database connections), so they use `flushable_append_only`."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection, connections
from tests.conftest import T0

from octavo.catalog.records import RecordFields
from octavo.catalog.services import create_record
from octavo.holdings.services import ItemFields, add_items
from octavo.interfaces.sip2 import answering
from octavo.interfaces.sip2.accounts import add_account
from octavo.interfaces.sip2.server import Listen, Server
from octavo.patrons.services import PatronFields, create_patron

KIOSK_PASSWORD = "kiosk-pass-1"
PIN = "4321"


@dataclass
class Running:
    host: str
    port: int
    server: Server


@pytest.fixture
def sip2_server(flushable_append_only) -> Iterator[Running]:
    with serving(Server(Listen("127.0.0.1", 0), idle_timeout=5.0)) as running:
        yield running


@pytest.fixture
def sip2_answering_server(flushable_append_only) -> Iterator[Running]:
    """The server as `octavo sip2` runs it on SQLite: each request handed over a Unix socket
    to an answering process (a real forked process on the test database's file), which holds
    the connections' sessions."""
    if connection.vendor != "sqlite":
        pytest.skip("the answering process is SQLite's")
    place = answering.Place()
    connections.close_all()  # nothing open crosses the fork
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            code = answering.serve(place.listener)
        finally:
            os._exit(code)
    try:
        with serving(Server(Listen("127.0.0.1", 0), answering=place.path)) as running:
            yield running
    finally:
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        place.remove()
    assert os.waitstatus_to_exitcode(status) == 0  # it stopped cleanly, once the server had


class Kiosk:
    """A raw-bytes SIP2 client: sends what it is given, reads one answer up to the CR."""

    def __init__(self, running: Running):
        self.socket = socket.create_connection((running.host, running.port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def receive(self) -> bytes:
        while b"\r" not in self.buffer:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by the server (buffer {self.buffer!r})")
            self.buffer += chunk
        answer, _, self.buffer = self.buffer.partition(b"\r")
        return answer + b"\r"

    def ask(self, data: bytes) -> bytes:
        self.send(data)
        return self.receive()

    def closed(self) -> bool:
        """True when the server has closed the connection (reads EOF)."""
        try:
            return self.socket.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            return True

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def kiosk(sip2_server) -> Iterator[Kiosk]:
    client = Kiosk(sip2_server)
    yield client
    client.close()


@dataclass
class World:
    records: dict[str, int]


@pytest.fixture
def sip2_world(flushable_append_only, district, cli_actor) -> World:
    """Records and items at North Elementary (NES), patrons with PIN 4321, and the kiosk
    accounts: `kiosk1` (the default permissions), `dropbox` (check-in only, no PIN), `gate`
    (nothing but looking items up), `es-kiosk` (Spanish screens, code page 850)."""
    frog = create_record(actor=cli_actor, fields=RecordFields(title="Frog and Toad"), at=T0)
    owl = create_record(actor=cli_actor, fields=RecordFields(title="Owl at Home"), at=T0)
    add_items(
        actor=cli_actor,
        record_id=frog.pk,
        barcodes=["T2001", "T2002", "T2003"],
        fields=ItemFields(site_code="NES", material_type="book", call_class="E", call_cutter="LOB"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["T2004"],
        fields=ItemFields(site_code="NES", material_type="book"),
        at=T0,
    )
    add_items(
        actor=cli_actor,
        record_id=owl.pk,
        barcodes=["T3001"],
        fields=ItemFields(site_code="SES", material_type="book"),
        at=T0,
    )
    for barcode, first, last, site in (
        ("P1001", "Ana", "Reyes", "NES"),
        ("P1002", "Ben", "Okafor", "NES"),
        ("P1003", "Carla", "Núñez", "SES"),
    ):
        create_patron(
            actor=cli_actor,
            fields=PatronFields(
                barcode=barcode,
                first_name=first,
                last_name=last,
                patron_type="student",
                site_code=site,
                email=f"{first.lower()}@example.org",
                phone="555-0100",
                pin=PIN,
            ),
            at=T0,
        )
    add_account(actor=cli_actor, name="kiosk1", password=KIOSK_PASSWORD, site_code="NES", at=T0)
    add_account(
        actor=cli_actor,
        name="dropbox",
        password=KIOSK_PASSWORD,
        site_code="NES",
        may="checkin",
        pin_required=False,
        at=T0,
    )
    add_account(
        actor=cli_actor, name="gate", password=KIOSK_PASSWORD, site_code="NES", may="", at=T0
    )
    add_account(
        actor=cli_actor,
        name="es-kiosk",
        password=KIOSK_PASSWORD,
        site_code="NES",
        language="es",
        encoding="cp850",
        at=T0,
    )
    return World(records={"frog": frog.pk, "owl": owl.pk})


@contextmanager
def serving(server: Server) -> Iterator[Running]:
    """`server` listening in a thread with its own event loop until the block ends, as
    `sip2_server` runs the plain-text one (for servers built otherwise: TLS)."""
    loop = asyncio.new_event_loop()
    bound: list[tuple[str, int]] = []
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        bound.append(loop.run_until_complete(server.start()))
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield Running(bound[0][0], bound[0][1], server)
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
