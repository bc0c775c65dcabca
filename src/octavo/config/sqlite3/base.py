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
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_fd: int | None = None
    _writing = False

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
