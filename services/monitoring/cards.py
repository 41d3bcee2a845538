"""Yellow and red cards (黄牌/红牌) and their lifecycle. Pure domain: no Flask, SQLAlchemy or pika.

issued → confirmed (an inspector confirms) → cleared (销号, after the rectification was verified);
issued or confirmed → revoked (撤销, an inspector, with a reason). The department acknowledges
(签收确认) once, at any time until the card is revoked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.monitoring.model import Signal, Subject
from services.monitoring.rules import CardColor, CardRule, CardSource, CardStatus, MonitoringPolicy, Stage, label
from shared.domain import Actor, require_text
from shared.errors import Forbidden, InvalidTransition
from shared.events import DomainEvent
from shared.events.monitoring import (
    CardAcknowledged,
    CardCleared,
    CardConfirmed,
    CardEvent,
    CardIssued,
    CardRevoked,
    CardSnapshot,
)

SWEEPER = "system:sweep"


@dataclass(frozen=True)
class YellowRef:
    """A yellow card as the accumulation rule sees it."""

    id: str
    department: str
    ref: str
    issued_at: datetime


@dataclass
class Card:
    id: str
    color: CardColor
    source: CardSource
    rule: CardRule
    department: str
    reason: str
    issued_at: datetime
    issued_by: str
    subject: Subject | None = None
    clock_id: str | None = None
    status: CardStatus = CardStatus.ISSUED
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    acknowledge_note: str = ""
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None
    cleared_at: datetime | None = None
    cleared_by: str | None = None
    clear_note: str | None = None
    # A yellow card counted towards an accumulation red card names it; that red card names the yellow
    # that completed the count (unique, so two sweepers cannot both issue it).
    escalated_to: str | None = None
    escalation_key: str | None = None
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    # -- issuing -----------------------------------------------------------------------------
    @classmethod
    def for_signal(cls, signal: Signal, *, id: str, now: datetime) -> Card:
        """The automatic card for a clock's yellow or red threshold."""
        yellow = signal.stage is Stage.YELLOW
        return cls._issue(id=id, color=CardColor.YELLOW if yellow else CardColor.RED, source=CardSource.AUTO,
                   rule=CardRule.DUE if yellow else CardRule.OVERDUE, department=signal.department,
                   reason=signal.reason, issued_at=now, issued_by=SWEEPER, subject=signal.subject,
                   clock_id=signal.clock_id)

    @classmethod
    def manual(cls, *, id: str, color: CardColor, department: str, reason: str, subject: Subject | None,
               actor: Actor, now: datetime) -> Card:
        """An inspector's card for abnormal handling (无正当理由拒办、违规收费 …)."""
        require_text(reason, "reason", minimum=2)
        return cls._issue(id=id, color=color, source=CardSource.MANUAL, rule=CardRule.MANUAL, department=department,
                   reason=reason.strip(), issued_at=now, issued_by=actor.username, subject=subject)

    @classmethod
    def accumulation(cls, *, id: str, yellows: Sequence[YellowRef], now: datetime,
                     policy: MonitoringPolicy) -> Card:
        """The red card for the Nth yellow card of one department within the window; cites them all."""
        days = policy.yellow_window.days
        cited = "、".join(y.ref or y.id for y in yellows)
        reason = (f"{days}日内第{len(yellows)}张黄牌（{cited}）/ yellow card no. {len(yellows)} within {days} "
                  f"days: {', '.join(y.id for y in yellows)}")
        return cls._issue(id=id, color=CardColor.RED, source=CardSource.AUTO, rule=CardRule.ACCUMULATION,
                   department=yellows[-1].department, reason=reason, issued_at=now, issued_by=SWEEPER,
                   escalation_key=yellows[-1].id)

    @classmethod
    def _issue(cls, **values: Any) -> Card:
        card = cls(**values)
        card.events.append(CardIssued(
            card_id=card.id, color=card.color.value, department=card.department, reason=card.reason,
            source=card.source.value, rule=card.rule.value,
            subject=card.subject.as_dict() if card.subject else None, clock_id=card.clock_id,
            issued_at=card.issued_at))
        return card

    # -- lifecycle ---------------------------------------------------------------------------
    def confirm(self, *, actor: Actor, now: datetime, note: str = "") -> None:
        """An inspector confirms the card stands (确认)."""
        self._require(CardStatus.ISSUED, action="confirm")
        self.status, self.confirmed_at, self.confirmed_by = CardStatus.CONFIRMED, now, actor.username
        self._emit(CardConfirmed, at=now, by=actor.username, note=note)

    def acknowledge(self, *, actor: Actor, now: datetime, note: str = "") -> None:
        """The carded department acknowledges it (签收确认), once, unless the card was revoked."""
        if self.department not in actor.departments:
            raise Forbidden("只有被亮牌单位可以签收 / only the carded department may acknowledge")
        self._require(CardStatus.ISSUED, CardStatus.CONFIRMED, CardStatus.CLEARED, action="acknowledge")
        if self.acknowledged_at is not None:
            raise InvalidTransition("该牌已签收 / the card was already acknowledged",
                                    {"acknowledged_at": [self.acknowledged_at.isoformat()]})
        self.acknowledged_at, self.acknowledged_by, self.acknowledge_note = now, actor.username, note.strip()
        self._emit(CardAcknowledged, at=now, by=actor.username, note=note)

    def revoke(self, *, actor: Actor, reason: str, now: datetime) -> None:
        """An inspector withdraws a card issued in error (撤销), with a reason."""
        require_text(reason, "reason", minimum=2)
        self._require(CardStatus.ISSUED, CardStatus.CONFIRMED, action="revoke")
        self.status, self.revoked_at, self.revoked_by = CardStatus.REVOKED, now, actor.username
        self.revoke_reason = reason.strip()
        self._emit(CardRevoked, at=now, by=actor.username, reason=self.revoke_reason)

    def clear(self, *, actor: Actor, note: str, now: datetime) -> None:
        """销号: the rectification was verified; the card is closed but still counts in the scores."""
        require_text(note, "note", minimum=2)
        self._require(CardStatus.CONFIRMED, action="clear")
        self.status, self.cleared_at, self.cleared_by = CardStatus.CLEARED, now, actor.username
        self.clear_note = note.strip()
        self._emit(CardCleared, at=now, by=actor.username, note=self.clear_note)

    def clear_by_rectification(self, *, notice: str, now: datetime) -> bool:
        """销号 after the rectification notice this card raised was verified and closed. An automatic card is
        often never confirmed by hand, so an issued card clears too; a revoked or cleared one stays."""
        if self.status not in (CardStatus.ISSUED, CardStatus.CONFIRMED):
            return False
        self.status, self.cleared_at, self.cleared_by = CardStatus.CLEARED, now, "system:rectification"
        self.clear_note = f"整改通知书{notice}已验收销号 / rectification {notice} verified"
        self._emit(CardCleared, at=now, by="system:rectification", note=self.clear_note)
        return True

    def snapshot(self) -> dict[str, Any]:
        """What the audit trail records of a card."""
        return {"status": self.status.value, "color": self.color.value, "department": self.department,
                "acknowledged_at": self.acknowledged_at, "revoke_reason": self.revoke_reason,
                "clear_note": self.clear_note, "escalated_to": self.escalated_to, "version": self.version}

    def _require(self, *allowed: CardStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"该牌当前为“{label(self.status)}”，不能执行“{action}” / cannot {action} a {self.status.value} card",
                {"status": [self.status.value], "allowed": [s.value for s in allowed]})

    def republish(self, now: datetime) -> None:
        """The card as it stands, as a ``monitoring.card.snapshot`` event (a consumer rebuilds its copy)."""
        self.events.append(CardSnapshot(card_id=self.id, color=self.color.value, department=self.department,
                                        reason=self.reason, source=self.source.value, rule=self.rule.value,
                                        subject=self.subject.as_dict() if self.subject else None,
                                        clock_id=self.clock_id, issued_at=self.issued_at, status=self.status.value))

    def _emit(self, event: type[CardEvent], *, at: datetime, by: str, **data: Any) -> None:
        self.events.append(event(card_id=self.id, color=self.color.value, department=self.department,
                                 status=self.status.value, at=at, by=by, **data))


def accumulation_groups(yellows: Sequence[YellowRef], policy: MonitoringPolicy) -> list[list[YellowRef]]:
    """Groups of N yellow cards that each earn a red card (黄牌累计).

    ``yellows`` are one department's yellow cards inside the window that are neither revoked nor already
    counted towards a red card; every full group of N, oldest first, earns one red card, so three
    yellows give one red and six give two.
    """
    ordered = sorted(yellows, key=lambda y: (y.issued_at, y.id))
    n = policy.yellows_for_red
    return [ordered[i:i + n] for i in range(0, len(ordered) - n + 1, n)]


