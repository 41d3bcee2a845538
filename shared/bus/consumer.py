"""Idempotent consumers: route a message to its handler inside a unit of work guarded by the inbox."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from shared.bus.envelope import Event, topic_matches
from shared.db import Database
from shared.metrics import CONSUMED, DUPLICATES
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

EventHandler = Callable[[UnitOfWork, Event], None]
# What a service's route table maps routing-key patterns to: the context comes first, bound at start.
RouteHandler = Callable[[Any, UnitOfWork, Event], None]


@dataclass(frozen=True)
class Subscription:
    pattern: str
    handler: EventHandler


def bind_routes(routes: Mapping[str, RouteHandler], context: Any) -> list[Subscription]:
    """A service's static route table with its context bound: the process that built the context (app,
    event worker) applies every event with exactly that calendar and those rules."""
    return [Subscription(pattern, functools.partial(handler, context)) for pattern, handler in routes.items()]


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

    def handle_batch(self, deliveries: list[tuple[str, str, Event]]) -> list[bool]:
        """Apply several decoded messages in ONE transaction (one commit for many events).

        All or nothing: if any handler raises, nothing of the batch is kept and the exception
        propagates; the caller then applies the messages one by one to isolate the bad one.
        Returns, per message, whether it was applied (False: a duplicate the inbox absorbed).
        """
        applied: list[bool] = []
        with self.db.unit_of_work(actor="event") as uow:
            claimed = self._claim_all(uow, deliveries)
            for message_id, routing_key, event in deliveries:
                if message_id not in claimed:
                    DUPLICATES.labels(self.name).inc()
                    applied.append(False)
                    continue
                claimed.discard(message_id)  # the same id twice in one batch is applied once
                uow.actor = f"event:{event.producer}"
                uow.correlation_id, uow.causation_id = event.correlation_id, event.id
                for handler in self.handlers_for(routing_key):
                    handler(uow, event)
                applied.append(True)
            uow.commit()
        for (_m, routing_key, _e), done in zip(deliveries, applied, strict=True):
            if done:
                CONSUMED.labels(self.name, routing_key).inc()
        return applied

    def _claim_all(self, uow: UnitOfWork, deliveries: list[tuple[str, str, Event]]) -> set[str]:
        """Insert the inbox rows of a batch in one statement; returns the ids that were new."""
        rows = {m: {"consumer": self.name, "message_id": m, "routing_key": k, "processed_at": uow.now}
                for m, k, _e in deliveries}
        dialect = uow.conn.dialect.name
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = (insert(self.inbox).values(list(rows.values()))
                     .on_conflict_do_nothing().returning(self.inbox.c.message_id))
        return set(uow.conn.execute(statement).scalars())

    def _apply(self, uow: UnitOfWork, message_id: str, routing_key: str, event: Event) -> bool:
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
        for handler in self.handlers_for(routing_key):
            handler(uow, event)
        return True

    def handlers_for(self, routing_key: str) -> list[EventHandler]:
        return [s.handler for s in self.subscriptions if topic_matches(s.pattern, routing_key)]

    def handle(self, message_id: str, routing_key: str, body: str) -> bool:
        """Apply one message exactly once; returns False if it had been applied before.

        Raises UndecodableMessage for a body that can never be applied, and whatever the handler
        raises otherwise: the transport decides between retry and dead-lettering.
        """
        event = Event.from_json(body)
        with self.db.unit_of_work(actor=f"event:{event.producer}", correlation_id=event.correlation_id,
                                  causation_id=event.id) as uow:
            if not self._apply(uow, message_id, routing_key, event):
                return False
            uow.commit()
        CONSUMED.labels(self.name, routing_key).inc()
        return True
