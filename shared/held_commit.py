"""Holding a unit of work's commit open so a request's stored answer commits in the same transaction.

An ``Idempotency-Key`` is only worth its name if the answer it replays exists exactly when the change
it answers for exists. The idempotency wrapper opens a hold for its service database; the first unit
of work on that database in the request writes everything but leaves the final COMMIT to the wrapper,
which adds the answer and commits both together. A crash before that COMMIT loses both; after it,
neither. This module imports nothing of the web stack, so the unit of work can use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from shared.uow import Store as Database


@dataclass
class Hold:
    """The one transaction held for ``db`` in this request, once a unit of work handed it over."""

    db: Database
    conn: Connection | None = None
    wrote_events: bool = False

    def commit(self) -> None:
        """Commit the held transaction (with whatever the holder added) and tell the database."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.commit()
        finally:
            conn.close()
        self.db.committed(wrote_events=self.wrote_events)

    def rollback(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.rollback()
            finally:
                conn.close()


_hold: ContextVar[Hold | None] = ContextVar("duban_held_commit", default=None)


@contextmanager
def holding(db: Database) -> Iterator[Hold]:
    """Within the block, the first unit of work committing on ``db`` hands its transaction to the hold.

    The caller must ``commit()`` or ``rollback()`` the hold; leaving the block rolls back whatever
    was left held.
    """
    hold = Hold(db)
    token = _hold.set(hold)
    try:
        yield hold
    finally:
        _hold.reset(token)
        hold.rollback()


def take(db: Database, conn: Connection, *, wrote_events: bool) -> bool:
    """Called by a unit of work at commit: True if the hold took the transaction (do not commit it)."""
    hold = _hold.get()
    if hold is None or hold.db is not db or hold.conn is not None:
        return False
    hold.conn, hold.wrote_events = conn, wrote_events
    return True


def release_for(db: Database) -> None:
    """A second unit of work on ``db`` is starting: commit the held one first (it would block it)."""
    hold = _hold.get()
    if hold is not None and hold.db is db and hold.conn is not None:
        hold.commit()
