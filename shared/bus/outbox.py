"""The outbox relay: publishes committed events in order and marks them sent.

A crash between publish and mark-sent republishes the message; consumers' inboxes absorb that.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.bus.transport import OutgoingMessage, PublishError, Transport
from shared.db import Database
from shared.metrics import OUTBOX_DEAD, OUTBOX_PUBLISHED, PUBLISH_FAILURES

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 300.0


def backoff(attempts: int) -> timedelta:
    """Delay before attempt ``attempts + 1``: 2 s, 4 s, 8 s … capped at five minutes."""
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


class OutboxRelay:
    def __init__(self, db: Database, transport: Transport, *, batch_size: int = 500,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self.db = db
        self.transport = transport
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.outbox = db.metadata.tables["outbox"]
        self.last_batch_failed = False

    def drain_once(self) -> int:
        """Publish one batch of pending events; return how many were confirmed."""
        t = self.outbox
        now = self.db.clock.now()
        query = (sa.select(t.c.seq, t.c.id, t.c.routing_key, t.c.body, t.c.attempts)
                 .where(t.c.published_at.is_(None), t.c.dead_at.is_(None),
                        sa.or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now))
                 .order_by(t.c.seq).limit(self.batch_size))
        if self.db.is_sqlite:
            # Publish outside any write transaction: an in-process consumer may write to this very
            # database, and SQLite has a single writer.
            with self.db.read() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return 0
            confirmed, failed, error = self._publish(rows)
            with self.db.engine.begin() as conn:
                self._mark(conn, rows, confirmed, failed, error)
            self.last_batch_failed = bool(failed)
            return len(confirmed)
        # Two relays of one service split the backlog instead of publishing it twice.
        with self.db.engine.begin() as conn:
            rows = conn.execute(query.with_for_update(skip_locked=True)).all()
            if not rows:
                return 0
            confirmed, failed, error = self._publish(rows)
            self._mark(conn, rows, confirmed, failed, error)
        self.last_batch_failed = bool(failed)
        return len(confirmed)

    def _publish(self, rows: Sequence[Any]) -> tuple[set[str], set[str], str | None]:
        """Returns (confirmed, failed, error). Ids in neither set were not attempted and keep their
        attempt count (a transport that stops at the first failure preserves order that way)."""
        messages = [OutgoingMessage(r.id, r.routing_key, r.body) for r in rows]
        try:
            confirmed = set(self.transport.publish(messages))
            return confirmed, {m.message_id for m in messages} - confirmed, None
        except PublishError as exc:
            failed = set(exc.failed_ids) or {m.message_id for m in messages}
            confirmed = set(exc.confirmed_ids)
            return confirmed, failed, str(exc)

    def _mark(self, conn: Connection, rows: Sequence[Any], confirmed: set[str], failed: set[str],
              error: str | None) -> None:
        t = self.outbox
        now = self.db.clock.now()
        if confirmed:
            conn.execute(t.update().where(t.c.id.in_(confirmed)).values(published_at=now))
            OUTBOX_PUBLISHED.labels(self.db.service).inc(len(confirmed))
        for row in rows:
            if row.id not in failed:
                continue
            PUBLISH_FAILURES.labels(self.db.service).inc()
            attempts = row.attempts + 1
            values: dict[str, object] = {"attempts": attempts, "last_error": error,
                                         "next_attempt_at": now + backoff(attempts)}
            if attempts >= self.max_attempts:
                values["dead_at"] = now
                OUTBOX_DEAD.labels(self.db.service).inc()
                log.error("event gave up", extra={"event_id": row.id, "routing_key": row.routing_key,
                                                   "attempts": attempts, "error": str(error)})
            conn.execute(t.update().where(t.c.seq == row.seq).values(**values))

    def drain(self) -> int:
        """Publish until nothing is ready; stop after a failing batch (its events wait for backoff)."""
        total = 0
        while (n := self.drain_once()) > 0:
            total += n
            if self.last_batch_failed:
                break
        return total

    def status(self) -> dict[str, object]:
        """Backlog, oldest pending age and dead count, for the admin CLI and metrics."""
        t = self.outbox
        with self.db.read() as conn:
            pending, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.min(t.c.created_at))
                .where(t.c.published_at.is_(None), t.c.dead_at.is_(None))).one()
            dead = conn.execute(sa.select(sa.func.count()).where(t.c.dead_at.is_not(None))).scalar_one()
        age = (self.db.clock.now() - oldest).total_seconds() if oldest else 0.0
        return {"service": self.db.service, "pending": pending, "oldest_age_seconds": age, "dead": dead}

    def replay_dead(self) -> int:
        """Give dead events another round of attempts (after the cause is fixed)."""
        t = self.outbox
        with self.db.engine.begin() as conn:
            result = conn.execute(t.update().where(t.c.dead_at.is_not(None))
                                  .values(dead_at=None, attempts=0, last_error=None, next_attempt_at=None))
            return result.rowcount or 0
