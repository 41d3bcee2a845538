"""The unit of work: one transaction that commits state, outbox events and audit records together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared import bulk
from shared.bus.envelope import Event
from shared.db import dumps

if TYPE_CHECKING:
    from shared.db import Database

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    correlation_id: str | None = None


def audit_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """Hash of one audit row chained to its predecessor; editing any past row breaks every later hash."""
    fields = {k: row[k] for k in ("seq", "at", "actor", "action", "entity_type", "entity_id",
                                   "before", "after", "correlation_id")}
    return hashlib.sha256((prev_hash + dumps(fields)).encode()).hexdigest()


class UnitOfWork:
    """Use as ``with db.unit_of_work(actor=...) as uow: ...; uow.commit()``.

    Leaving the block without ``commit()`` rolls everything back, events and audit included.
    """

    def __init__(self, db: Database, *, actor: str, correlation_id: str | None,
                 causation_id: str | None) -> None:
        self.db = db
        self.actor = actor
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self._events: list[Event] = []
        self._audit: list[AuditRecord] = []
        self._conn: Connection | None = None
        self._committed = False

    # -- context -----------------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        self._conn = self.db.engine.connect()
        self._conn.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._conn is not None
        try:
            if not self._committed:
                self._conn.rollback()
        finally:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its with-block")
        return self._conn

    @property
    def now(self) -> datetime:
        return self.db.clock.now()

    def table(self, name: str) -> sa.Table:
        return self.db.metadata.tables[name]

    # -- collecting ----------------------------------------------------------------------------
    def publish(self, type: str, data: dict[str, Any], *, version: int = 1) -> Event:
        """Queue an event; it is written to the outbox in this transaction."""
        event = Event(type=type, data=data, version=version, occurred_at=self.now,
                      producer=self.db.service, correlation_id=self.correlation_id,
                      causation_id=self.causation_id)
        self._events.append(event)
        return event

    def audit(self, action: str, entity_type: str, entity_id: str, *, before: Any, after: Any,
              actor: str | None = None) -> None:
        """Queue an audit record (who, what, before → after); appended to the chain at commit."""
        self._audit.append(AuditRecord(actor or self.actor, action, entity_type, str(entity_id),
                                       before, after, self.correlation_id))

    # -- commit --------------------------------------------------------------------------------
    def commit(self) -> None:
        conn = self.conn
        if self._events:
            bulk.insert_rows(conn, self.table("outbox"), [
                {"id": e.id, "routing_key": e.type, "body": e.to_json(), "created_at": e.occurred_at,
                 "attempts": 0}
                for e in self._events
            ])
        if self._audit:
            self._append_audit(conn)
        conn.commit()
        self._committed = True
        wrote_events = bool(self._events)
        self._events, self._audit = [], []
        self.db.committed(wrote_events=wrote_events)

    def _append_audit(self, conn: Connection) -> None:
        head_t = self.table("audit_head")
        head_q = sa.select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)
        if not self.db.is_sqlite:  # SQLite writers are already serialised by BEGIN IMMEDIATE
            head_q = head_q.with_for_update()
        head = conn.execute(head_q).one_or_none()
        if head is None:
            conn.execute(head_t.insert().values(id=1, seq=0, hash=GENESIS_HASH))
            seq, prev = 0, GENESIS_HASH
        else:
            seq, prev = head.seq, head.hash
        rows = []
        at = self.now.astimezone(UTC)
        for record in self._audit:
            seq += 1
            row = {
                "seq": seq, "at": at.isoformat(), "actor": record.actor, "action": record.action,
                "entity_type": record.entity_type, "entity_id": record.entity_id,
                "before": None if record.before is None else dumps(record.before),
                "after": None if record.after is None else dumps(record.after),
                "correlation_id": record.correlation_id,
            }
            row["prev_hash"] = prev
            row["hash"] = prev = audit_hash(prev, row)
            rows.append({**row, "at": at})
        conn.execute(self.table("audit_log").insert(), rows)
        conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=seq, hash=prev))
