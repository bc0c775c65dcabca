"""What a stopped SIP2 server leaves behind: no database session of its worker threads
(PostgreSQL shows them; SQLite has no sessions to count)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from octavo.district.models import Site
from octavo.interfaces.sip2.server import Listen, Server

from .conftest import serving


def sessions() -> int:
    """Database sessions other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def test_a_stopped_server_closes_every_worker_threads_database_session(flushable_append_only):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no sessions to count")
    before = sessions()
    server = Server(Listen("127.0.0.1", 0), workers=3)
    with serving(server):
        # After a busy morning every worker has answered a request, with a session each.
        everyone = threading.Barrier(server.workers)

        def answer_something() -> None:
            Site.objects.count()
            everyone.wait(timeout=10)

        for job in [server.pool.submit(answer_something) for _ in range(server.workers)]:
            job.result()
        assert sessions() == before + server.workers
    # A closed session's server process leaves pg_stat_activity a moment after the client
    # hangs up (it exits on its own time): wait for that, briefly, rather than race it.
    deadline = time.monotonic() + 5
    while sessions() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sessions() == before
