"""Each service's replica of the gateway's department directory, fed by ``gateway.department.*`` events.

Services validate and name departments from their own copy instead of reading the gateway's tables.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

import sqlalchemy as sa

from shared.bus.envelope import Event
from shared.errors import InvalidInput
from shared.events.gateway import DepartmentUpserted
from shared.tables import UtcDateTime
from shared.uow import UnitOfWork


def add_department_replica(metadata: sa.MetaData) -> sa.Table:
    """The ``departments`` table on a service's metadata."""
    return sa.Table(
        "departments", metadata,
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("utility", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )


def upsert_department(_context: object, uow: UnitOfWork, event: Event) -> None:
    """Apply a ``gateway.department.upserted`` event; an older event arriving late changes nothing."""
    department = DepartmentUpserted.from_data(event.data)
    d = uow.table("departments")
    values = {"name": department.name, "utility": department.utility, "active": department.active,
              "updated_at": event.occurred_at}
    updated = uow.conn.execute(d.update().where(d.c.code == department.code, d.c.updated_at <= event.occurred_at)
                               .values(**values))
    if updated.rowcount == 0:
        exists = uow.conn.execute(sa.select(d.c.code).where(d.c.code == department.code)).first()
        if not exists:
            uow.conn.execute(d.insert().values(code=department.code, **values))


def department_names(conn: sa.Connection, departments: sa.Table) -> dict[str, str]:
    """Code → name from a service's replica (for boards, rankings and the public timeline)."""
    return {r.code: r.name for r in conn.execute(sa.select(departments.c.code, departments.c.name))}


def require_active(conn: sa.Connection, departments: sa.Table, codes: Iterable[str], field_name: str, *,
                   builtin: Container[str] = ()) -> None:
    """Refuse (422) any code the replica does not list as active; ``builtin`` codes are always accepted."""
    wanted = [c for c in codes if c not in builtin]
    if not wanted:
        return
    known = set(conn.execute(sa.select(departments.c.code).where(
        departments.c.code.in_(wanted), departments.c.active.is_(True))).scalars())
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InvalidInput(f"未知或已停用的单位 / unknown department: {', '.join(unknown)}",
                           {field_name: [f"unknown department {c}" for c in unknown]})
