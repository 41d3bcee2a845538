"""Idempotent consumers: route a message to its handler inside a unit of work guarded by the inbox."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from shared.bus.envelope import Event, topic_matches
from shared.db import Database
from shared.metrics import CONSUMED, DUPLICATES
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

EventHandler = Callable[[UnitOfWork, Event], None]


@dataclass(frozen=True)
class Subscription:
    pattern: str
    handler: EventHandler


class Consumer:
    """One service's consumer. ``handle`` returns only after the handler's transaction commits."""

    def __init__(self, db: Database, name: str, subscriptions: list[Subscription]) -> None:
        self.db = db
        self.name = name
        self.subscriptions = subscriptions
        self.inbox = db.metadata.tables["inbox"]

    @property
    def patterns(self) -> list[str]:
        return [s.pattern for s in self.subscriptions]

    def handle(self, message_id: str, routing_key: str, body: str) -> bool:
        """Apply one message exactly once; returns False if it had been applied before.

        Raises UndecodableMessage for a body that can never be applied, and whatever the handler
        raises otherwise: the transport decides between retry and dead-lettering.
        """
        event = Event.from_json(body)
        handlers = [s.handler for s in self.subscriptions if topic_matches(s.pattern, routing_key)]
        with self.db.unit_of_work(actor=f"event:{event.producer}", correlation_id=event.correlation_id,
                                  causation_id=event.id) as uow:
            # Claim the message first: a concurrent duplicate blocks on this row (PostgreSQL) or on
            # the write lock (SQLite), then sees the claim and returns without running the handlers.
            try:
                with uow.conn.begin_nested():
                    uow.conn.execute(self.inbox.insert().values(
                        consumer=self.name, message_id=message_id, routing_key=routing_key,
                        processed_at=uow.now))
            except IntegrityError:
                DUPLICATES.labels(self.name).inc()
                return False
            for handler in handlers:
                handler(uow, event)
            uow.commit()
        CONSUMED.labels(self.name, routing_key).inc()
        return True
