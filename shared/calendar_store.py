"""The entered holiday years (节假日安排) in a database: the gateway's own table and each service's replica.

Both have the same shape, so one reader serves them: the gateway owns ``calendar_years`` and announces
every change as ``gateway.calendar.year_set``; each service keeps a replica fed by that event, like the
department directory (shared/directory.py), and its ``WorkCalendar`` reads the replica through
``DatabaseYears``. Every process of a service thus computes deadlines with the same schedule.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from shared.calendar_schedule import YearSchedule
from shared.events.gateway import CalendarYearSet
from shared.tables import UtcDateTime

if TYPE_CHECKING:
    from shared.bus.envelope import Event
    from shared.db import Database
    from shared.uow import UnitOfWork

TABLE = "calendar_years"
YEAR_SET = CalendarYearSet.TYPE


def add_calendar_years(metadata: sa.MetaData) -> sa.Table:
    """The ``calendar_years`` table on a service's metadata: one row per entered year."""
    return sa.Table(
        TABLE, metadata,
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        # Counts the admin's changes to this year; a replica applies only a newer one.
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("days", sa.Text, nullable=False),  # JSON: [{"date", "kind", "name"}], sorted by date
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False, server_default=""),
    )


def create_calendar_years(op: Any) -> None:
    """Migration helper: the same table in every service's Alembic revision."""
    metadata = sa.MetaData()
    add_calendar_years(metadata).create(op.get_bind())


def year_set(schedule: YearSchedule, *, version: int) -> CalendarYearSet:
    """The event announcing ``schedule`` as ``version`` of its year."""
    return CalendarYearSet(year=schedule.year, version=version, days=schedule.to_data())


def read_schedules(conn: sa.Connection, table: sa.Table) -> tuple[Hashable, dict[int, YearSchedule]]:
    """Every entered year and the fingerprint of what was read."""
    rows = conn.execute(sa.select(table.c.year, table.c.version, table.c.days).order_by(table.c.year)).all()
    stamp = tuple((row.year, row.version) for row in rows)
    return stamp, {row.year: YearSchedule.from_data(row.year, json.loads(row.days)) for row in rows}


class DatabaseYears:
    """``EnteredYears`` read from a database's ``calendar_years`` table (the owner's or a replica)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._table = db.metadata.tables[TABLE]

    def stamp(self) -> Hashable:
        with self._db.read() as conn:
            rows = conn.execute(sa.select(self._table.c.year, self._table.c.version)
                                .order_by(self._table.c.year)).all()
        return tuple((row.year, row.version) for row in rows)

    def load(self) -> tuple[Hashable, dict[int, YearSchedule]]:
        with self._db.read() as conn:
            return read_schedules(conn, self._table)


def write_year(conn: sa.Connection, table: sa.Table, entry: CalendarYearSet, *, at: datetime,
               by: str = "") -> bool:
    """Store a year at ``entry.version`` unless that version or a newer one is there already."""
    values = {"version": entry.version, "days": json.dumps(entry.days, ensure_ascii=False),
              "updated_at": at, "updated_by": by}
    updated = conn.execute(table.update().where(table.c.year == entry.year, table.c.version < entry.version)
                           .values(**values))
    if updated.rowcount:
        return True
    if conn.execute(sa.select(table.c.year).where(table.c.year == entry.year)).first():
        return False
    conn.execute(table.insert().values(year=entry.year, **values))
    return True


def apply_year_set(_context: object, uow: UnitOfWork, event: Event) -> None:
    """Apply ``gateway.calendar.year_set`` to the replica; a late, older version changes nothing."""
    entry = CalendarYearSet.from_event(event)
    YearSchedule.from_data(entry.year, entry.days)  # a malformed schedule is refused, never stored
    write_year(uow.conn, uow.table(TABLE), entry, at=event.occurred_at)
