"""Events of the gateway: the department directory other services keep a replica of."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True, kw_only=True)
class RulesPublished(DomainEvent):
    """An admin published a new version of the rules (time limits, card thresholds …); services add it to
    their replica and use it for what starts from now on."""

    TYPE = "gateway.rules.published"

    version: int
    document: dict[str, Any]  # {"<section>": {"<rule>": value}}: only what differs from the defaults
    note: str = ""
