"""The SIP2 server (the "ACS"): an asyncio TCP listener, optionally TLS, that reads requests
ended by a carriage return and answers each through handlers.Session.

The services are synchronous Django code, so each request is answered on a small pool of
worker threads, or, on SQLite, by the one answering process (answering.py) that the server
hands it to; the event loop only reads, writes and keeps time. A patron's PIN is compared
with its hash first on a thread of its own (Session.pin_to_compare), so that the couple of
milliseconds it takes do not hold up the other kiosks' requests. A connection's requests are
answered one after another, in order. Limits (issue #5, "Security" and "Bad input"): a request
longer than MAX_REQUEST bytes, or a connection silent for longer than the idle timeout, is
closed cleanly; nothing a kiosk sends can raise out of a connection or stop the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connections

from octavo.interfaces.sip2.answering import Link
from octavo.interfaces.sip2.codec import MAX_LENGTH
from octavo.interfaces.sip2.handlers import Reply, Session

log = logging.getLogger("octavo.sip2")

DEFAULT_PORT = 6001
MAX_REQUEST = MAX_LENGTH * 4  # bytes: MAX_LENGTH characters of up to four UTF-8 bytes each
IDLE_TIMEOUT = 600.0  # seconds; kiosks send a 99 every few minutes to stay connected
WORKERS = 1  # threads per process: see default_processes


def default_processes(*, answering: bool) -> int:
    """Processes reading kiosk connections. With an answering process (SQLite), one fewer
    than the cores, at least 1 (at most 8): the answering process takes a core of its own.
    Otherwise (PostgreSQL) one more than the cores, each answering with one worker thread:
    two threads of one process hand Python's lock back and forth on every statement, and the
    process over the core count answers while another hashes a PIN or waits for a lock
    (docs/benchmarks.md, SIP2)."""
    cores = os.cpu_count() or 1
    return max(1, min(cores - 1, 8)) if answering else min(cores + 1, 8)


class PlaintextRefused(ValueError):
    """A plain-text listener on an address other than loopback, not explicitly allowed."""


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen:
        """`HOST:PORT`, `[IPv6]:PORT`, `:PORT` (every address) or `PORT` (loopback)."""
        host, colon, port = text.strip().rpartition(":")
        if not colon:
            host = "127.0.0.1"
        elif not host:
            host = "0.0.0.0"  # noqa: S104 - ":PORT" asks for every address
        try:
            number = int(port)
        except ValueError:
            raise ValueError(f"--listen {text!r}: the port must be a number") from None
        if not 0 <= number <= 65535:
            raise ValueError(f"--listen {text!r}: the port must be 0 to 65535")
        return cls(host.strip("[]"), number)

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


class Server:
    def __init__(
        self,
        listen: Listen,
        *,
        tls: ssl.SSLContext | None = None,
        allow_plaintext: bool = False,
        idle_timeout: float = IDLE_TIMEOUT,
        workers: int = WORKERS,
        answering: str | None = None,
    ):
        if tls is None and not listen.loopback and not allow_plaintext:
            raise PlaintextRefused(
                f"a plain-text listener on {listen.host} would send PINs and passwords in the "
                "clear: give --tls-cert and --tls-key, or --allow-plaintext if the network "
                "between the kiosks and this server is trusted"
            )
        self.listen = listen
        self.tls = tls
        self.idle_timeout = idle_timeout
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sip2")
        # PINs are compared here first (Session.pin_to_compare), off the threads that answer.
        self.pin_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sip2-pin")
        # The answering process's socket (answering.py): requests are answered there, not on
        # this process's worker threads. `lost` is called if that process goes away.
        self.answering = answering
        self.link: Link | None = None
        self.lost: Callable[[], None] | None = None
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._open: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    async def start(self, sock: socket.socket | None = None) -> tuple[str, int]:
        """Listen, on `sock` when given (a socket bound before worker processes were forked);
        returns the address and port actually bound (port 0 picks a free one)."""
        if self.answering is not None:
            self.link = await Link.connect(self.answering, self._lost)
        if sock is not None:
            self._server = await asyncio.start_server(
                self._connection, sock=sock, ssl=self.tls, limit=MAX_REQUEST
            )
        else:
            self._server = await asyncio.start_server(
                self._connection,
                self.listen.host,
                self.listen.port,
                ssl=self.tls,
                limit=MAX_REQUEST,
                reuse_address=True,
            )
        bound = self._server.sockets[0].getsockname()
        return bound[0], bound[1]

    async def serve_forever(self) -> None:
        assert self._server is not None  # noqa: S101 - start() first
        async with self._server:
            await self._server.serve_forever()

    async def stop(self) -> None:
        """Stop listening, close the connections still open (each ends as on a kiosk's
        hang-up, its request in hand answered first) and the worker threads' databases."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._open.values()):
            writer.close()
        if self._open:
            await asyncio.wait(list(self._open), timeout=10)
        if self._server is not None:
            await self._server.wait_closed()
        if self.link is not None:
            await self.link.aclose()  # the worker threads never ran: nothing of theirs to close
        else:
            self._close_database_connections()
        self.pool.shutdown(wait=True)
        self.pin_pool.submit(connections.close_all).result()
        self.pin_pool.shutdown(wait=True)

    def _close_database_connections(self) -> None:
        """Close every worker thread's database connection (Django keeps one per thread): one
        job per worker, each held at a barrier until all are running, so that no thread runs
        two and none is missed. One job alone closed one thread's and left the others open
        (idle sessions on PostgreSQL until the process ends)."""
        barrier = threading.Barrier(self.workers)

        def close() -> None:
            connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=10)  # a worker still busy: the others go on

        for job in [self.pool.submit(close) for _ in range(self.workers)]:
            job.result()

    def _lost(self) -> None:
        if self.lost is not None:
            self.lost()

    async def _answer(self, session: Session, number: int, raw: bytes) -> Reply:
        if self.link is not None:
            return await self.link.answer(number, session, raw)
        return await asyncio.get_running_loop().run_in_executor(self.pool, session.answer, raw)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = peer[0] if isinstance(peer, tuple) else None
        session = Session(address=address)
        number = self.link.open(session) if self.link is not None else 0
        self.connections += 1
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is not None:
            self._open[task] = writer
        try:
            while True:
                raw = await self._read(reader, address)
                if raw is None:
                    break
                if not raw.strip(b"\r\n"):
                    continue  # a bare line end between messages
                pin = session.pin_to_compare(raw)
                if pin is not None:
                    await loop.run_in_executor(self.pin_pool, session.compare_pin, pin)
                reply = await self._answer(session, number, raw)
                if reply.data is not None:
                    writer.write(reply.data)
                    await writer.drain()
                if reply.close:
                    log.warning("SIP2 closing the connection from %s", address)
                    break
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as error:
            log.info("SIP2 connection from %s ended: %s", address, error)
        except asyncio.CancelledError:
            # The server is stopping and asyncio cancels the connections still open: each ends
            # like any other. Raised on, Python 3.11's stream callback would ask the cancelled
            # task for its exception and log that as an error, with a traceback.
            log.info("SIP2 connection from %s closed: the server is stopping", address)
        except Exception:
            log.exception("SIP2 connection from %s failed", address)
        finally:
            self.connections -= 1
            if self.link is not None:
                self.link.close(number)
            if task is not None:
                self._open.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()

    async def _read(self, reader: asyncio.StreamReader, address: str | None) -> bytes | None:
        """The next request, its leading line feed (a kiosk ending messages with CR LF) taken
        off; None when the connection should close."""
        try:
            async with asyncio.timeout(self.idle_timeout):  # no task per read, as wait_for makes
                raw = await reader.readuntil(b"\r")
        except TimeoutError:
            log.info("SIP2 connection from %s idle for %.0f s: closed", address, self.idle_timeout)
            return None
        except asyncio.IncompleteReadError as error:
            if error.partial.strip():
                log.warning(
                    "SIP2 connection from %s closed in the middle of a request (%d bytes)",
                    address,
                    len(error.partial),
                )
            return None
        except asyncio.LimitOverrunError:
            log.warning(
                "SIP2 request from %s longer than %d bytes: connection closed", address, MAX_REQUEST
            )
            return None
        return raw.lstrip(b"\n")


