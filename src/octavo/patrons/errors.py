"""Errors raised by patron services."""

from __future__ import annotations

from octavo.shared.errors import InvalidInput


class RosterUnreadable(InvalidInput):
    """The roster as a whole cannot be read (no manifest, no users.csv, another OneRoster
    version...): nothing is imported. Problems on single lines are reported, never raised."""
