"""The base of every repository: it tells its unit of work which aggregates it loaded or added.

Open a repository inside a unit of work with ``uow.repository(TicketRepository)``; whatever it hands out
or takes in is tracked, and ``commit`` collects the new events of all of them (cosmicpython's
``adapters/repository.py`` ``seen``). Opened on a read-only connection it tracks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.errors import ConcurrentUpdate

A = TypeVar("A")


def _untracked(*_aggregates: Any) -> None:
    """Reads outside a unit of work have no events to collect."""


class Repository:
    def __init__(self, conn: Connection, *, seen: Callable[..., None] | None = None) -> None:
        self.conn = conn
        self._seen = seen or _untracked

    def seen(self, aggregate: A) -> A:
        """Track ``aggregate`` for the unit of work and return it."""
        self._seen(aggregate)
        return aggregate

    def save_versioned(self, table: sa.Table, aggregate: Any, values: dict[str, Any], conflict: str) -> None:
        """Write ``values`` over the aggregate's row if nobody saved it since it was loaded (optimistic
        locking on ``version``), and count the version up; else raise ConcurrentUpdate(``conflict``)."""
        result = self.conn.execute(table.update()
                                   .where(table.c.id == aggregate.id, table.c.version == aggregate.version)
                                   .values({**values, "version": aggregate.version + 1}))
        if result.rowcount != 1:
            raise ConcurrentUpdate(conflict)
        aggregate.version += 1

    def seen_all(self, aggregates: Sequence[A]) -> list[A]:
        """Track several aggregates at once (bulk inserts)."""
        self._seen(*aggregates)
        return list(aggregates)