# --- several processes --------------------------------------------------------------------------
# One process answers on one core at a time (Python's lock), and the answers are Python: on a
# machine with more cores, worker processes each listen on the same port with a socket of their
# own (SO_REUSEPORT), with their own threads and database connections, and the kernel spreads
# new connections evenly over them. One socket shared by all let the process that woke first
# accept up to 100 waiting connections at once: after 200 kiosks connected together, one of
# three processes answered 101 of them while the others had 49 and 59.
# A connection's session (its login, its patron) lives in the process that answers it: the one
# that accepted it, or on SQLite the answering process (answering.py); what must outlive a
# connection (the answers kept for a resend) is in the database.


def can_share_port() -> bool:
    """Whether several sockets can listen on one port, the kernel spreading connections."""
    return hasattr(socket, "SO_REUSEPORT")


def bind(listen: Listen, *, shared_port: bool = False) -> socket.socket:
    """A listening socket; `shared_port`: on a port other sockets of this server listen on
    too (SO_REUSEPORT), where the system has it."""
    family = socket.getaddrinfo(listen.host, listen.port, type=socket.SOCK_STREAM)[0][0]
    address = (listen.host, listen.port)
    if shared_port and can_share_port():
        return socket.create_server(address, family=family, backlog=1024, reuse_port=True)
    return socket.create_server(address, family=family, backlog=1024)


