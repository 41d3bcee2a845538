"""Events of "双随机、一公开" spot checks (``spotcheck.*``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PlanPublished(DomainEvent):
    """A plan was published: its population is frozen and hashed and its seed committed (一公开)."""

    TYPE = "spotcheck.plan.published"

    plan_id: str
    name: str
    departments: list[str]
    population_sha256: str
    commitment: dict[str, str]   # {"kind": "sha256"|"beacon", "value": …}
    targets: int
    published_at: datetime


@dataclass(frozen=True, kw_only=True)
class DrawCompleted(DomainEvent):
    """The draw of a plan: which targets, with which teams (the record is public)."""

    TYPE = "spotcheck.draw.completed"

    plan_id: str
    draw_id: str
    algorithm: str
    population_sha256: str
    selections: int
    drawn_at: datetime


@dataclass(frozen=True, kw_only=True)
class DrawFailed(DomainEvent):
    """The draw could not respect 回避 with the pool it had; the failure is recorded."""

    TYPE = "spotcheck.draw.failed"

    plan_id: str
    reason: str
    drawn_at: datetime


@dataclass(frozen=True, kw_only=True)
class ResultRecorded(DomainEvent):
    """An inspection's result (检查结果); ``finding`` results open rectification notices."""

    TYPE = "spotcheck.result.recorded"

    plan_id: str
    draw_id: str
    uscc: str
    target_name: str
    department: str
    category: str
    finding: bool
    summary: str
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True)
class ResultPublished(DomainEvent):
    """A result was published (一公开)."""

    TYPE = "spotcheck.result.published"

    plan_id: str
    uscc: str
    category: str
    published_at: datetime


# -- snapshots (``duban events replay-snapshots spotcheck``) ----------------------------------------
@dataclass(frozen=True, kw_only=True)
class PlanSnapshot(PlanPublished):
    """A published plan as it stands now, republished on request (a consumer rebuilds its copy)."""

    TYPE = "spotcheck.plan.snapshot"

    status: str


@dataclass(frozen=True, kw_only=True)
class DrawSnapshot(DrawCompleted):
    """A plan's draw, republished on request."""

    TYPE = "spotcheck.draw.snapshot"


@dataclass(frozen=True, kw_only=True)
class ResultSnapshot(ResultRecorded):
    """An inspection's result as it stands now (published or not), republished on request."""

    TYPE = "spotcheck.result.snapshot"

    published_at: datetime | None = None
