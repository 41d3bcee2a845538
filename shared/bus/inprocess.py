"""The in-process transport for embedded mode.

Publishing hands the message to every bound consumer synchronously and reports it confirmed only when
all of them committed; the outbox row stays pending otherwise, so nothing is lost if the process dies.
Asynchrony comes from the relay running after commit in a background worker (see runtime.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from shared.bus.envelope import topic_matches
from shared.bus.transport import MessageHandler, OutgoingMessage, PublishError
from shared.metrics import UNROUTABLE

log = logging.getLogger(__name__)


class InProcessTransport:
    def __init__(self) -> None:
        self._queues: dict[str, tuple[list[str], MessageHandler]] = {}
        self._lock = threading.Lock()

    def bind(self, queue: str, patterns: Sequence[str], handler: MessageHandler) -> None:
        with self._lock:
            self._queues[queue] = (list(patterns), handler)

    def publish(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        confirmed: list[str] = []
        with self._lock:
            queues = list(self._queues.items())
        for message in messages:
            targets = [h for _q, (patterns, h) in queues
                       if any(topic_matches(p, message.routing_key) for p in patterns)]
            if not targets:
                UNROUTABLE.labels(message.routing_key).inc()
            try:
                for handler in targets:
                    handler(message.message_id, message.routing_key, message.body)
            except Exception as exc:
                # Stop here so later events never overtake this one; the rest were not attempted.
                log.exception("delivery failed", extra={"message_id": message.message_id,
                                                         "routing_key": message.routing_key})
                raise PublishError(f"{message.routing_key}: {type(exc).__name__}: {exc}",
                                   failed_ids=[message.message_id], confirmed_ids=confirmed) from exc
            confirmed.append(message.message_id)
        return confirmed
