"""On SQLite, one process answers every kiosk (issue #5, "Figures").

SQLite keeps a page cache per connection and throws all of it away at the start of any
transaction that finds the file changed by another connection. With every SIP2 process
answering its own kiosks, each process found the file changed by the others on almost every
request and read its pages again: a message cost each of three processes about twice what
it cost one alone (docs/benchmarks.md, SIP2). One process answering alone keeps its cache,
but its event loop, PIN hashing and answers then share one Python lock on one core.

So on SQLite the work is split (`octavo sip2` decides; server.Server, given the answering
process's socket, answers through a `Link`):
- one *answering process* holds every connection's `Session` and answers each request with
  the handlers, in one thread, one request at a time, with one database connection whose
  cache only its own writes change (a desk's write elsewhere still resets it, rarely);
- the *connection processes* (`--processes`) accept kiosks, read and write their sockets
  (TLS, limits, idle timeouts), compare PINs ahead (Session.compare_pin), and hand each
  request to the answering process over a Unix socket in a directory only this user can
  read, as (connection id, bytes, the PIN compared ahead). The answer comes back with what a
  connection process needs to keep comparing PINs ahead: the logged-in kiosk and the patron
  whose PIN was accepted.

The answering process can stop only with the server: when it ends otherwise (killed), every
session is gone, so each connection process closes its kiosks' connections and ends, and the
server starts both again (prefork); kiosks reconnect and log in as after any dropped line.

Frames on the Unix socket are a 4-byte length and a pickle: both ends are this program, and
nobody else can open the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import selectors
import shutil
import signal
import socket
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

from octavo.interfaces.sip2.accounts import Kiosk
from octavo.interfaces.sip2.handlers import PinAhead, Reply, Session, Verified

log = logging.getLogger("octavo.sip2")

_LENGTH = struct.Struct("!I")
SOCKET_NAME = "answering.sock"
PROCESS_NAME = "sip2-answering"  # what ps shows for it (Linux: /proc/self/comm)
STOP_WAIT = 15.0  # seconds the answering process waits, once stopping, for connections' last


def _frame(message: object) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


@dataclass(frozen=True)
class Answered:
    """An answer as it comes back to the connection process."""

    reply: Reply
    kiosk: Kiosk | None
    verified: Verified | None


class Place:
    """The private directory and listening Unix socket the answering process serves on; made
    by the server before it forks, so that connection processes can connect at once (the
    system queues them until the answering process accepts)."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="octavo-sip2-"))  # mode 0700
        self.path = str(self.directory / SOCKET_NAME)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(64)

    def remove(self) -> None:
        self.listener.close()
        shutil.rmtree(self.directory, ignore_errors=True)


# --- the answering process -------------------------------------------------------------------


def _name_process() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(PROCESS_NAME)


def serve(listener: socket.socket) -> int:
    """The answering process: answer what the connection processes send until SIGTERM, then
    until they have all gone (at most STOP_WAIT seconds more). Returns the exit status."""
    _name_process()
    stopping: list[float] = []  # when SIGTERM came

    def stop(_signum: int, _frame: object) -> None:
        if not stopping:
            stopping.append(time.monotonic())

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the server stops it
    chooser = selectors.DefaultSelector()
    chooser.register(listener, selectors.EVENT_READ)
    links: dict[socket.socket, bytearray] = {}
    sessions: dict[tuple[int, int], Session] = {}
    try:
        while not stopping or (links and time.monotonic() - stopping[0] < STOP_WAIT):
            for key, _events in chooser.select(timeout=1.0):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)  # noqa: S101 - only sockets registered
                if sock is listener:
                    link, _address = listener.accept()
                    links[link] = bytearray()
                    chooser.register(link, selectors.EVENT_READ)
                    continue
                data = b""
                with contextlib.suppress(ConnectionError):
                    data = sock.recv(1 << 20)
                if not data:  # that connection process ended: its kiosks' sessions with it
                    chooser.unregister(sock)
                    del links[sock]
                    for session_key in [k for k in sessions if k[0] == sock.fileno()]:
                        del sessions[session_key]
                    sock.close()
                    continue
                buffer = links[sock]
                buffer += data
                try:
                    # Each answer as soon as it is made: not held back for the others that
                    # arrived with its request.
                    for answer in _answer_all(sock.fileno(), buffer, sessions):
                        sock.sendall(answer)
                except ConnectionError:
                    log.warning("SIP2 connection process gone before its answers")
    finally:
        connections.close_all()
    return 0