def prefork(
    first: socket.socket,
    processes: int,
    child: Callable[[socket.socket], int],
    another: Callable[[], socket.socket] | None = None,
    beside: Callable[[], int] | None = None,
) -> None:
    """Run `child(sock)` in `processes` forked processes until SIGTERM or SIGINT, which are
    passed on to them; one that ends on its own is replaced. Returns once all have ended.
    The first process serves on `first`; each other one, and each replacement, on a socket
    of its own from `another()` (bound with `shared_port`), or on `first` as well without it.
    `beside()`, when given, runs in one more process, started first and replaced the same
    way (the answering process); it is given no socket and closes its copy of `first`."""
    children: set[int] = set()
    stopping = False
    spare: list[socket.socket] = [first]
    besides: list[int] = []  # the process running `beside`, once started

    def socket_for_child() -> socket.socket:
        if spare:
            return spare.pop()
        return another() if another is not None else first

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def fork(body: Callable[[], int]) -> int:
        pid = os.fork()
        if pid == 0:  # the child: its own signal handling, never back into the caller
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                code = body()
            except BaseException:
                log.exception("SIP2 worker process %d failed", os.getpid())
            finally:
                os._exit(code)
        children.add(pid)
        return pid

    def spawn_beside() -> None:
        assert beside is not None  # noqa: S101 - only called with one

        def body() -> int:
            first.close()  # a listener nobody here accepts on would still be sent kiosks
            return beside()

        if not stopping:
            besides[:] = [fork(body)]

    def spawn() -> None:
        if stopping:  # asked to stop while the first ones were starting: no more
            return
        try:
            sock = socket_for_child()
        except OSError as error:  # the port taken meanwhile: tried again when one ends
            log.error("SIP2 cannot listen for another worker process: %s", error)
            return
        fork(lambda: child(sock))
        if another is not None:
            # The child's own socket: closed here, so that when the child ends, so does its
            # place in the kernel's share-out (connections are not sent to a socket nobody
            # accepts on).
            sock.close()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if beside is not None:
            spawn_beside()
        for _ in range(processes):
            spawn()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            children.discard(pid)
            if not stopping:
                log.warning(
                    "SIP2 worker process %d ended (status %d): starting another", pid, status
                )
                time.sleep(1)  # a process that cannot start does not fork in a tight loop
                if pid in besides:
                    spawn_beside()
                else:
                    spawn()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
