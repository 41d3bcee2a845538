"""Events of rectification (整改): notices raised, answered, verified and closed (``rectification.notice.*``),
and 好差评 reviews received, verified, answered, appealed and rated (``rectification.review.*``)."""

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


# -- 好差评 reviews (``rectification.review.*``) -------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ReviewEvent(DomainEvent):
    """What every review event carries: the review, the rated department, the channel and what was rated.
    Never the reviewer: a review names the case, not the person."""

    review_id: str
    number: str
    department: str
    channel: str              # "public" | "callback" | "system"
    subject: dict[str, Any]   # {"service", "kind", "id", "number"}: the ticket or the approval item rated
    level: int                # 1 (非常不满意) … 5 (非常满意)
    status: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class ReviewReceived(ReviewEvent):
    """A review (评价) arrived; a bad one (``bad``) starts its handling with a callback."""

    TYPE = "rectification.review.received"

    bad: bool
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class ReviewVerified(ReviewEvent):
    """回访核实: the bad review was confirmed (the department must rectify or explain) or dismissed."""

    TYPE = "rectification.review.verified"

    confirmed: bool
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ReviewResponded(ReviewEvent):
    """The department rectified (整改) or explained (解释说明); the reviewer rates the answer next."""

    TYPE = "rectification.review.responded"

    response: str             # "rectify" | "explain"


@dataclass(frozen=True, kw_only=True)
class ReviewAppealed(ReviewEvent):
    """申诉复核: the department appeals the bad review; its response clock pauses."""

    TYPE = "rectification.review.appealed"


@dataclass(frozen=True, kw_only=True)
class ReviewAppealDecided(ReviewEvent):
    """The inspector decided the appeal: upheld annuls the review, rejected sends it back to the department."""

    TYPE = "rectification.review.appeal_decided"

    upheld: bool


@dataclass(frozen=True, kw_only=True)
class ReviewRated(ReviewEvent):
    """The reviewer rated the department's answer (整改评价); the review is closed (反馈)."""

    TYPE = "rectification.review.rated"

    fix_level: int


# -- snapshots (``duban events replay-snapshots rectification``) -------------------------------------
@dataclass(frozen=True, kw_only=True)
class NoticeSnapshot(NoticeEvent):
    """A notice as it stands now, republished on request so a consumer (the case index) can rebuild its copy
    without calling rectification."""

    TYPE = "rectification.notice.snapshot"

    findings: str
    issued_at: datetime
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReviewSnapshot(ReviewEvent):
    """A review as it stands now, republished on request (never the reviewer)."""

    TYPE = "rectification.review.snapshot"

    bad: bool
    comment: str
    received_at: datetime
