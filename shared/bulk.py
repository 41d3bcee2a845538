"""Bulk writes: many rows of one table in one statement, for the unit of work's outbox and the sweep.

A batch of ~1,000 rows costs more in per-row executemany and SQLAlchemy's per-row parameter processing
than in the database's own work. PostgreSQL gets the rows as one JSON parameter (encoded in C) for
json_populate_recordset(): one short statement, one round trip; psycopg would parse a multi-row VALUES
text, or dump arrays, item by item in Python. SQLite gets plain tuples, converted once per distinct value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows, all with the same keys; columns left out take their defaults."""
    if not rows:
        return
    into = _into(conn, table, rows)
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(f"{into} SELECT {_names(conn, rows)} FROM "
                             f"json_populate_recordset(NULL::{_quote(conn, table.name)}, :rows)"),
                     {"rows": json_rows(rows)})
        return
    conn.exec_driver_sql(f"{into} VALUES ({', '.join('?' * len(rows[0]))})", driver_rows(conn, table, rows))


def insert_new(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> set[str]:
    """Insert many rows, skipping any a unique constraint already holds; returns the ids inserted.

    This is what makes a concurrent or repeated sweep harmless: the second card for a clock and colour
    is simply not written, and no event is published for it.
    """
    if not rows:
        return set()
    into = _into(conn, table, rows)
    if conn.dialect.name == "postgresql":
        statement = sa.text(f"{into} SELECT {_names(conn, rows)} FROM json_populate_recordset("
                            f"NULL::{_quote(conn, table.name)}, :rows) ON CONFLICT DO NOTHING RETURNING id")
        return set(conn.execute(statement, {"rows": json_rows(rows)}).scalars())
    # executemany cannot return rows, so SQLite gets multi-row VALUES within its parameter limit.
    values, inserted = driver_rows(conn, table, rows), set[str]()
    per_statement = max(1, conn.dialect.insertmanyvalues_max_parameters // len(rows[0]))
    for chunk in (values[i:i + per_statement] for i in range(0, len(values), per_statement)):
        placeholders = ", ".join([f"({', '.join('?' * len(rows[0]))})"] * len(chunk))
        inserted.update(conn.exec_driver_sql(f"{into} VALUES {placeholders} ON CONFLICT DO NOTHING RETURNING id",
                                             tuple(v for row in chunk for v in row)).scalars())
    return inserted


def update_versioned(conn: Connection, table: sa.Table, rows: list[dict[str, Any]], *, match: tuple[str, ...],
                     condition: str | None = None) -> int:
    """Update many rows of a table with a ``version`` column; returns how many rows matched.

    Each row's keys in ``match`` select it (``version`` among them makes it an optimistic-lock check); the
    other keys are the new values, and the version is bumped. ``condition`` is extra SQL every updated
    row must also satisfy, with its columns qualified by the table's name.
    """
    if not rows:
        return 0
    name = _quote(conn, table.name)
    assigned = [column for column in rows[0] if column not in match]
    if conn.dialect.name == "postgresql":
        sets = ", ".join(f"{_quote(conn, c)} = v.{_quote(conn, c)}" for c in assigned)
        where = " AND ".join(f"{name}.{_quote(conn, c)} = v.{_quote(conn, c)}" for c in match)
        joined = sa.text(f"UPDATE {name} SET {sets}, version = {name}.version + 1 FROM "
                         f"json_populate_recordset(NULL::{name}, :rows) AS v WHERE {where}"
                         + (f" AND {condition}" if condition else ""))
        return int(conn.execute(joined, {"rows": json_rows(rows)}).rowcount)
    ordered = [{column: row[column] for column in (*assigned, *match)} for row in rows]
    sets = ", ".join(f"{_quote(conn, c)} = ?" for c in assigned)
    where = " AND ".join(f"{name}.{_quote(conn, c)} = ?" for c in match)
    statement = (f"UPDATE {name} SET {sets}, version = {name}.version + 1 WHERE {where}"
                 + (f" AND {condition}" if condition else ""))
    return int(conn.exec_driver_sql(statement, driver_rows(conn, table, ordered)).rowcount)


def json_rows(rows: list[dict[str, Any]]) -> str:
    """The rows as one JSON array of objects, for json_populate_recordset() on PostgreSQL."""
    return _ROWS_ENCODER.encode(rows)


def _json_instant(value: Any) -> str:
    # An ISO 8601 instant with its offset is read exactly; a naive one would be read in the session's
    # zone, so it is refused, as UtcDateTime refuses it.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()
    raise TypeError(f"not a row value: {value!r}")


_ROWS_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_instant)


def driver_rows(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as tuples the driver takes as they are (UtcDateTime as naive UTC text on SQLite)."""
    columns = []
    for name in rows[0]:
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        columns.append(each_once(process, [row[name] for row in rows]))
    return list(zip(*columns, strict=True))


def each_once(process: Callable[[Any], Any] | None, values: list[Any]) -> list[Any]:
    """``process`` applied to each value, once per distinct value: a batch's rows share a few instants."""
    if process is None:
        return values
    converted = {value: process(value) for value in set(values)}
    return [converted[value] for value in values]


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _names(conn: Connection, rows: list[dict[str, Any]]) -> str:
    return ", ".join(_quote(conn, name) for name in rows[0])


def _into(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> str:
    return f"INSERT INTO {_quote(conn, table.name)} ({_names(conn, rows)})"
