"""The event envelope, the contract between services (DESIGN §4)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.ids import new_id
from shared.jsonutil import dumps


class UndecodableMessage(ValueError):
    """A message body that is not a valid envelope; it can never succeed, so it is dead-lettered."""


@dataclass(frozen=True)
class Event:
    """One immutable event. ``type`` is its routing key ``<service>.<aggregate>.<event>``."""

    type: str
    data: dict[str, Any]
    occurred_at: datetime
    producer: str
    version: int = 1
    id: str = field(default_factory=new_id)
    correlation_id: str | None = None
    causation_id: str | None = None

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must carry a UTC offset")
        if self.type.count(".") < 2:
            raise ValueError(f"event type must be <service>.<aggregate>.<event>, got {self.type!r}")

    def to_json(self) -> str:
        return dumps({
            "id": self.id, "type": self.type, "version": self.version,
            "occurred_at": self.occurred_at.isoformat(), "producer": self.producer,
            "correlation_id": self.correlation_id, "causation_id": self.causation_id,
            "data": self.data,
        })

    @classmethod
    def from_json(cls, body: str | bytes) -> Event:
        """Decode an envelope; unknown top-level fields are ignored (consumers tolerate additions)."""
        try:
            raw = json.loads(body)
            return cls(
                id=str(raw["id"]), type=str(raw["type"]), version=int(raw.get("version", 1)),
                occurred_at=datetime.fromisoformat(raw["occurred_at"]), producer=str(raw["producer"]),
                correlation_id=raw.get("correlation_id"), causation_id=raw.get("causation_id"),
                data=dict(raw["data"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise UndecodableMessage(f"not a Duban event envelope: {exc}") from exc


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head == "*" or head == words[0]) and _match(rest, words[1:])
