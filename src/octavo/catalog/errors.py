"""Errors raised by catalog services."""

from __future__ import annotations

from octavo.shared.errors import Duplicate


class PossibleDuplicate(Duplicate):
    """Saving would make a second record for the same book; the caller may confirm."""

    def __init__(self, message: str, *, record_ids: list[int]):
        super().__init__(message, field="title")
        self.record_ids = record_ids
