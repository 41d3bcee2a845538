"""The audit chain's head, published by every service so that a truncated chain can be caught.

A hash chain proves no row was changed relative to its head; someone who deletes the last rows and
rewinds the head leaves a chain that verifies. Each service therefore publishes its head
(``<service>.audit.head``) every few minutes and at shutdown; monitoring keeps the highest head it has
received from each, and ``duban audit verify <service>`` compares the chain with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class AuditHeadPublished(DomainEvent):
    """A service's audit chain ended at ``seq`` with ``hash`` at ``at``."""

    TYPE = "*.audit.head"

    service: str
    seq: int
    hash: str
    at: datetime
