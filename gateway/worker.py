"""A service's event worker for the distributed mode: its outbox relay and its consumer, as threads.

Run one per service (``duban events worker hotline``); run more for throughput: relays split the backlog
with SKIP LOCKED and consumers share the queue.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from gateway.registry import PARTS
from shared.bus.consumer import Consumer
from shared.bus.outbox import OutboxRelay
from shared.bus.rabbit_consumer import RabbitConsumerWorker
from shared.bus.rabbitmq import RabbitPublisher
from shared.db import Database
from shared.metrics import OUTBOX_AGE, OUTBOX_BACKLOG
from shared.settings import Settings

log = logging.getLogger(__name__)
GAUGE_TICKS = 300  # business gauges about every 15 s at the 50 ms poll interval


class ServiceWorker:
    def __init__(self, service: str, settings: Settings, *, relay: bool = True, consume: bool = True,
                 poll_interval: float = 0.05) -> None:
        part = PARTS[service]
        self.service = service
        self.db = Database(settings.database_url_for(service), service=service, metadata=part.metadata())
        self.publisher = RabbitPublisher(settings.amqp_url)
        self.relay = OutboxRelay(self.db, self.publisher) if relay else None
        subscriptions = part.subscriptions()
        self.consumer = (RabbitConsumerWorker(settings.amqp_url, Consumer(self.db, service, subscriptions))
                         if consume and subscriptions else None)
        self.poll_interval = poll_interval
        self.refresh_gauges = part.gauge_refresher()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.relay is not None:
            self._threads.append(threading.Thread(target=self._relay_loop, name=f"{self.service}-relay",
                                                  daemon=True))
        if self.consumer is not None:
            self._threads.append(threading.Thread(target=self.consumer.run, name=f"{self.service}-consumer",
                                                  daemon=True))
        for thread in self._threads:
            thread.start()

    def _relay_loop(self) -> None:
        assert self.relay is not None
        ticks = 0
        while not self._stop.is_set():
            try:
                published = self.relay.drain()
            except Exception:
                log.exception("outbox relay of %s failed; retrying", self.service)
                published = 0
            ticks += 1
            if ticks % 20 == 0:  # backlog gauges about once a second, not on every poll
                status = self.relay.status()
                OUTBOX_BACKLOG.labels(self.service).set(status["pending"])  # type: ignore[arg-type]
                OUTBOX_AGE.labels(self.service).set(status["oldest_age_seconds"])  # type: ignore[arg-type]
            if self.refresh_gauges is not None and ticks % GAUGE_TICKS == 1:
                try:
                    self.refresh_gauges(self.db)
                except Exception:  # a gauge is not worth stopping the relay for
                    log.exception("refreshing the business gauges of %s failed", self.service)
            if not published:
                self._stop.wait(self.poll_interval)

    def stop(self) -> None:
        self._stop.set()
        if self.consumer is not None:
            self.consumer.stop()
        for thread in self._threads:
            thread.join(10)
        self.publisher.close()
        self.db.dispose()

    def run_forever(self) -> None:
        """Start and block until SIGTERM/SIGINT, then stop cleanly (unacked messages are redelivered)."""

        def _signal(_signum: int, _frame: FrameType | None) -> None:
            self._stop.set()

        signal.signal(signal.SIGTERM, _signal)
        signal.signal(signal.SIGINT, _signal)
        self.start()
        log.info("worker for %s running", self.service)
        while not self._stop.wait(1.0):
            pass
        self.stop()
