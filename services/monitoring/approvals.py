"""Approval items (行政审批事项) reported by external licensing systems. Pure domain.

Each item runs two clocks for its department: the statutory limit (法定时限, 《行政许可法》第42条:
20 working days, 45 for joint handling) and, when the agency published one, the shorter promised limit
(承诺时限). Excluded periods (第45条: 听证、专家评审 …) pause both; one extension (+10, joint +15)
moves the statutory one; completion stops both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import ApprovalPolicy, ApprovalStatus, ClockKind, MonitoringPolicy, label
from shared.calendar import TimeLimit, WorkCalendar
from shared.errors import InvalidInput, InvalidTransition

SUBJECT_SERVICE = "approval"
SUBJECT_KIND = "item"


@dataclass
class Approval:
    id: str
    system: str
    external_id: str
    item_name: str
    department: str
    accepted_at: datetime
    joint: bool
    promised_days: int | None
    created_at: datetime
    status: ApprovalStatus = ApprovalStatus.RUNNING
    extended: bool = False
    pause_reason: str | None = None
    completed_at: datetime | None = None
    version: int = 0
    clocks: list[SupervisedClock] = field(default_factory=list)

    @classmethod
    def accept(cls, *, id: str, system: str, external_id: str, item_name: str, department: str,
               accepted_at: datetime, joint: bool, promised_days: int | None, now: datetime,
               calendar: WorkCalendar, policy: MonitoringPolicy, limits: ApprovalPolicy,
               new_id: Callable[[], str], rules_version: int = 0) -> Approval:
        """受理: start the statutory clock and, if promised, the promised one, from the acceptance."""
        if accepted_at > now:
            raise InvalidInput("受理时间不能晚于当前时间 / accepted_at is in the future",
                               {"accepted_at": ["in the future"]})
        statutory = limits.statutory_limit(joint)
        if promised_days is not None and not 1 <= promised_days <= statutory.amount:
            raise InvalidInput(f"承诺时限应为 1–{statutory.amount} 个工作日 / promised_days must be 1–"
                               f"{statutory.amount}", {"promised_days": [f"must not exceed {statutory.amount}"]})
        approval = cls(id=id, system=system, external_id=external_id, item_name=item_name.strip(),
                       department=department, accepted_at=accepted_at, joint=joint,
                       promised_days=promised_days, created_at=now)
        subject = Subject(SUBJECT_SERVICE, SUBJECT_KIND, id, f"{system}/{external_id}")
        wanted = [(ClockKind.APPROVAL_STATUTORY, statutory)]
        if promised_days is not None:
            wanted.append((ClockKind.APPROVAL_PROMISED, TimeLimit.workdays(promised_days)))
        for kind, limit in wanted:
            deadline = calendar.due(accepted_at, limit)
            approval.clocks.append(SupervisedClock.start(
                id=new_id(), subject=subject, kind=kind, department=department, started_at=accepted_at,
                limit=limit, due_at=deadline.due_at, provisional=deadline.provisional, calendar=calendar,
                policy=policy, rules_version=rules_version))
        return approval

    @property
    def statutory_clock(self) -> SupervisedClock:
        return next(c for c in self.clocks if c.kind is ClockKind.APPROVAL_STATUTORY)

    def pause(self, *, at: datetime, reason: str, now: datetime) -> None:
        """Excluded period begins (第45条: 听证、专家评审 …): every open clock stops counting."""
        self._require(ApprovalStatus.RUNNING, action="pause")
        self._check_at(at, now)
        if len(reason.strip()) < 2:
            raise InvalidInput("请说明暂停原因 / give the reason for the pause", {"reason": ["at least 2 characters"]})
        for clock in self._open_clocks():
            clock.pause(at)
        self.status, self.pause_reason = ApprovalStatus.PAUSED, reason.strip()

    def resume(self, *, at: datetime, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> None:
        """The excluded period ended: due times move out by the working days it covered."""
        self._require(ApprovalStatus.PAUSED, action="resume")
        self._check_at(at, now)
        for clock in self._open_clocks():
            clock.resume(at, calendar, policy)
        self.status, self.pause_reason = ApprovalStatus.RUNNING, None

    def extend(self, *, at: datetime, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy,
               limits: ApprovalPolicy) -> None:
        """延长期限 (第42条): once only; +10 working days, +15 for joint handling, statutory clock only."""
        self._require(ApprovalStatus.RUNNING, ApprovalStatus.PAUSED, action="extend")
        self._check_at(at, now)
        if self.extended:
            raise InvalidTransition("法定期限只能延长一次 / the statutory limit may be extended only once",
                                    {"extended": ["already extended"]})
        clock = self.statutory_clock
        moved = calendar.extend(clock.due_at, limits.extension_limit(self.joint))
        clock.move_due(moved.due_at, at=at, calendar=calendar, policy=policy, provisional=moved.provisional)
        self.extended = True

    def complete(self, *, at: datetime, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> None:
        """办结: stop every clock; each is on time if stopped by its own due time."""
        self._require(ApprovalStatus.RUNNING, ApprovalStatus.PAUSED, action="complete")
        self._check_at(at, now)
        for clock in self._open_clocks():
            clock.stop(at, calendar, policy)
        self.status, self.completed_at, self.pause_reason = ApprovalStatus.COMPLETED, at, None

    def snapshot(self) -> dict[str, Any]:
        """What the audit trail records of an approval."""
        return {"status": self.status.value, "extended": self.extended, "pause_reason": self.pause_reason,
                "completed_at": self.completed_at,
                "clocks": {c.kind.value: {"due_at": c.due_at, "state": c.state.value} for c in self.clocks},
                "version": self.version}

    def _open_clocks(self) -> list[SupervisedClock]:
        return [c for c in self.clocks if c.is_open]

    def _check_at(self, at: datetime, now: datetime) -> None:
        if at < self.accepted_at:
            raise InvalidInput("时间早于受理时间 / at is before the acceptance", {"at": ["before accepted_at"]})
        if at > now:
            raise InvalidInput("时间不能晚于当前时间 / at is in the future", {"at": ["in the future"]})

    def _require(self, *allowed: ApprovalStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"审批事项当前为“{label(self.status)}”，不能执行“{action}” / cannot {action} a "
                f"{self.status.value} approval",
                {"status": [self.status.value], "allowed": [s.value for s in allowed]})
