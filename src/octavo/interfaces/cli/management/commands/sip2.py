"""`octavo sip2 [--listen HOST:PORT] [--tls-cert PEM --tls-key PEM] [--allow-plaintext]`:
the SIP2 server for self-check kiosks, book drops and gates (issue #5; docs/operators/sip2.md).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
from typing import Any

from django.core.management.base import CommandParser
from django.db import connections

from octavo.interfaces.cli.base import OctavoCommand
from octavo.interfaces.sip2 import answering
from octavo.interfaces.sip2.server import (
    DEFAULT_PORT,
    IDLE_TIMEOUT,
    WORKERS,
    Listen,
    PlaintextRefused,
    Server,
    bind,
    can_share_port,
    default_processes,
    prefork,
    tls_context,
)


class Command(OctavoCommand):
    help = "Run the SIP2 server (default 127.0.0.1:6001)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--listen",
            default=f"127.0.0.1:{DEFAULT_PORT}",
            help=f"HOST:PORT to listen on (default 127.0.0.1:{DEFAULT_PORT})",
        )
        parser.add_argument("--tls-cert", help="PEM certificate (chain) for TLS")
        parser.add_argument("--tls-key", help="PEM private key for TLS")
        parser.add_argument(
            "--allow-plaintext",
            action="store_true",
            help="allow a plain-text listener on an address other than loopback",
        )
        parser.add_argument(
            "--idle-timeout",
            type=float,
            default=IDLE_TIMEOUT,
            help=f"seconds a silent connection stays open (default {IDLE_TIMEOUT:.0f})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=WORKERS,
            help=f"threads answering requests in each process (default {WORKERS}; "
            "PostgreSQL only: on SQLite one process answers)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="processes sharing the listener (default on SQLite: one fewer than the cores, "
            "at least 1; on PostgreSQL one more than the cores; at most 8)",
        )

    def run(self, **options: Any) -> None:
        try:
            listen = Listen.parse(options["listen"])
        except ValueError as error:
            self.fail(str(error))
        if bool(options["tls_cert"]) != bool(options["tls_key"]):
            self.fail("--tls-cert and --tls-key go together")
        tls = None
        if options["tls_cert"]:
            try:
                tls = tls_context(options["tls_cert"], options["tls_key"])
            except (OSError, ssl.SSLError) as error:
                self.fail(f"TLS: cannot load the certificate and key: {error}")
        try:
            server = Server(
                listen,
                tls=tls,
                allow_plaintext=options["allow_plaintext"],
                idle_timeout=options["idle_timeout"],
                workers=options["workers"],
            )
        except PlaintextRefused as error:
            self.fail(str(error))
        # On SQLite one process answers every kiosk, the others read and write the sockets
        # (answering.py says why); on PostgreSQL each process answers its own kiosks.
        split = connections["default"].vendor == "sqlite"
        processes = options["processes"] or default_processes(answering=split)
        if processes < 1 or options["workers"] < 1:
            self.fail("--processes and --workers are at least 1")
        try:
            sock = bind(listen, shared_port=processes > 1)
        except OSError as error:
            self.fail(f"cannot listen on {listen.host}:{listen.port}: {error}")
        host, port = sock.getsockname()[:2]
        self.stdout.write(
            f"SIP2 server listening on {host}:{port} ({'TLS' if tls else 'plain text'})",
        )
        self.stdout.flush()
        connections.close_all()  # nothing open crosses a fork
        # Each further process listens on the same port with a socket of its own, where the
        # system can (server.bind); else all share this one.
        bound = Listen(listen.host, port)
        another = (lambda: bind(bound, shared_port=True)) if can_share_port() else None
        if split:
            place = answering.Place()
            server.answering = place.path

            def serve(own: socket.socket) -> int:
                place.listener.close()  # the answering process's, inherited
                return asyncio.run(_serve(server, own))

            try:
                prefork(
                    sock, processes, serve, another, beside=lambda: answering.serve(place.listener)
                )
            finally:
                place.remove()
        elif processes == 1:
            asyncio.run(_serve(server, sock))
        else:
            prefork(sock, processes, lambda own: asyncio.run(_serve(server, own)), another)
        sock.close()
        self.stdout.write("SIP2 server stopped")


async def _serve(server: Server, sock: socket.socket) -> int:
    """Serve on `sock` until SIGINT or SIGTERM, then close the connections and stop; or until
    the answering process goes away (exit status 1: the server starts this process again)."""
    stop = asyncio.Event()
    lost: list[bool] = []

    def answering_lost() -> None:
        lost.append(True)
        stop.set()

    server.lost = answering_lost
    await server.start(sock)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    serving = asyncio.create_task(server.serve_forever())
    await stop.wait()
    serving.cancel()
    await server.stop()
    return 1 if lost else 0
