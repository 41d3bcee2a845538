"""RabbitMQ consumer worker: one durable queue per service, manual ack after the handler commits.

- prefetch bounds unacknowledged deliveries (throughput without hoarding work from other workers);
- an undecodable body is rejected without requeue at once (dead-lettered by the queue's policy);
- a failing handler is retried with backoff, and after ``max_failures`` rejected to the dead letters;
- a redelivery after a crash is applied once thanks to the consumer's inbox.
Nothing is ever acknowledged unless its handler committed or it is a known duplicate.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel

from shared.bus.consumer import Consumer
from shared.bus.envelope import Event, UndecodableMessage
from shared.bus.rabbitmq import EXCHANGE, QUEUE_ARGUMENTS
from shared.logs import describe_error
from shared.metrics import DEAD_LETTERS, REDELIVERIES

log = logging.getLogger(__name__)

ROUTING_KEY_HEADER = "x-duban-routing-key"  # set when a dead letter is replayed straight to a queue


class RabbitConsumerWorker:
    def __init__(self, url: str, consumer: Consumer, *, queue: str | None = None, prefetch: int = 256,
                 batch_size: int = 100, batch_wait: float = 0.01, max_failures: int = 5,
                 backoff: Callable[[int], float] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.parameters = pika.URLParameters(url)
        self.consumer = consumer
        self.queue = queue or consumer.name
        self.prefetch = prefetch
        # Deliveries waiting together are applied in one transaction: one commit for up to batch_size
        # events. batch_wait bounds how long a delivery may wait for company (added latency).
        self.batch_size = max(1, min(batch_size, prefetch))
        self.batch_wait = batch_wait
        self.max_failures = max_failures
        self.backoff = backoff or (lambda n: min(10.0, 0.2 * 2 ** (n - 1)))
        self.sleep = sleep
        self._failures: OrderedDict[str, int] = OrderedDict()
        self._stop = threading.Event()
        self.connected = threading.Event()

    def declare(self, channel: BlockingChannel) -> None:
        """The quorum queue and its bindings (dead-lettering and the delivery limit come from policy)."""
        channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
        channel.queue_declare(self.queue, durable=True, arguments=QUEUE_ARGUMENTS)
        for pattern in self.consumer.patterns:
            channel.queue_bind(self.queue, EXCHANGE, routing_key=pattern)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Consume until ``stop()``; reconnects with capped backoff when the broker goes away."""
        delay = 0.5
        while not self._stop.is_set():
            try:
                connection = pika.BlockingConnection(self.parameters)
            except pika.exceptions.AMQPConnectionError as exc:
                log.warning("consumer cannot reach rabbitmq; retrying",
                            extra={"queue": self.queue, "error": str(exc), "retry_in_s": delay})
                self._stop.wait(delay)
                delay = min(30.0, delay * 2)
                continue
            delay = 0.5
            try:
                channel = connection.channel()
                channel.basic_qos(prefetch_count=self.prefetch)
                self.declare(channel)
                self.connected.set()
                waiting: list[tuple[Any, Any, bytes]] = []
                for method, properties, body in channel.consume(self.queue, inactivity_timeout=self.batch_wait):
                    if method is not None:
                        waiting.append((method, properties, body))
                        if len(waiting) < self.batch_size:
                            continue
                    if waiting:
                        self.on_deliveries(channel, waiting)
                        waiting = []
                    if self._stop.is_set():
                        break
                channel.cancel()
                connection.close()
            except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError,
                    pika.exceptions.StreamLostError) as exc:
                log.warning("consumer lost rabbitmq; reconnecting", extra={"queue": self.queue, "error": str(exc)})
            finally:
                self.connected.clear()
                if connection.is_open:
                    with contextlib.suppress(Exception):  # already broken; the reconnect loop takes over
                        connection.close()

    def on_deliveries(self, channel: BlockingChannel, deliveries: list[tuple[Any, Any, bytes]]) -> None:
        """Apply a group of deliveries in one transaction; on any failure fall back to one by one."""
        if len(deliveries) == 1:
            self.on_message(channel, *deliveries[0])
            return
        decoded: list[tuple[str, str, Event]] = []
        applied: list[tuple[Any, Any, bytes]] = []  # the deliveries behind ``decoded``
        for method, properties, body in deliveries:
            try:
                event = Event.from_json(body.decode("utf-8"))
            except (UndecodableMessage, UnicodeDecodeError):
                self.on_message(channel, method, properties, body)  # rejects it to the dead letters
                continue
            decoded.append((self._message_id(properties, body), self._routing_key(method, properties), event))
            applied.append((method, properties, body))
        if not decoded:
            return
        try:
            self.consumer.handle_batch(decoded)
        except Exception as exc:
            log.warning("batch failed; applying one by one",
                        extra={"queue": self.queue, "size": len(decoded), "error": describe_error(exc)})
            for method, properties, body in applied:
                self.on_message(channel, method, properties, body)
            return
        for method, _properties, _body in applied:
            if method.redelivered:
                REDELIVERIES.labels(self.queue).inc()
        channel.basic_ack(max(method.delivery_tag for method, _p, _b in applied), multiple=True)

    @staticmethod
    def _routing_key(method: Any, properties: Any) -> str:
        return (properties.headers or {}).get(ROUTING_KEY_HEADER) or method.routing_key

    @staticmethod
    def _message_id(properties: Any, body: bytes) -> str:
        return properties.message_id or hashlib.sha256(body).hexdigest()[:36]

    def on_message(self, channel: BlockingChannel, method: Any, properties: Any, body: bytes) -> None:
        if method.redelivered:
            REDELIVERIES.labels(self.queue).inc()
        routing_key = self._routing_key(method, properties)
        message_id = self._message_id(properties, body)
        try:
            text = body.decode("utf-8")
            self.consumer.handle(message_id, routing_key, text)
        except (UndecodableMessage, UnicodeDecodeError) as exc:
            log.error("dead-lettering undecodable message",
                      extra={"message_id": message_id, "queue": self.queue, "error": str(exc)})
            DEAD_LETTERS.labels(self.queue).inc()
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        except Exception as exc:
            failures = self._failures.get(message_id, 0) + 1
            self._remember(message_id, failures)
            if failures >= self.max_failures:
                log.error("dead-lettering after repeated failures", extra={
                    "message_id": message_id, "routing_key": routing_key, "failures": failures,
                    "error": describe_error(exc)})
                DEAD_LETTERS.labels(self.queue).inc()
                self._failures.pop(message_id, None)
                channel.basic_reject(method.delivery_tag, requeue=False)
            else:
                log.warning("handler failed; retrying", extra={
                    "message_id": message_id, "routing_key": routing_key, "attempt": failures,
                    "error": describe_error(exc)})
                self.sleep(self.backoff(failures))
                channel.basic_nack(method.delivery_tag, requeue=True)
            return
        self._failures.pop(message_id, None)
        channel.basic_ack(method.delivery_tag)

    def _remember(self, message_id: str, failures: int) -> None:
        self._failures[message_id] = failures
        self._failures.move_to_end(message_id)
        while len(self._failures) > 10_000:  # bounded: counts for long-gone messages are dropped
            self._failures.popitem(last=False)
