"""Events the hotline consumes, and what it does with each."""

from __future__ import annotations

import sqlalchemy as sa

from services.hotline import store
from shared.bus.consumer import Subscription
from shared.bus.envelope import Event
from shared.uow import UnitOfWork


def upsert_department(uow: UnitOfWork, event: Event) -> None:
    """Keep the local replica of the department directory (dispatch targets) in step."""
    data = event.data
    d = store.departments
    values = {"name": data["name"], "utility": bool(data.get("utility", False)),
              "active": bool(data.get("active", True)), "updated_at": event.occurred_at}
    updated = uow.conn.execute(d.update().where(d.c.code == data["code"], d.c.updated_at <= event.occurred_at)
                               .values(**values))
    if updated.rowcount == 0:
        exists = uow.conn.execute(sa.select(d.c.code).where(d.c.code == data["code"])).first()
        if not exists:  # an older event arriving late must not overwrite a newer one
            uow.conn.execute(d.insert().values(code=data["code"], **values))


SUBSCRIPTIONS = [
    Subscription("gateway.department.*", upsert_department),
]
