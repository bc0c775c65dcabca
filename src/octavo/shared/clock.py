"""The one place Octavo reads the time. Tests and services pass `at=` instead of calling this."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(tz=UTC)
