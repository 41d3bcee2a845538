"""The unit of work: one transaction that commits state, outbox events and audit records together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared import bulk, held_commit
from shared.bus.envelope import Event
from shared.clock import Clock
from shared.events import DomainEvent, EventSource
from shared.jsonutil import dumps
from shared.repository import Repository


class Store(Protocol):
    """What a unit of work needs of its database (``shared.db.Database``)."""

    service: str
    metadata: sa.MetaData
    engine: sa.Engine
    clock: Clock

    @property
    def is_sqlite(self) -> bool: ...

    def committed(self, *, wrote_events: bool) -> None: ...

GENESIS_HASH = "0" * 64
R = TypeVar("R", bound=Repository)


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

    Repositories opened with ``uow.repository(...)`` tell it which aggregates they loaded or added
    (``track``); ``commit`` collects the new events of every one of them into the outbox, so a use case
    cannot forget to publish (cosmicpython's ``collect_new_events``). Leaving the block without
    ``commit()`` rolls everything back, events and audit included.
    """

    def __init__(self, db: Store, *, actor: str, correlation_id: str | None,
                 causation_id: str | None) -> None:
        self.db = db
        self.actor = actor
        self.correlation_id = correlation_id
        self.causation_id = causation_id
        self._events: list[Event] = []
        self._seen: dict[int, EventSource] = {}
        self._repositories: dict[tuple[type, tuple[Any, ...]], Any] = {}
        self._audit: list[AuditRecord] = []
        self._conn: Connection | None = None
        self._committed = False
        self._handed_over = False

    # -- context -----------------------------------------------------------------------------
    def __enter__(self) -> UnitOfWork:
        held_commit.release_for(self.db)
        self._conn = self.db.engine.connect()
        self._conn.begin()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handed_over:  # the request's idempotency hold commits or rolls back this transaction
            self._conn = None
            return
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

    def repository(self, cls: type[R], **options: Any) -> R:
        """``cls(conn, seen=self.track, **options)``, one per class and options in this unit of work."""
        key = (cls, tuple(sorted(options.items())))
        repo = self._repositories.get(key)
        if repo is None:
            repo = self._repositories[key] = cls(self.conn, seen=self.track, **options)
        return repo

    # -- collecting ----------------------------------------------------------------------------
    def track(self, *aggregates: EventSource) -> None:
        """Remember aggregates whose new events ``commit`` writes to the outbox (repositories call this)."""
        for aggregate in aggregates:
            self._seen.setdefault(id(aggregate), aggregate)

    def collect_new_events(self) -> list[Event]:
        """Take the new events off every tracked aggregate, in the order they were recorded."""
        for aggregate in self._seen.values():
            if aggregate.events:
                for event in aggregate.events:
                    self._events.append(self._envelope(event))
                aggregate.events.clear()
        return self._events

    def _envelope(self, event: DomainEvent) -> Event:
        return Event(type=event.routing_key(self.db.service), data=event.to_data(), version=event.VERSION,
                     occurred_at=self.now, producer=self.db.service, correlation_id=self.correlation_id,
                     causation_id=self.causation_id)

    def publish(self, type: str, data: dict[str, Any], *, version: int = 1) -> Event:
        """Queue a raw envelope (bus plumbing and its tests). Use cases never call this: their aggregates
        record typed events, which ``commit`` collects."""
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
        self.collect_new_events()
        if self._events:
            bulk.insert_rows(conn, self.table("outbox"), [
                {"id": e.id, "routing_key": e.type, "body": e.to_json(), "created_at": e.occurred_at,
                 "attempts": 0}
                for e in self._events
            ])
        if self._audit:
            self._append_audit(conn)
        wrote_events = bool(self._events)
        self._events, self._audit, self._seen = [], [], {}
        self._committed = True
        if held_commit.take(self.db, conn, wrote_events=wrote_events):
            self._handed_over = True
            return
        conn.commit()
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
