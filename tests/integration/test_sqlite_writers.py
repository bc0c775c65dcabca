"""On SQLite, writers queue for one another on a file lock (octavo.config.sqlite3) instead of
polling in SQLite's busy handler, across threads and processes, and checkpoints happen in the
background, not inside a commit."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction

from octavo.district.models import ClosedDay

pytestmark = [
    # Before any fixture: a committing test skipped on PostgreSQL would still be flushed.
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="the writer lock and the checkpoints are SQLite's",
    ),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 6
HOLD_S = 0.1  # each writer keeps its transaction open this long: far beyond SQLite's patience


def _impatient() -> None:
    """SQLite alone would give up on a locked database after 5 ms."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 5")


def test_writers_wait_their_turn_however_long_the_one_before_them_takes(
    flushable_append_only, district
) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            _impatient()
            start.wait()
            with transaction.atomic():
                ClosedDay.objects.create(site=district.north, day=f"2027-01-0{n + 1}")
                time.sleep(HOLD_S)  # a slow action holding the write lock
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []  # without the queue: "database is locked"
    assert ClosedDay.objects.count() == WRITERS


def test_a_rolled_back_transaction_lets_the_next_writer_in(flushable_append_only, district) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        ClosedDay.objects.create(site=district.north, day="2027-02-01")
        raise RuntimeError("refused")
    done = threading.Event()

    def next_writer() -> None:
        try:
            _impatient()
            with transaction.atomic():
                ClosedDay.objects.create(site=district.north, day="2027-02-02")
            done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=next_writer)
    thread.start()
    thread.join(timeout=30)
    assert done.is_set()
    assert list(ClosedDay.objects.values_list("day", flat=True)) == [date(2027, 2, 2)]


def _in_database_file(path: str, day: str) -> bool:
    """Read the database file alone, ignoring the write-ahead log (SQLite's immutable mode):
    what a checkpoint has copied into it, and nothing else."""
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        found = reader.execute("SELECT 1 FROM district_closedday WHERE day = ?", [day]).fetchall()
    except sqlite3.OperationalError:  # not even the table is in the file yet
        return False
    finally:
        reader.close()
    return bool(found)


def test_commits_leave_checkpoints_to_a_background_thread(flushable_append_only, district) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 0  # no commit stops to copy the log
    path = str(connection.settings_dict["NAME"])
    with transaction.atomic():
        ClosedDay.objects.create(site=district.north, day="2027-03-01", reason="Spring break")
    deadline = time.monotonic() + 30
    while not _in_database_file(path, "2027-03-01") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _in_database_file(path, "2027-03-01")  # copied by the checkpointing thread
