"""Values as people read them: in the current language's number and date formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats

from octavo.reports.definitions import Kind, Value

_PLACES = {Kind.NUMBER: 1, Kind.MONEY: 2, Kind.PERCENT: 1}


def shown(value: Value, kind: Kind) -> str:
    """A value as the screen shows it, in the current language's number and date formats."""
    if value is None or value == "":
        return "—" if kind.numeric or kind is Kind.DATE else ""
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, str):
        return value
    if kind is Kind.YEAR:
        return formats.number_format(value, 1 if not _whole(value) else 0, use_l10n=True)
    if kind is Kind.COUNT:
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    if kind in _PLACES:
        return formats.number_format(value, _PLACES[kind], use_l10n=True, force_grouping=True)
    return str(value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral())
