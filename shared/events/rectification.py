"""Events of rectification (整改): notices raised, answered, verified and closed (``rectification.notice.*``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class NoticeEvent(DomainEvent):
    """What every notice event carries: the notice, its department and where it came from."""

    notice_id: str
    number: str
    department: str
    status: str
    source: dict[str, Any]   # {"kind": "red_card"|"spot_check"|"callback"|"review"|"manual", "ref": {...}}
    at: datetime


@dataclass(frozen=True, kw_only=True)
class NoticeIssued(NoticeEvent):
    """整改通知书 issued with its findings, requirements and due time."""

    TYPE = "rectification.notice.issued"

    findings: str
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class NoticeAcknowledged(NoticeEvent):
    """The department acknowledged the notice (签收)."""

    TYPE = "rectification.notice.acknowledged"


@dataclass(frozen=True, kw_only=True)
class NoticeReported(NoticeEvent):
    """The department reported its measures (整改报告)."""

    TYPE = "rectification.notice.reported"

    round: int


@dataclass(frozen=True, kw_only=True)
class NoticeReturned(NoticeEvent):
    """The inspector found the rectification insufficient and returned it (退回重改)."""

    TYPE = "rectification.notice.returned"

    round: int
    comment: str
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class NoticeExtended(NoticeEvent):
    """An extension was approved (延期)."""

    TYPE = "rectification.notice.extended"

    days: int
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class NoticeClosed(NoticeEvent):
    """验收销号: the rectification was verified; a card that raised it is cleared."""

    TYPE = "rectification.notice.closed"

    comment: str


@dataclass(frozen=True, kw_only=True)
class NoticeWithdrawn(NoticeEvent):
    """The source went away (a revoked card): the notice is withdrawn."""

    TYPE = "rectification.notice.withdrawn"

    reason: str
