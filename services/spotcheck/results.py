"""检查结果: the result of one inspection of a drawn target, and its publication. Pure domain.

Recording a result starts the publication clock through the clock contract (20 working days,
《企业信息公示暂行条例》第6条), so the monitoring service cards a late publication like any other
deadline; publishing stops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.spotcheck.rules import PUBLICATION_LIMIT_WORKDAYS, ResultCategory
from shared.domain import require_text
from shared.errors import InvalidTransition
from shared.events import DomainEvent
from shared.events.clocks import ClockStarted, ClockStopped
from shared.events.spotcheck import ResultPublished, ResultRecorded, ResultSnapshot

PUBLICATION_CLOCK = "publication"


@dataclass
class Result:
    plan_id: str
    draw_id: str
    uscc: str
    target_name: str
    department: str               # the department whose staff recorded it (it publishes it in time)
    category: ResultCategory
    summary: str
    notes: str
    attachments: list[dict[str, Any]]   # metadata only: {"name", "size", "sha256"}
    inspectors: list[dict[str, str]]    # the team of the draw: name, certificate number, department
    recorded_at: datetime
    recorded_by: str
    published_at: datetime | None = None
    notice_number: str | None = None    # 整改通知书 raised from a finding (linked back by rectification's event)
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def finding(self) -> bool:
        return self.category.finding

    @property
    def subject_id(self) -> str:
        return f"{self.plan_id}:{self.uscc}"

    @property
    def id(self) -> str:
        """plan:uscc, the order snapshots page in."""
        return self.subject_id

    @classmethod
    def record(cls, *, plan_id: str, draw_id: str, target: dict[str, Any], inspectors: list[dict[str, str]],
               department: str, category: ResultCategory, summary: str, notes: str,
               attachments: list[dict[str, Any]], now: datetime, actor: str) -> Result:
        require_text(summary, "summary", minimum=2)
        result = cls(plan_id, draw_id, target["uscc"], target["name"], department, category, summary.strip(),
                     notes.strip(), attachments, inspectors, now, actor)
        result.events.append(ResultRecorded(
            plan_id=plan_id, draw_id=draw_id, uscc=result.uscc, target_name=result.target_name,
            department=department, category=category.value, finding=category.finding, summary=result.summary,
            recorded_at=now))
        result.events.append(ClockStarted(
            key=f"{result.subject_id}:publication", subject_service="spotcheck", subject_kind="result",
            subject_id=result.subject_id, subject_ref=f"{result.target_name}（{result.uscc}）",
            kind=PUBLICATION_CLOCK, at=now, department=department, limit_amount=PUBLICATION_LIMIT_WORKDAYS,
            limit_unit="working_days"))
        return result

    def republish(self, now: datetime) -> None:
        """The result as it stands (``spotcheck.result.snapshot``), for a consumer rebuilding its copy."""
        self.events.append(ResultSnapshot(
            plan_id=self.plan_id, draw_id=self.draw_id, uscc=self.uscc, target_name=self.target_name,
            department=self.department, category=self.category.value, finding=self.finding, summary=self.summary,
            recorded_at=self.recorded_at, published_at=self.published_at))

    def publish(self, *, now: datetime) -> None:
        """一公开: publish the result; the publication clock stops (on time or late)."""
        if self.published_at is not None:
            raise InvalidTransition("结果已公示 / the result was published already")
        self.published_at = now
        self.events.append(ResultPublished(plan_id=self.plan_id, uscc=self.uscc, category=self.category.value,
                                           published_at=now))
        self.events.append(ClockStopped(
            key=f"{self.subject_id}:published", subject_service="spotcheck", subject_kind="result",
            subject_id=self.subject_id, subject_ref=f"{self.target_name}（{self.uscc}）", kind=PUBLICATION_CLOCK,
            at=now))

    def public_view(self) -> dict[str, Any]:
        """What the public reads: the target, the result and the team by name and certificate number only."""
        return {"uscc": self.uscc, "target_name": self.target_name, "category": self.category.value,
                "summary": self.summary, "published_at": self.published_at, "notice_number": self.notice_number,
                "inspectors": [{"name": i["name"], "certificate_no": i["certificate_no"]} for i in self.inspectors]}
