"""Use cases of the holiday years an admin enters (节假日安排录入): the gateway owns them.

Setting a year stores it with the next version, audits before → after in the hash-chained trail, and
records ``gateway.calendar.year_set``, which the unit of work writes to the outbox; every service's
replica follows (shared/calendar_store.py), so deadlines everywhere use the entered schedule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway import store
from shared.calendar_schedule import DayKind, YearSchedule
from shared.calendar_store import write_year, year_set
from shared.db import Database
from shared.errors import ConcurrentUpdate, NotFound
from shared.events import DomainEvent
from shared.repository import Repository

AUDIT_ACTION = "calendar.year_set"


@dataclass
class EnteredYear:
    """One entered year: the aggregate whose changes are announced to the services."""

    schedule: YearSchedule
    version: int
    updated_at: datetime
    updated_by: str
    events: list[DomainEvent] = field(default_factory=list, compare=False, repr=False)

    @property
    def year(self) -> int:
        return self.schedule.year

    @property
    def holidays(self) -> int:
        return sum(1 for d in self.schedule.days if d.kind is DayKind.HOLIDAY)

    @property
    def workdays(self) -> int:
        return sum(1 for d in self.schedule.days if d.kind is DayKind.WORKDAY)

    def audit_view(self) -> dict[str, object]:
        return year_set(self.schedule, version=self.version).to_data()


class CalendarYearRepository(Repository):
    """The gateway's ``calendar_years`` table."""

    table = store.calendar_years

    def get(self, year: int, *, lock: bool = False) -> EnteredYear | None:
        query = sa.select(self.table).where(self.table.c.year == year)
        row = self.conn.execute(query.with_for_update() if lock else query).one_or_none()
        return None if row is None else _entered(row)

    def list(self) -> list[EnteredYear]:
        return [_entered(row) for row in self.conn.execute(sa.select(self.table).order_by(self.table.c.year))]

    def save(self, entered: EnteredYear) -> None:
        """Store the year at its version; the unit of work collects its ``year_set`` event."""
        try:
            write_year(self.conn, self.table, year_set(entered.schedule, version=entered.version),
                       at=entered.updated_at, by=entered.updated_by)
        except IntegrityError as exc:  # two admins entered a new year at once
            raise ConcurrentUpdate(f"{entered.year}年节假日安排刚被他人录入，请重试 / entered concurrently, "
                                   "retry") from exc
        self.seen(entered)


def _entered(row: sa.Row) -> EnteredYear:
    return EnteredYear(YearSchedule.from_data(row.year, json.loads(row.days)), row.version, row.updated_at,
                       row.updated_by)


def list_years(*, db: Database) -> list[EnteredYear]:
    """Every entered year, oldest first."""
    with db.read() as conn:
        return CalendarYearRepository(conn).list()


def get_year(*, db: Database, year: int) -> EnteredYear:
    with db.read() as conn:
        entered = CalendarYearRepository(conn).get(year)
    if entered is None:
        raise NotFound(f"{year}年节假日安排尚未录入 / no schedule entered for {year}")
    return entered


def set_year(*, db: Database, actor: str, schedule: YearSchedule,
             correlation_id: str | None = None) -> tuple[EnteredYear, bool]:
    """Enter (or replace) a year's schedule; the bool says whether anything changed.

    Entering the same days again writes, audits and announces nothing, so a retried request is harmless.
    """
    with db.unit_of_work(actor=actor, correlation_id=correlation_id) as uow:
        years = uow.repository(CalendarYearRepository)
        # SQLite writers are already serialised by BEGIN IMMEDIATE.
        before = years.get(schedule.year, lock=not db.is_sqlite)
        if before is not None and before.schedule == schedule:
            return before, False
        after = EnteredYear(schedule, (before.version if before else 0) + 1, uow.now, actor)
        after.events.append(year_set(schedule, version=after.version))
        years.save(after)
        uow.audit(AUDIT_ACTION, "calendar_year", str(schedule.year),
                  before=None if before is None else before.audit_view(), after=after.audit_view())
        uow.commit()
        return after, True
