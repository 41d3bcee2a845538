"""Events of electronic monitoring (电子监察): reminders (预警) and yellow/red cards (黄牌/红牌)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class WarningIssued(DomainEvent):
    """预警: a clock is close to its deadline."""

    TYPE = "monitoring.warning.issued"

    warning_id: str
    clock_id: str
    department: str
    subject: dict[str, str]   # {"service", "kind", "id", "ref"}
    kind: str
    due_at: datetime
    issued_at: datetime
    message: str


@dataclass(frozen=True, kw_only=True)
class CardIssued(DomainEvent):
    """A yellow or red card was issued, automatically (sweep, accumulation) or by an inspector."""

    TYPE = "monitoring.card.issued"

    card_id: str
    color: str
    department: str
    reason: str
    source: str
    rule: str
    subject: dict[str, str] | None = None
    clock_id: str | None = None
    issued_at: datetime


@dataclass(frozen=True, kw_only=True)
class CardEvent(DomainEvent):
    """A step in a card's life after issue."""

    card_id: str
    color: str
    department: str
    status: str
    at: datetime
    by: str


@dataclass(frozen=True, kw_only=True)
class CardConfirmed(CardEvent):
    """确认: an inspector confirms the card stands."""

    TYPE = "monitoring.card.confirmed"

    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CardAcknowledged(CardEvent):
    """签收确认 by the department."""

    TYPE = "monitoring.card.acknowledged"

    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CardRevoked(CardEvent):
    """撤销 by an inspector, with a reason."""

    TYPE = "monitoring.card.revoked"

    reason: str | None


@dataclass(frozen=True, kw_only=True)
class CardCleared(CardEvent):
    """销号 after the rectification was verified."""

    TYPE = "monitoring.card.cleared"

    note: str | None


# -- snapshots (``duban events replay-snapshots monitoring``) ---------------------------------------
@dataclass(frozen=True, kw_only=True)
class WarningSnapshot(WarningIssued):
    """A reminder republished on request, so a consumer (the case index) can rebuild its copy."""

    TYPE = "monitoring.warning.snapshot"


@dataclass(frozen=True, kw_only=True)
class CardSnapshot(CardIssued):
    """A card as it stands now (its status after every step), republished on request."""

    TYPE = "monitoring.card.snapshot"

    status: str
