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
(wal_autocheckpoint=0); each process that opens the database runs one background thread that
asks for a PASSIVE checkpoint every CHECKPOINT_EVERY seconds: it copies what no reader still
needs without taking the write lock, so writers never wait for it. When the last connection
closes, SQLite checkpoints as it always does.

The desk's hot statements (octavo.db.rows) and the savepoints of nested atomic blocks skip
Django's cursor wrapper and go to the driver's connection (`direct`), after the same checks
the wrapper makes: the wrapper cost as much again as SQLite's own work on a lookup by key.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base

CHECKPOINT_EVERY = 1.0  # seconds
_log = logging.getLogger(__name__)
_checkpointers: dict[tuple[int, str], threading.Thread] = {}  # (process id, database path)
_checkpointers_lock = threading.Lock()


def _checkpoint_forever(path: str) -> None:
    connection = None
    while True:
        time.sleep(CHECKPOINT_EVERY)
        try:
            if connection is None:
                connection = sqlite3.connect(path, timeout=1, check_same_thread=False)
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the file gone (a test database dropped), a busy moment
            _log.debug("background checkpoint of %s: %s", path, error)
            if connection is not None:
                connection.close()
            connection = None


def start_checkpointer(path: str) -> None:
    """One background checkpointing thread per process and database file (a forked worker
    starts its own: threads do not survive fork)."""
    key = (os.getpid(), os.path.realpath(path))
    with _checkpointers_lock:
        if key in _checkpointers:
            return
        thread = threading.Thread(
            target=_checkpoint_forever, args=(key[1],), name="sqlite-checkpoint", daemon=True
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
