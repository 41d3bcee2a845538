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
