"""RabbitMQ publisher with pipelined publisher confirms (pika SelectConnection on its own I/O thread).

A batch is written to the channel at once and the caller waits for the broker's acks, which RabbitMQ
may coalesce (``multiple``), so a batch costs about one round trip instead of one per message.
Messages are persistent and published with ``mandatory=True``: one that no queue is bound to comes
back (basic.return, always before its ack) and is reported as failed, so the outbox keeps it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pika
from pika.adapters.select_connection import SelectConnection
from pika.spec import Basic

from shared.bus.transport import MessageHandler, OutgoingMessage, PublishError
from shared.metrics import UNROUTABLE

log = logging.getLogger(__name__)

EXCHANGE = "duban.events"
DEAD_EXCHANGE = "duban.dead"
# Every service queue (and its dead-letter queue) is a replicated quorum queue. The type is fixed when
# a queue is declared, so every declaration passes these arguments and infra/rabbitmq/definitions.json
# names the same (tests/infra checks); the delivery limit and dead-lettering come from policies.
QUEUE_ARGUMENTS = {"x-queue-type": "quorum"}
MAX_RECONNECT_DELAY = 30.0


@dataclass
class _Batch:
    ids: list[str]
    confirmed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)

    def settle(self, message_id: str, ok: bool, reason: str = "") -> None:
        if message_id in self.failed:  # returned earlier: the ack that follows does not undo it
            return
        if ok:
            self.confirmed.add(message_id)
        else:
            self.failed[message_id] = reason
        if len(self.confirmed) + len(self.failed) == len(self.ids):
            self.done.set()


class RabbitPublisher:
    """Thread-safe ``Transport.publish`` over one confirm-mode channel; reconnects with capped backoff."""

    def __init__(self, url: str, *, exchange: str = EXCHANGE, confirm_timeout: float = 30.0,
                 connect_timeout: float = 10.0) -> None:
        self.parameters = pika.URLParameters(url)
        self.exchange = exchange
        self.confirm_timeout = confirm_timeout
        self.connect_timeout = connect_timeout
        self._connection: SelectConnection | None = None
        self._channel: Any = None
        self._ready = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one batch in flight at a time keeps tag bookkeeping simple
        self._tag = 0
        self._pending: dict[int, tuple[_Batch, str]] = {}
        self._reconnect_delay = 0.5

    # -- Transport ---------------------------------------------------------------------------
    def bind(self, queue: str, patterns: Sequence[str], handler: MessageHandler) -> None:
        raise NotImplementedError("consumers run in their own process: see shared.bus.rabbit_consumer")

    def publish(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        if not messages:
            return []
        self.start()
        if not self._ready.wait(self.connect_timeout):
            raise PublishError("RabbitMQ is not reachable", failed_ids=[m.message_id for m in messages])
        batch = _Batch([m.message_id for m in messages])
        with self._lock:
            connection = self._connection
            if connection is None:
                raise PublishError("RabbitMQ connection closed", failed_ids=batch.ids)
            connection.ioloop.add_callback_threadsafe(lambda: self._write(batch, messages))
            finished = batch.done.wait(self.confirm_timeout)
        if not finished:
            self._fail_batch(batch, "no confirm within timeout")
        if batch.failed:
            reasons = sorted(set(batch.failed.values()))
            raise PublishError("; ".join(reasons), failed_ids=list(batch.failed),
                               confirmed_ids=[i for i in batch.ids if i in batch.confirmed])
        return [i for i in batch.ids if i in batch.confirmed]

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="duban-publisher", daemon=True)
                self._thread.start()

    def close(self) -> None:
        self._stopping = True
        connection = self._connection
        if connection is not None:
            connection.ioloop.add_callback_threadsafe(self._shutdown)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _shutdown(self) -> None:
        connection = self._connection
        if connection is not None and connection.is_open:
            connection.close()
        elif connection is not None:
            connection.ioloop.stop()

    def _run(self) -> None:
        while not self._stopping:
            self._connection = SelectConnection(
                self.parameters, on_open_callback=self._on_open,
                on_open_error_callback=self._on_open_error, on_close_callback=self._on_closed)
            self._connection.ioloop.start()
            self._connection.ioloop.close()  # releases the loop's wake-up socket pair
            if not self._stopping:
                delay = self._reconnect_delay
                self._reconnect_delay = min(MAX_RECONNECT_DELAY, delay * 2)
                threading.Event().wait(delay)

    def _on_open(self, connection: SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel_open)

    def _on_open_error(self, connection: SelectConnection, error: Exception) -> None:
        log.warning("rabbitmq connection failed", extra={"error": str(error)})
        connection.ioloop.stop()

    def _on_closed(self, connection: SelectConnection, reason: Exception) -> None:
        self._ready.clear()
        self._channel = None
        for batch, message_id in list(self._pending.values()):
            batch.settle(message_id, False, f"connection closed: {reason}")
        self._pending.clear()
        if not self._stopping:
            log.warning("rabbitmq connection closed; reconnecting", extra={"reason": str(reason)})
        connection.ioloop.stop()

    def _on_channel_open(self, channel: Any) -> None:
        self._channel = channel
        self._tag = 0
        channel.add_on_return_callback(self._on_return)
        channel.add_on_close_callback(self._on_channel_closed)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm)
        self._reconnect_delay = 0.5
        self._ready.set()

    def _on_channel_closed(self, channel: Any, reason: Exception) -> None:
        if not self._stopping:
            log.warning("rabbitmq channel closed", extra={"reason": str(reason)})
        connection = self._connection
        if connection is not None and connection.is_open and not self._stopping:
            connection.close()

    # -- in the I/O thread -------------------------------------------------------------------
    def _write(self, batch: _Batch, messages: Sequence[OutgoingMessage]) -> None:
        channel = self._channel
        if channel is None or not channel.is_open:
            self._fail_batch(batch, "channel not open")
            return
        for message in messages:
            self._tag += 1
            self._pending[self._tag] = (batch, message.message_id)
            properties = pika.BasicProperties(
                message_id=message.message_id, content_type="application/json", delivery_mode=2,
                type=message.routing_key)
            channel.basic_publish(self.exchange, message.routing_key, message.body.encode(), properties,
                                  mandatory=True)

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        ok = isinstance(method, Basic.Ack)
        tags = ([t for t in self._pending if t <= method.delivery_tag] if method.multiple
                else [method.delivery_tag])
        for tag in tags:
            entry = self._pending.pop(tag, None)
            if entry is not None:
                entry[0].settle(entry[1], ok, "" if ok else "nacked by the broker")

    def _on_return(self, channel: Any, method: Any, properties: Any, body: bytes) -> None:
        UNROUTABLE.labels(method.routing_key).inc()
        for batch, message_id in self._pending.values():
            if message_id == properties.message_id:
                batch.settle(message_id, False, f"unroutable: {method.routing_key} ({method.reply_text})")
                break

    def _fail_batch(self, batch: _Batch, reason: str) -> None:
        for message_id in batch.ids:
            if message_id not in batch.confirmed:
                batch.settle(message_id, False, reason)
        batch.done.set()
