"""Checks every update service makes on the changes it is given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from octavo.shared.errors import InvalidInput


def reject_unknown(changes: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse a change to a field the service does not change, naming the first one."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(unknown)}", field=unknown[0])


def as_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("must be true or false", field=field)
    return value


def as_text(value: object, *, field: str) -> str:
    """A text change, trimmed; `None`, numbers and lists are refused, never stored as "None"."""
    if not isinstance(value, str):
        raise InvalidInput("must be text", field=field)
    return value.strip()


def as_text_list(value: object, *, field: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput("must be a list of text values", field=field)
    return [str(v) for v in value]
