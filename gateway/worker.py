"""A service's event worker for the distributed mode: its outbox relay and its consumer, as threads.

Run one per service (``duban events worker hotline``); run more for throughput: relays split the backlog
with SKIP LOCKED and consumers share the queue.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from gateway.registry import PARTS
from shared.audit_heads import publish_head
from shared.audit_heads import register_publishing as register_audit_head_publishing
from shared.bootstrap import Environment
from shared.bus.consumer import Consumer
from shared.bus.outbox import OutboxRelay
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.bus.rabbitmq import RabbitPublisher
from shared.bus.runtime import EmbeddedRuntime
from shared.db import Database
from shared.idempotency import register_purge as register_idempotency_purge
from shared.metrics import OUTBOX_AGE, OUTBOX_BACKLOG
from shared.settings import Settings

log = logging.getLogger(__name__)


class ServiceWorker:
    """``context`` defaults to the one the part's ``open_context`` builds from ``settings`` — the same
    factory its web app uses, so events are applied with the app's calendar and rules."""

    def __init__(self, service: str, settings: Settings, *, relay: bool = True, consume: bool = True,
                 poll_interval: float = 0.05, context: Any = None) -> None:
        part = PARTS[service]
        self.service = service
        self.context = context if context is not None else part.open_context(Environment(settings))
        self.db: Database = self.context.db
        self.publisher = RabbitPublisher(settings.amqp_url)
        self.relay = OutboxRelay(self.db, self.publisher) if relay else None
        subscriptions = part.subscriptions(self.context)
        self.consumer = (RabbitConsumerWorker(settings.amqp_url, Consumer(self.db, service, subscriptions))
                         if consume and subscriptions else None)
        # The relay thread is the embedded mode's runtime: drain, poll, and the periodic gauge jobs.
        self.runtime = EmbeddedRuntime(poll_interval=poll_interval)
        if self.relay is not None:
            self.runtime.add_relay(self.relay)
            self.runtime.add_periodic(f"{service}.outbox-gauges", 1.0, self._outbox_gauges)
            for name, interval, job in part.jobs(self.context, worker=True):
                self.runtime.add_periodic(name, interval, job)
            register_idempotency_purge(self.runtime, {service: self.db}, settings)
            register_audit_head_publishing(self.runtime, {service: self.db})
        self._stop = threading.Event()
        self._consumer_thread: threading.Thread | None = None

    def start(self) -> None:
        if self.relay is not None:
            self.runtime.start()
        if self.consumer is not None:
            self._consumer_thread = threading.Thread(target=self.consumer.run, name=f"{self.service}-consumer",
                                                     daemon=True)
            self._consumer_thread.start()

    def _outbox_gauges(self) -> None:
        assert self.relay is not None
        status = self.relay.status()
        OUTBOX_BACKLOG.labels(self.service).set(status["pending"])  # type: ignore[arg-type]
        OUTBOX_AGE.labels(self.service).set(status["oldest_age_seconds"])  # type: ignore[arg-type]

    def stop(self) -> None:
        self._stop.set()
        if self.relay is not None:  # the chain's last head, published before the relay stops
            publish_head(self.db)
        self.runtime.stop(10)
        if self.consumer is not None:
            self.consumer.stop()
        if self._consumer_thread is not None:
            self._consumer_thread.join(10)
        self.publisher.close()
        self.db.dispose()

    def run_forever(self) -> None:
        """Start and block until SIGTERM/SIGINT, then stop cleanly (unacked messages are redelivered)."""

        def _signal(_signum: int, _frame: FrameType | None) -> None:
            self._stop.set()

        signal.signal(signal.SIGTERM, _signal)
        signal.signal(signal.SIGINT, _signal)
        self.start()
        log.info("worker running", extra={"service": self.service})
        while not self._stop.wait(1.0):
            pass
        self.stop()
