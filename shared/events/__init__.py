"""Typed, versioned events: the only contract between services (DESIGN §4).

Every event a service publishes is a frozen dataclass here, under ``shared/events/<service>.py``, so a
consumer reads fields instead of string keys and no service imports another. Pure Python: importing
this package loads no Flask, SQLAlchemy or pika.

Aggregates append events to their ``events`` list; the unit of work collects them from every aggregate
its repositories saw and writes them to the outbox in the same transaction as the state change. On the
wire each event travels in the envelope of ``shared.bus.envelope`` with ``type`` = its routing key.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self

__all__ = ["EVENTS", "DomainEvent", "EventSource", "InvalidEventData", "event_class"]


class InvalidEventData(ValueError):
    """An event's data lacks a required field or has one of the wrong type; it can never be applied."""


class _Envelope(Protocol):
    @property
    def type(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


EVENTS: dict[str, type[DomainEvent]] = {}


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. Subclasses set ``TYPE`` (the routing key) and ``VERSION``.

    Datetime fields travel as ISO-8601 strings with their offset; other fields must be JSON values.
    Decoding ignores fields it does not know, so producers can add fields without breaking consumers.
    """

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("TYPE"):
            if cls.TYPE.count(".") != 2:
                raise TypeError(f"event type must be <service>.<aggregate>.<event>: {cls.TYPE!r}")
            if cls.TYPE in EVENTS:
                raise TypeError(f"two classes for event {cls.TYPE!r}")
            EVENTS[cls.TYPE] = cls

    @classmethod
    def routing_key(cls, producer: str) -> str:
        """The routing key when ``producer`` publishes it: ``TYPE``, or for a contract every service
        speaks (``*.clock.started``) the producer's own name in place of the ``*``."""
        return f"{producer}.{cls.TYPE[2:]}" if cls.TYPE.startswith("*.") else cls.TYPE

    @classmethod
    def matches(cls, routing_key: str) -> bool:
        if cls.TYPE.startswith("*."):
            return routing_key.split(".", 1)[-1] == cls.TYPE[2:]
        return routing_key == cls.TYPE

    def to_data(self) -> dict[str, Any]:
        """The event's ``data`` as JSON values."""
        values = dict(vars(self))  # a frozen dataclass without slots: its fields are its __dict__
        for name in _datetime_fields(type(self)):
            value = values[name]
            if value is not None:
                values[name] = value.isoformat()
        return values

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        """Decode ``data``; unknown keys are ignored, a missing required one raises InvalidEventData."""
        names = _field_names(cls)
        values = {k: v for k, v in data.items() if k in names}
        try:
            for name in _datetime_fields(cls):
                raw = values.get(name)
                if isinstance(raw, str):
                    moment = datetime.fromisoformat(raw)
                    if moment.tzinfo is None:
                        raise ValueError(f"{name} must carry a UTC offset, got {raw!r}")
                    values[name] = moment
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise InvalidEventData(f"{cls.TYPE}: {exc}") from exc

    @classmethod
    def from_event(cls, event: _Envelope) -> Self:
        """Decode the data of an envelope of this type."""
        if cls.TYPE and not cls.matches(event.type):
            raise InvalidEventData(f"expected {cls.TYPE}, got {event.type}")
        return cls.from_data(event.data)


class EventSource(Protocol):
    """An aggregate: it records what happened as events, which the unit of work collects on commit."""

    events: list[DomainEvent]


def event_class(type_: str) -> type[DomainEvent]:
    """The class of a routing key (after the event modules are imported: ``shared.events.catalogue``)."""
    return EVENTS[type_]


# Per class, worked out once: events are encoded by the thousand in a monitoring sweep.
_FIELD_NAMES: dict[type, frozenset[str]] = {}
_DATETIME_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type[DomainEvent]) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def _datetime_fields(cls: type[DomainEvent]) -> tuple[str, ...]:
    names = _DATETIME_FIELDS.get(cls)
    if names is None:
        hints = typing.get_type_hints(cls)
        names = _DATETIME_FIELDS[cls] = tuple(f.name for f in fields(cls) if _is_datetime(hints[f.name]))
    return names


def _is_datetime(hint: Any) -> bool:
    return hint is datetime or datetime in typing.get_args(hint)
