"""From notice log rows to what a template sees: the rows of one patron, kind, site and day are
one message (an e-mail or a printed page) listing their items; the facts (titles, due dates,
amounts) are read for many messages at once and formatted in the patron's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import TemplateError
from jinja2.exceptions import SecurityError

from octavo.circulation.models import Loan
from octavo.db import rows
from octavo.fines.selectors import balance
from octavo.holds.models import Hold
from octavo.notices.rendering import Compiled, Rendered
from octavo.notices.rules import (
    LANGUAGES,
    About,
    ItemFields,
    NoticeContext,
    NoticeKind,
    PatronFields,
    SiteFields,
)
from octavo.notices.selectors import CHUNK, default_source, template_sources


@dataclass(frozen=True, slots=True)
class Row:
    """One notice log row, as the sender and the printer read it."""

    id: int
    patron_id: int
    kind: NoticeKind
    about: About
    object_id: int
    site_id: int
    day: date
    language: str
    template_id: int | None
    addresses: str
    attempts: int


ROW_COLUMNS = (
    "id, patron_id, kind, object_type, object_id, site_id, day, language, template_id, "
    "addresses, attempts"
)


def row_of(values: Sequence[Any]) -> Row:
    pk, patron_id, kind, about, object_id, site_id, day, language, template_id, to, tries = values
    return Row(
        id=int(pk),
        patron_id=int(patron_id),
        kind=NoticeKind(kind),
        about=About(about),
        object_id=int(object_id),
        site_id=int(site_id),
        day=day if isinstance(day, date) else date.fromisoformat(str(day)),
        language=language if language in LANGUAGES else "en",
        template_id=int(template_id) if template_id is not None else None,
        addresses=to,
        attempts=int(tries),
    )


@dataclass
class Message:
    """The rows that go out together."""

    patron_id: int
    kind: NoticeKind
    site_id: int
    day: date
    language: str
    template_id: int | None
    addresses: str
    rows: list[Row] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rows]

    @property
    def attempts(self) -> int:
        return max(r.attempts for r in self.rows)


def messages_of(notices: Iterable[Row]) -> list[Message]:
    grouped: dict[tuple[int, str, int, date], Message] = {}
    for r in notices:
        key = (r.patron_id, r.kind.value, r.site_id, r.day)
        message = grouped.get(key)
        if message is None:
            message = grouped[key] = Message(
                r.patron_id, r.kind, r.site_id, r.day, r.language, r.template_id, r.addresses
            )
        message.rows.append(r)
    return list(grouped.values())


# --- facts ------------------------------------------------------------------------------------


@dataclass
class Facts:
    patrons: dict[int, tuple[PatronFields, int, str]] = field(default_factory=dict)
    sites: dict[int, tuple[SiteFields, ZoneInfo]] = field(default_factory=dict)
    loans: dict[int, tuple[str, str, str, datetime]] = field(default_factory=dict)
    holds: dict[int, tuple[str, str, int, datetime | None]] = field(default_factory=dict)
    charges: dict[int, tuple[str, str, Decimal]] = field(default_factory=dict)
    balances: dict[int, Decimal] = field(default_factory=dict)
    cards: dict[int, date | None] = field(default_factory=dict)


def _in(sql: str, ids: Iterable[int]) -> Iterator[tuple[Any, ...]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        yield from rows.table(sql.replace("(?)", f"({marks})"), chunk)


def _call_number(prefix: str, klass: str, cutter: str, volume: str, copy: str) -> str:
    text = " ".join(p for p in (prefix, klass, cutter, volume) if p)
    return f"{text} c.{copy}" if copy else text


def read_facts(messages: Sequence[Message]) -> Facts:
    facts = Facts()
    by_about: dict[About, set[int]] = defaultdict(set)
    for m in messages:
        for r in m.rows:
            by_about[r.about].add(r.object_id)
    patron_ids = {m.patron_id for m in messages}
    for pk, first, last, barcode, grade, homeroom, home, card in _in(
        "SELECT id, first_name, last_name, barcode, grade, homeroom, home_site_id, card_expires "
        "FROM patrons_patron WHERE id IN (?)",
        patron_ids,
    ):
        facts.patrons[pk] = (PatronFields(first, last, barcode, grade, homeroom), home, homeroom)
        facts.cards[pk] = (
            card if card is None or isinstance(card, date) else date.fromisoformat(card)
        )
    for pk, code, name, address, zone in rows.table(
        "SELECT id, code, name, address, time_zone FROM district_site", []
    ):
        facts.sites[pk] = (SiteFields(code, name, address), ZoneInfo(zone))
    for pk, barcode, title, prefix, klass, cutter, volume, copy, due in _in(
        "SELECT l.id, i.barcode, r.title, i.call_prefix, i.call_class, i.call_cutter, "
        "i.call_volume, i.copy_number, l.due_at FROM circulation_loan l "
        "JOIN holdings_item i ON i.id = l.item_id JOIN catalog_record r ON r.id = i.record_id "
        "WHERE l.id IN (?)",
        by_about[About.LOAN],
    ):
        call = _call_number(prefix, klass, cutter, volume, copy)
        facts.loans[pk] = (title, barcode, call, rows.converted(Loan, "due_at", due))
    for pk, title, barcode, pickup, expires in _in(
        "SELECT h.id, r.title, i.barcode, h.pickup_site_id, h.expires_at FROM holds_hold h "
        "JOIN catalog_record r ON r.id = h.record_id "
        "LEFT JOIN holdings_item i ON i.id = h.item_id WHERE h.id IN (?)",
        by_about[About.HOLD],
    ):
        last = rows.converted(Hold, "expires_at", expires) if expires is not None else None
        facts.holds[pk] = (title, barcode or "", pickup, last)
    # A lost charge and the processing fee charged with it (circulation.services.mark_lost).
    for pk, title, barcode, cents in _in(
        "SELECT c.id, r.title, i.barcode, CAST(ROUND(c.amount * 100) AS BIGINT) + COALESCE(("
        "SELECT SUM(CAST(ROUND(f.amount * 100) AS BIGINT)) FROM fines_ledgerentry f "
        "WHERE f.patron_id = c.patron_id AND f.item_id = c.item_id AND f.at = c.at "
        "AND f.kind = 'charge' AND f.charge_type = 'processing'), 0) "
        "FROM fines_ledgerentry c LEFT JOIN holdings_item i ON i.id = c.item_id "
        "LEFT JOIN catalog_record r ON r.id = i.record_id WHERE c.id IN (?)",
        by_about[About.CHARGE],
    ):
        facts.charges[pk] = (title or "", barcode or "", Decimal(int(cents)) / 100)
    for m in messages:
        if m.kind is NoticeKind.FINES and m.patron_id not in facts.balances:
            facts.balances[m.patron_id] = balance(m.patron_id)
    return facts


@lru_cache(maxsize=4096)
def _date(day: date, language: str) -> str:
    return str(format_date(day, format="long", locale=language))


@lru_cache(maxsize=4096)
def _money(amount: Decimal, currency: str, language: str) -> str:
    return str(format_currency(amount, currency, locale=language))


def _item(row: Row, facts: Facts, language: str, currency: str, zone: ZoneInfo) -> ItemFields:
    if row.about is About.LOAN and row.object_id in facts.loans:
        title, barcode, call, due = facts.loans[row.object_id]
        due_day = due.astimezone(zone).date()
        return ItemFields(
            title=title,
            barcode=barcode,
            call_number=call,
            due=_date(due_day, language),
            days_overdue=max(0, (row.day - due_day).days),
        )
    if row.about is About.HOLD and row.object_id in facts.holds:
        title, barcode, pickup, last = facts.holds[row.object_id]
        pickup_site, pickup_zone = facts.sites[pickup]
        return ItemFields(
            title=title,
            barcode=barcode,
            pickup_site=pickup_site.name,
            last_day=_date(last.astimezone(pickup_zone).date(), language) if last else "",
        )
    if row.about is About.CHARGE and row.object_id in facts.charges:
        title, barcode, amount = facts.charges[row.object_id]
        return ItemFields(title=title, barcode=barcode, amount=_money(amount, currency, language))
    return ItemFields(title="")


def context_of(message: Message, facts: Facts, *, currency: str) -> NoticeContext:
    language = message.language
    patron = facts.patrons[message.patron_id][0]
    site, zone = facts.sites[message.site_id]
    items: tuple[ItemFields, ...] = ()
    if message.kind not in (NoticeKind.FINES, NoticeKind.CARD_EXPIRING):
        items = tuple(_item(r, facts, language, currency, zone) for r in message.rows)
    card = facts.cards.get(message.patron_id)
    owed = facts.balances.get(message.patron_id)
    return NoticeContext(
        patron=patron,
        site=site,
        items=items,
        today=_date(message.day, language),
        balance=_money(owed, currency, language) if owed is not None else "",
        card_expires=_date(card, language) if card else "",
    )


class Templates:
    """The compiled templates a run uses: each site's saved version, or the default."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[int | None, str, str], Compiled] = {}

    def load(self, messages: Sequence[Message]) -> None:
        wanted = {m.template_id for m in messages if m.template_id is not None}
        missing = {t for t in wanted if (t, "", "") not in self._compiled}
        for pk, source in template_sources(missing).items():
            self._compiled[(pk, "", "")] = Compiled(source, name=f"template {pk}")

    def render(self, message: Message, context: NoticeContext) -> Rendered:
        """With the site's version; should it fail on real values after passing the sample
        values at save (a value the sample lacks), with the shipped default instead: a notice
        goes out plain rather than not at all."""
        if message.template_id is not None:
            compiled = self._compiled.get((message.template_id, "", ""))
            if compiled is not None:
                try:
                    return compiled.render(context)
                except (TemplateError, SecurityError, LookupError, TypeError, ValueError):
                    pass
        dkey = (None, message.kind.value, message.language)
        default = self._compiled.get(dkey)
        if default is None:
            source = default_source(message.kind, message.language)
            default = self._compiled[dkey] = Compiled(source, name="default")
        return default.render(context)
