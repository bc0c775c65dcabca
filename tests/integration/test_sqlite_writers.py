"""On SQLite, writers queue for one another on a file lock (octavo.config.sqlite3) instead of
polling in SQLite's busy handler, across threads and processes, and checkpoints happen in the
background, not inside a commit."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date

import pytest
from django.conf import settings
from django.db import connection, transaction

from octavo.config.sqlite3 import base as sqlite_backend
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


def test_the_log_starts_again_though_a_writer_is_always_at_work(
    flushable_append_only, district, monkeypatch
) -> None:
    """SQLite starts the log again only when a writer begins while everything in it has been
    copied. With a commit every few milliseconds (200 kiosks) a writer was always at work when
    a passive checkpoint ended, and the log (the -wal file) grew by every page written: 2.4 GB
    in a minute. The checkpoint now waits its turn with the writers and leaves the log all
    copied for the next one."""
    real_checkpoint = sqlite_backend.checkpoint
    monkeypatch.setattr(sqlite_backend, "checkpoint", lambda connection, lock: 0)  # the thread
    monkeypatch.setattr(sqlite_backend, "RESTART_AFTER", 1)  # pages
    path = str(connection.settings_dict["NAME"])
    ClosedDay.objects.create(site=district.north, day="2028-03-01")
    checkpointer = sqlite3.connect(path, timeout=0, check_same_thread=False)
    at_work, finish, done = threading.Event(), threading.Event(), threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                ClosedDay.objects.create(site=district.north, day="2028-03-02")
                at_work.set()
                finish.wait(timeout=30)
        finally:
            connection.close()

    def checkpoint() -> None:
        real_checkpoint(checkpointer, f"{path}-writers.lock")
        done.set()

    busy = threading.Thread(target=writer)
    busy.start()
    assert at_work.wait(timeout=30)
    thread = threading.Thread(target=checkpoint)
    thread.start()
    thread.join(timeout=1)
    assert not done.is_set()  # it waits for the writer at work
    finish.set()
    busy.join(timeout=30)
    thread.join(timeout=30)
    assert done.is_set()
    salts = _log_salts(path)
    ClosedDay.objects.create(site=district.north, day="2028-03-03")
    assert _log_salts(path) != salts  # the next writer started the log again
    checkpointer.close()


def _log_salts(path: str) -> bytes:
    """The salts in the log's header (bytes 16-23 of the -wal file): new each time SQLite
    starts the log again from its beginning."""
    try:
        with open(f"{path}-wal", "rb") as log:
            return log.read(24)[16:24]
    except FileNotFoundError:
        return b""


def test_a_long_read_such_as_a_backup_does_not_hold_up_the_writers(
    flushable_append_only, district, monkeypatch
) -> None:
    """While a read holds on to the old log (`sqlite3 .backup`, a long report) the log cannot
    start again: the checkpoint must not take the writers' lock to wait for it."""
    monkeypatch.setattr(sqlite_backend, "RESTART_AFTER", 1)
    path = str(connection.settings_dict["NAME"])
    writers_lock = f"{path}-writers.lock"
    ClosedDay.objects.create(site=district.north, day="2028-02-01")
    backup = sqlite3.connect(path, isolation_level=None)
    backup.execute("BEGIN")
    backup.execute("SELECT count(*) FROM district_closedday").fetchall()  # its snapshot, kept
    ClosedDay.objects.create(site=district.north, day="2028-02-02")
    checkpointer = sqlite3.connect(path, timeout=0, check_same_thread=False)
    held = os.open(writers_lock, os.O_RDWR)
    fcntl.flock(held, fcntl.LOCK_EX)  # a writer at work
    try:
        done = threading.Event()

        def run() -> None:
            sqlite_backend.checkpoint(checkpointer, writers_lock)
            done.set()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=30)
        assert done.is_set()  # it did not wait for the writer: the backup holds the old log

        backup.execute("COMMIT")  # the backup done, the next checkpoint waits its turn
        done.clear()
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=1)
        assert not done.is_set()
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)
    thread.join(timeout=30)
    assert done.is_set()
    salts = _log_salts(path)
    ClosedDay.objects.create(site=district.north, day="2028-02-03")
    assert _log_salts(path) != salts  # this write started the log again
    checkpointer.close()
    backup.close()


# A worker process forked by `octavo sip2`: the process that forked it held the checkpointer
# lock, and then ends (killed, or crashed) while the worker goes on writing.
_FORKED = textwrap.dedent(
    """
    import os, sqlite3, sys, time
    from octavo.config.sqlite3 import base

    path = sys.argv[1]
    base.start_checkpointer(path)
    while not base._elected:  # this process checkpoints the file
        time.sleep(0.01)
    if os.fork():
        os._exit(0)  # ends at once, nothing cleaned up
    base.start_checkpointer(path)  # the worker's own thread, waiting for the lock
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA wal_autocheckpoint=0")  # as every Octavo connection
    while os.getppid() != 1 and not base._elected:
        time.sleep(0.01)  # until the parent has gone
    db.execute("INSERT INTO kept (day) VALUES ('2029-04-05')")
    deadline = time.monotonic() + 20
    while not base._elected and time.monotonic() < deadline:
        time.sleep(0.05)
    print("elected" if base._elected else "never elected", flush=True)
    sys.stdin.read()  # its connection open until the test is done: no checkpoint on close
    os._exit(0)
    """
)


def test_a_forked_worker_checkpoints_once_the_process_before_it_ends(tmp_path) -> None:
    path = str(tmp_path / "forked.sqlite3")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE kept (day TEXT)")
    db.commit()
    db.close()
    script = tmp_path / "forked.py"
    script.write_text(_FORKED)
    worker = subprocess.Popen(
        [sys.executable, str(script), path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "elected"
        # In the database file itself, not only in the log: the worker's thread copied it.
        deadline = time.monotonic() + 30
        while not _kept_in_file(path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _kept_in_file(path)
    finally:
        assert worker.stdin is not None
        worker.stdin.close()  # the worker ends at the end of its input
        worker.kill()  # the first process, should it still be there
        worker.wait()


def _kept_in_file(path: str) -> bool:
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return reader.execute("SELECT day FROM kept").fetchall() == [("2029-04-05",)]
    finally:
        reader.close()
