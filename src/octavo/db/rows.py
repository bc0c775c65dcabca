"""One row by key, read without Django's query compiler: the desk's hot path (a scan, the
token of an API request).

Building a query costs Django about half a millisecond of CPU on the 2-core machine, and
SQLite answers these lookups in some tens of microseconds (bench/bench_checkout.py's profile:
SQLite was 4 % of a check-out). A check-out asks for the same few rows every time (the item
and the patron by barcode, the item's open loan), so their SQL is written once per model and
condition and reused. The row comes back as a model instance with the same conversions the
ORM applies (aware datetimes, decimals), through Model.from_db. This package sits below the
domain apps and above shared, which imports no Django.

On SQLite the statements go to the driver's connection itself (octavo.config.sqlite3's
`direct`), their placeholders converted once per statement text, not through Django's cursor
wrapper: the wrapper cost as much again as SQLite's own work on a lookup by key (about 20
microseconds each, a dozen per kiosk request; docs/benchmarks.md, SIP2). Django's errors are
raised all the same, and its cursor is used whenever something watches the statements.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Converter = Callable[[Any, Any, Any], Any]


def _driver(wrapper: BaseDatabaseWrapper) -> sqlite3.Connection | None:
    """The SQLite driver's connection, ready for a statement, when nothing needs Django's
    cursor (octavo.config.sqlite3's `direct`); None otherwise, and on PostgreSQL."""
    direct = getattr(wrapper, "direct", None)
    return direct() if direct is not None else None


@lru_cache(maxsize=1024)
def _qmark(sql: str) -> str:
    """Django's "%s" placeholders as the sqlite3 module's "?" (as Django's cursor does)."""
    converted: str = FORMAT_QMARK_REGEX.sub("?", sql)
    return converted.replace("%%", "%")


def _run(
    wrapper: BaseDatabaseWrapper, sql: str, params: Sequence[Any], fetch: Callable[[Any], T]
) -> T:
    """`fetch(cursor)` after running `sql` with `params` on this thread's connection."""
    driver = _driver(wrapper)
    if driver is None:
        with wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return fetch(cursor)
    with wrapper.wrap_database_errors:
        return fetch(driver.execute(_qmark(sql), params))


def _fetchone(cursor: Any) -> Any:
    return cursor.fetchone()


def _fetchall(cursor: Any) -> Any:
    return cursor.fetchall()


def _key(cursor: Any) -> Any:
    return cursor.lastrowid


def _returned(cursor: Any) -> Any:
    return cursor.fetchone()[0]


def _nothing(cursor: Any) -> None:
    return None


def first(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row `sql` (written by the caller, never user input) returns, as a tuple of
    raw column values (see `converted`), or None."""
    row = _run(connections[DEFAULT_DB_ALIAS], sql, params, _fetchone)
    return None if row is None else tuple(row)


def execute(sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (written by the caller, never user input), which returns nothing."""
    _run(connections[DEFAULT_DB_ALIAS], sql, params, _nothing)


@cache
def _shape(
    model: type[Model], where: str, lock: bool, vendor: str
) -> tuple[str, list[str], list[tuple[int, list[Converter], Any]]]:
    del vendor  # part of the key: the SQL and converters are each database's own
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where} LIMIT 1"  # noqa: S608
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converters = []
    for position, f in enumerate(fields):
        column = f.get_col(meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((position, found, column))
    return sql, [f.attname for f in fields], converters


def one(model: type[M], where: str, params: Sequence[Any], *, lock: bool = False) -> M | None:
    """The first row of `model` where `where` (SQL over the table's own columns, with %s
    placeholders, written by the caller: never user input; it may end in ORDER BY) holds, or
    None; `lock`: FOR UPDATE
    where the database has row locks (SQLite's IMMEDIATE transactions lock the whole file)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    sql, names, converters = _shape(model, where, lock, wrapper.vendor)
    row = _run(wrapper, sql, params, _fetchone)
    if row is None:
        return None
    values = list(row)
    for position, convs, column in converters:
        value = values[position]
        for convert in convs:
            value = convert(value, column, wrapper)
        values[position] = value
    return model.from_db(wrapper.alias, names, values)


def _pk(model: type[Model]) -> Field[Any, Any]:
    return model._meta.pk  # every Octavo model has one


@cache
def _insert_shape(model: type[Model], vendor: str) -> tuple[str, list[Any], bool]:
    del vendor
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    returning = bool(connection.features.can_return_columns_from_insert)
    if returning:
        sql += f" RETURNING {quote(_pk(model).column)}"
    return sql, fields, returning


def create(obj: M) -> M:
    """INSERT `obj` (a new instance) as Model.save() would, and give it its id."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    sql, fields, returning = _insert_shape(type(obj), wrapper.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, True), wrapper) for f in fields]
    obj.pk = _run(wrapper, sql, params, _returned if returning else _key)
    obj._state.adding = False
    obj._state.db = wrapper.alias
    return obj


@cache
def _update_shape(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple[str, list[Any]]:
    del vendor
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    key = quote(_pk(model).column)
    sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {key} = %s"  # noqa: S608
    return sql, fields


def update(obj: Model, names: Sequence[str]) -> None:
    """UPDATE the named fields of `obj` (as save(update_fields=names) would)."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    sql, fields = _update_shape(type(obj), tuple(names), wrapper.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, False), wrapper) for f in fields]
    _run(wrapper, sql, [*params, obj.pk], _nothing)


def values(sql: str, params: Sequence[Any]) -> list[Any]:
    """The first column of every row `sql` (written by the caller, never user input) returns."""
    return [row[0] for row in _run(connections[DEFAULT_DB_ALIAS], sql, params, _fetchall)]


@cache
def _converters(model: type[Model], attname: str, vendor: str) -> tuple[list[Converter], Any]:
    del vendor
    column = model._meta.get_field(attname).get_col(model._meta.db_table)  # type: ignore[union-attr]
    found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    return found, column


def converted(model: type[Model], attname: str, value: Any) -> Any:
    """A raw column value as the ORM would give it for `model.attname` (an aware datetime from
    SQLite's text, a Decimal)."""
    found, column = _converters(model, attname, connection.vendor)
    for convert in found:
        value = convert(value, column, connection)
    return value


def table(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row `sql` (written by the caller, never user input) returns, as tuples of raw
    column values (see `converted`)."""
    return [tuple(row) for row in _run(connections[DEFAULT_DB_ALIAS], sql, params, _fetchall)]


def moment(value: Any) -> Any:
    """A datetime as a query parameter, the way the database stores it."""
    return connection.ops.adapt_datetimefield_value(value)
