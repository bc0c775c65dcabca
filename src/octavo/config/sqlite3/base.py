"""Django's SQLite backend, with writers queued by the kernel instead of polling.

SQLite lets one connection write at a time. A transaction that finds the write lock taken
waits in SQLite's busy handler, which sleeps and tries again (1, 2, 5, 10... up to 100 ms
between tries): with four desks writing at once, a check-out that could have started a
millisecond after the one before it sleeps tens of milliseconds instead, and the slowest
answers pile up (issue #4, "Figures": the tail, from lock waits, is the real work).

Here every transaction (each `transaction.atomic()` block that begins one; all writes through
the services do) first takes an exclusive flock(2) on a file beside the database, and lets it
go when it commits or rolls back. A process waiting for that lock sleeps in the kernel and is
woken the moment it is free, so writers follow each other without gaps, across threads and
processes alike. SQLite's own lock and busy timeout still guard everything else (a single
statement outside a transaction, another program writing the file). An in-memory database has
no file and no lock.

Checkpoints, too, are kept out of the requests. In WAL mode SQLite copies the log back into the
database (a checkpoint, with its fsyncs) inside whichever commit crosses 1,000 pages, so one
scan in a few hundred waited for the disk. Here connections do not checkpoint on commit
(wal_autocheckpoint=0); one background thread per database file, in whichever process holds
the file lock beside it (`-checkpointer.lock`; the other processes' threads wait for it, and
take over when that process ends), asks for a PASSIVE checkpoint every CHECKPOINT_EVERY
seconds: it copies what no reader still needs without taking the write lock, so writers do not
wait for it. When the last connection closes, SQLite checkpoints as it always does.

A passive checkpoint alone never lets the log start again from its beginning under a steady
stream of writes: SQLite rewinds the log only when a writer begins while everything in it has
been copied, and with a commit every few milliseconds one always lands during the checkpoint.
The log then grew without end (2.4 GB after a minute of 200 kiosks), and every commit extended
the file. So once the log holds RESTART_AFTER pages, the thread catches up with passive
checkpoints until what is left is small, then copies the rest while holding the writers' lock
(a couple of milliseconds: the pages written since its last pass); the next writer finds the
log all copied and starts it again from the top, overwriting the file in place.

The desk's hot statements (octavo.db.rows) and the savepoints of nested atomic blocks skip
Django's cursor wrapper and go to the driver's connection (`direct`), after the same checks
the wrapper makes: the wrapper cost as much again as SQLite's own work on a lookup by key.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 1.0  # seconds
RESTART_AFTER = 4096  # pages in the log (16 MiB of 4 KiB pages) before it is started again
CATCH_UP_TO = 64  # pages: a passive pass that found fewer new ones than this has caught up
CATCH_UP_PASSES = 4
READERS_WAITED = 0.02  # seconds, at most, for readers of the old log while writers wait
READERS_POLL = 0.0002  # seconds between looks
LOG_KEPT = 64 * 1024 * 1024  # bytes of log file kept when it starts again (journal_size_limit)
_log = logging.getLogger(__name__)
_checkpointers: dict[tuple[int, str], threading.Thread] = {}  # (process id, database path)
_checkpointers_lock = threading.Lock()
_elected: list[int] = []  # descriptors of the checkpointer locks this process holds


def _forget_checkpointers_after_fork() -> None:
    """A forked child has none of its parent's threads, and must not keep the parent's
    checkpointer lock alive after the parent ends: close its copies of the descriptors
    (closing a copy does not unlock the parent's). The registry's lock is made anew: a
    parent thread may have held it at the fork."""
    global _checkpointers_lock
    _checkpointers_lock = threading.Lock()
    for fd in _elected:
        with contextlib.suppress(OSError):
            os.close(fd)
    _elected.clear()
    _checkpointers.clear()


os.register_at_fork(after_in_child=_forget_checkpointers_after_fork)


def _checkpoint(connection: sqlite3.Connection, mode: str = "PASSIVE") -> tuple[int, int]:
    """One checkpoint: the pages in the log it saw, and how many of them are now copied."""
    _busy, pages, copied = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    return int(pages), int(copied)


def checkpoint(connection: sqlite3.Connection, writers_lock: str) -> int:
    """Copy the log into the database without holding up writers. When the log has grown past
    RESTART_AFTER pages, catch up; then, if nothing holds on to the old log (a long read such
    as a backup keeps the checkpoint from copying everything: it is left alone), copy the last
    few pages under the writers' lock and wait there for the readers still on the old log
    (SQLite's RESTART: they finish within a millisecond or so; at most READERS_WAITED), so
    that the next writer starts the log again. Returns the pages in the log at the last pass
    (-1: another checkpoint was running)."""
    pages, copied = _checkpoint(connection)
    if pages < RESTART_AFTER:
        return pages
    for _ in range(CATCH_UP_PASSES):
        before = pages
        pages, copied = _checkpoint(connection)
        if pages - before < CATCH_UP_TO:  # (fewer: started again meanwhile, or busy)
            break
    if pages < RESTART_AFTER or copied < pages:  # nothing to do now, or a long read holds on
        return pages
    fd = os.open(writers_lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _restart(connection)
    finally:
        os.close(fd)  # and with it the lock


def _restart(connection: sqlite3.Connection) -> int:
    """A RESTART checkpoint, tried again every READERS_POLL seconds while readers are still on
    the old log, for at most READERS_WAITED: SQLite's own busy handler sleeps 1, 2, then 5 ms,
    and a reader a few hundred microseconds from its end held the writers 3 to 8 ms. Returns
    the pages in the log."""
    give_up = time.monotonic() + READERS_WAITED
    while True:
        busy, pages, _copied = connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        if not busy or time.monotonic() >= give_up:
            return int(pages)
        time.sleep(READERS_POLL)


def _checkpoint_forever(path: str) -> None:
    fd = os.open(f"{path}-checkpointer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # until this process ends, or the one holding it does
    _elected.append(fd)
    connection = None
    while True:
        time.sleep(CHECKPOINT_EVERY)
        try:
            if connection is None:
                # No busy handler: a passive checkpoint never waits, and _restart polls.
                connection = sqlite3.connect(path, timeout=0, check_same_thread=False)
            checkpoint(connection, f"{path}-writers.lock")
        except (sqlite3.Error, OSError) as error:  # the file gone (a test database dropped)
            _log.debug("background checkpoint of %s: %s", path, error)
            if connection is not None:
                connection.close()
            connection = None


def start_checkpointer(path: str) -> None:
    """The background checkpointing thread for a database file, in this process: it waits
    until no other process checkpoints that file (a forked worker starts its own, as threads
    do not survive fork)."""
    key = (os.getpid(), os.path.realpath(path))
    with _checkpointers_lock:
        if key in _checkpointers:
            return
        thread = threading.Thread(
            target=_checkpoint_forever, args=(path,), name="sqlite-checkpoint", daemon=True
        )
        _checkpointers[key] = thread
        thread.start()


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writing = False
    # Counts the transactions this connection began: with the number of rows it has changed
    # (sqlite3's total_changes), it tells whether anything can have changed since a value was
    # read in the same transaction (district.selectors.config_token): nobody else writes while
    # an IMMEDIATE transaction holds the lock.
    transactions_begun = 0
    savepoints_undone = 0  # a savepoint rolled back undoes changes total_changes still counts

    def unchanged_since(self) -> tuple[int, int, int] | None:
        """A marker that stays equal while nothing can have changed the database, or None
        outside a transaction (another connection may write at any moment)."""
        if not self.in_atomic_block or self.connection is None:
            return None
        return (self.transactions_begun, self.savepoints_undone, self.connection.total_changes)

    def direct(self) -> sqlite3.Connection | None:
        """The driver's connection, ready for a statement, after every check Django's cursor
        makes (the connection open and healthy, used by its own thread, no broken
        transaction); None when something watches the statements and Django's cursor must run
        them: DEBUG's query log, an execute wrapper, or an event loop in this thread (where
        Django refuses the call, and should)."""
        if self.queries_logged or self.execute_wrappers or asyncio._get_running_loop() is not None:
            return None
        self.close_if_health_check_failed()
        if self.connection is None:
            self.ensure_connection()
        self.validate_thread_sharing()
        self.validate_no_broken_transaction()
        return self.connection  # type: ignore[no-any-return]

    def _on_driver(self, sql: str) -> bool:
        """Run `sql` on the driver's connection (`direct`); False if Django's cursor must."""
        driver = self.direct()
        if driver is None:
            return False
        with self.wrap_database_errors:
            driver.execute(sql)
        return True

    def _savepoint(self, sid: str) -> None:
        if not self._on_driver(self.ops.savepoint_create_sql(sid)):
            super()._savepoint(sid)  # type: ignore[misc] # private in the stubs

    def _savepoint_commit(self, sid: str) -> None:
        if not self._on_driver(self.ops.savepoint_commit_sql(sid)):
            super()._savepoint_commit(sid)  # type: ignore[misc] # private in the stubs

    def _savepoint_rollback(self, sid: str) -> None:
        self.savepoints_undone += 1
        super()._savepoint_rollback(sid)  # type: ignore[misc] # private in the stubs

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if self._lock_path() is not None:
            connection.execute("PRAGMA wal_autocheckpoint=0")
            # A log that grew long (a reader held it) is cut back when it starts again.
            connection.execute(f"PRAGMA journal_size_limit={LOG_KEPT}")
            start_checkpointer(str(self.settings_dict["NAME"]))
        return connection

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db():
            return None
        return f"{name}-writers.lock"

    def _take_writer_lock(self) -> None:
        if self._writer_fd is None:
            path = self._lock_path()
            if path is None:
                return
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._writer_fd, fcntl.LOCK_EX)
        self._writing = True

    def _release_writer_lock(self) -> None:
        if self._writing and self._writer_fd is not None:
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)
        self._writing = False

    def _start_transaction_under_autocommit(self) -> None:
        self.transactions_begun += 1
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc] # private in the stubs
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc] # private in the stubs
        finally:
            self._release_writer_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc] # private in the stubs
        finally:
            self._release_writer_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc] # private in the stubs
        finally:
            self._release_writer_lock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None