def _answer_all(
    link: int, buffer: bytearray, sessions: dict[tuple[int, int], Session]
) -> Iterator[bytes]:
    """Every whole frame in `buffer` done, and taken out of it; yields the answers' frames."""
    while len(buffer) >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(buffer)
        end = _LENGTH.size + length
        if len(buffer) < end:
            break
        kind, number, payload = pickle.loads(bytes(buffer[_LENGTH.size : end]))  # noqa: S301 - our own processes only (see the module's docstring)
        del buffer[:end]
        key = (link, number)
        if kind == "open":
            address, salt = payload
            sessions[key] = Session(address=address, salt=salt)
        elif kind == "close":
            sessions.pop(key, None)
        else:
            yield _frame((number, _answer(sessions.get(key), *payload)))


def _answer(session: Session | None, raw: bytes, ahead: PinAhead | None) -> Answered:
    if session is None:  # cannot happen: every connection opens first; close it if it does
        log.error("SIP2 request for a connection the answering process does not know")
        return Answered(Reply(None, close=True), None, None)
    reply = session.answer(raw, pin_ahead=ahead)
    return Answered(reply, session.kiosk, session.verified)


# --- a connection process's end ----------------------------------------------------------------


class Link:
    """A connection process's line to the answering process (one per process, on its event
    loop). `lost` is called once if the answering process goes away."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        lost: Callable[[], None] | None,
    ) -> None:
        self._writer = writer
        self._waiting: dict[int, asyncio.Future[Answered]] = {}
        self._numbers = itertools.count(1)
        self._lost = lost
        self._gone = False
        self._closing = False
        self._reading = asyncio.create_task(self._read(reader))

    @classmethod
    async def connect(cls, path: str, lost: Callable[[], None] | None = None) -> Link:
        reader, writer = await asyncio.open_unix_connection(path)
        return cls(reader, writer, lost)

    def open(self, session: Session) -> int:
        """Tell the answering process of a new kiosk connection; its number."""
        number = next(self._numbers)
        if not self._gone:  # else its first request is refused (answer), and it is closed
            self._send(("open", number, (session.address, session.salt)))
        return number

    def close(self, number: int) -> None:
        if not self._gone:
            self._send(("close", number, None))

    async def answer(self, number: int, session: Session, raw: bytes) -> Reply:
        """The answer to one request of connection `number` (whose local `session` compared
        its PIN ahead); the session learns the kiosk and the patron accepted."""
        if self._gone:
            raise ConnectionError("the SIP2 answering process has gone")
        waiting = asyncio.get_running_loop().create_future()
        self._waiting[number] = waiting
        self._send(("answer", number, (raw, session.take_pin_ahead())))
        answered: Answered = await waiting
        session.kiosk, session.verified = answered.kiosk, answered.verified
        return answered.reply

    async def aclose(self) -> None:
        self._closing = True
        self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading

    def _send(self, message: object) -> None:
        self._writer.write(_frame(message))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
                number, answered = pickle.loads(await reader.readexactly(length))  # noqa: S301 - see the module's docstring
                waiting = self._waiting.pop(number, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(answered)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            if not self._closing:
                log.error("SIP2 answering process gone (%s): closing this process's kiosks", error)
        finally:
            self._gone = True
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("the SIP2 answering process has gone"))
            self._waiting.clear()
            if self._lost is not None and not self._closing:
                self._lost()
