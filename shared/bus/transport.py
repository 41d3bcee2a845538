"""The transport interface. The in-process transport and the RabbitMQ transport both implement it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    routing_key: str
    body: str


class PublishError(RuntimeError):
    """The broker did not confirm a message; the outbox keeps it and the relay tries again."""

    def __init__(self, message: str, failed_ids: Sequence[str] = (),
                 confirmed_ids: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.failed_ids = list(failed_ids)
        self.confirmed_ids = list(confirmed_ids)


# A handler receives (message_id, routing_key, body) and returns only after its transaction commits.
MessageHandler = Callable[[str, str, str], object]


class Transport(Protocol):
    def publish(self, messages: Sequence[OutgoingMessage]) -> list[str]:
        """Publish a batch; return the ids that were confirmed. Raises PublishError if none were."""
        ...

    def bind(self, queue: str, patterns: Sequence[str], handler: MessageHandler) -> None:
        """Declare a service's queue, bound to ``patterns``, delivering to ``handler``."""
        ...
