"""Events of the gateway: the department directory other services keep a replica of."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class DepartmentUpserted(DomainEvent):
    """A department (承办单位) was created or changed; services upsert their replica."""

    TYPE = "gateway.department.upserted"

    code: str
    name: str
    kind: str = "agency"
    utility: bool = False
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class CalendarYearSet(DomainEvent):
    """An admin entered or replaced a year's holiday schedule (节假日安排); services replace their replica
    of that year unless they hold this version or a newer one."""

    TYPE = "gateway.calendar.year_set"

    year: int
    version: int
    days: list[dict[str, str]]  # [{"date": "YYYY-MM-DD", "kind": "holiday"|"workday", "name": …}], by date
