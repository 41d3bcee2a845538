"""整改通知书 and its life: issued → acknowledged → reported → closed (销号), or returned and reported again;
withdrawn when its source goes away. Pure domain: no Flask, SQLAlchemy or pika.

The department's deadline runs on the clock contract (kind ``rectification``): it starts at issue, stops
when the department reports, starts again with the resubmission limit after a failed verification, and
moves when an extension is approved. Monitoring reminds and cards an overdue notice like any deadline.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.rectification.handling import Handled
from services.rectification.rules import OPEN, NoticePolicy, NoticeStatus, SourceKind
from shared.domain import Actor, require_text
from shared.errors import InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events import clocks as C
from shared.events import rectification as E

CLOCK = "rectification"


@dataclass
class Notice(Handled):
    NOUN = ("通知书", "notice")
    OWNER = ("被通知单位", "notified department")

    id: str
    number: str                 # 整改〔2026〕0001号
    department: str
    source_kind: SourceKind
    source_ref: dict[str, str]  # {"service", "id", "number"} of the case it came from
    findings: str
    requirements: str
    deadline_workdays: int
    issued_at: datetime
    issued_by: str
    due_at: datetime
    status: NoticeStatus = NoticeStatus.ISSUED
    rounds: int = 0             # failed verifications so far
    extension_days: int = 0
    closed_on_time: bool | None = None  # set at 销号: the accepted report came before the due time
    history: list[dict[str, Any]] = field(default_factory=list)  # reports, verifications, extensions
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @property
    def source(self) -> dict[str, Any]:
        return {"kind": self.source_kind.value, "ref": self.source_ref}

    @classmethod
    def issue(cls, *, id: str, number: str, department: str, source_kind: SourceKind, source_ref: dict[str, str],
              findings: str, requirements: str, deadline_workdays: int, due_at: datetime, now: datetime,
              actor: str) -> Notice:
        require_text(findings, "findings", minimum=2)
        notice = cls(id, number, department, source_kind, source_ref, findings.strip(), requirements.strip(),
                     deadline_workdays, now, actor, due_at)
        notice._emit(E.NoticeIssued, now, findings=notice.findings, due_at=due_at)
        notice._clock(C.ClockStarted, now, "issued", department=department, limit_amount=deadline_workdays,
                      limit_unit="working_days", due_at=due_at)
        return notice

    # -- the department ----------------------------------------------------------------------------
    def acknowledge(self, *, actor: Actor, now: datetime) -> None:
        """签收."""
        self._own(actor)
        self._require(NoticeStatus.ISSUED, action="acknowledge")
        self.status = NoticeStatus.ACKNOWLEDGED
        self._log(now, actor, "acknowledged")
        self._emit(E.NoticeAcknowledged, now)

    def report(self, *, actor: Actor, measures: str, evidence: list[dict[str, Any]], now: datetime) -> None:
        """整改报告: the measures taken, with evidence; the department's clock stops until verification."""
        self._own(actor)
        self._require(NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.RETURNED, action="report")
        require_text(measures, "measures", minimum=5)
        if (pending := self.pending_extension) is not None:  # reporting withdraws an undecided extension request
            pending.update(decided=True, withdrawn=True)
        self.status = NoticeStatus.REPORTED
        self._log(now, actor, "reported", measures=measures.strip(), evidence=evidence)
        self._emit(E.NoticeReported, now, round=self.rounds + 1)
        self._clock(C.ClockStopped, now, f"reported-{self.rounds}")

    def request_extension(self, *, actor: Actor, days: int, reason: str, policy: NoticePolicy, now: datetime) -> None:
        self._own(actor)
        self._require(NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.RETURNED, action="extension")
        require_text(reason, "reason", minimum=5)
        if self.pending_extension is not None:
            raise InvalidTransition("已有待审核的延期申请 / an extension request is pending")
        remaining = policy.max_extension_workdays - self.extension_days
        if not 1 <= days <= remaining:
            raise InvalidInput(f"延期天数应为 1–{remaining} 个工作日 / days must be 1–{remaining}",
                               {"days": [f"between 1 and {remaining}"]})
        self._log(now, actor, "extension_requested", days=days, reason=reason.strip(), decided=False)

    @property
    def pending_extension(self) -> dict[str, Any] | None:
        return next((h for h in self.history if h["action"] == "extension_requested" and not h["decided"]), None)

    # -- the inspector -----------------------------------------------------------------------------
    def decide_extension(self, *, actor: Actor, approve: bool, comment: str, due_at: datetime | None,
                         now: datetime) -> None:
        self._require(NoticeStatus.ISSUED, NoticeStatus.ACKNOWLEDGED, NoticeStatus.RETURNED, action="decide_extension")
        request = self.pending_extension
        if request is None:
            raise InvalidTransition("没有待审核的延期申请 / no extension request is pending")
        request["decided"] = True
        self._log(now, actor, "extension_approved" if approve else "extension_rejected", comment=comment)
        if approve:
            assert due_at is not None
            self.extension_days += request["days"]
            self.due_at = due_at
            self._emit(E.NoticeExtended, now, days=request["days"], due_at=due_at)
            self._clock(C.ClockDueChanged, now, f"extended-{self.extension_days}", due_at=due_at)

    def verify(self, *, actor: Actor, passed: bool, comment: str, resubmit_due_at: datetime, policy: NoticePolicy,
               now: datetime) -> None:
        """验收: pass closes it (销号); fail returns it with comments and a new, shorter deadline."""
        self._require(NoticeStatus.REPORTED, action="verify")
        if not passed:
            require_text(comment, "comment", minimum=2)
            self.rounds += 1
            self.status, self.due_at = NoticeStatus.RETURNED, resubmit_due_at
            self._log(now, actor, "returned", comment=comment.strip())
            self._emit(E.NoticeReturned, now, round=self.rounds, comment=comment.strip(), due_at=resubmit_due_at)
            self._clock(C.ClockStarted, now, f"returned-{self.rounds}", department=self.department,
                        limit_amount=policy.resubmit_workdays, limit_unit="working_days", due_at=resubmit_due_at)
            return
        self.status = NoticeStatus.CLOSED
        reported = next(h for h in reversed(self.history) if h["action"] == "reported")
        self.closed_on_time = datetime.fromisoformat(reported["at"]) <= self.due_at
        self._log(now, actor, "closed", comment=comment.strip())
        self._emit(E.NoticeClosed, now, comment=comment.strip())

    def withdraw(self, *, reason: str, now: datetime) -> bool:
        """The source went away (a revoked card); a closed notice stays closed."""
        if self.status not in OPEN:
            return False
        self.status = NoticeStatus.WITHDRAWN
        self.history.append({"at": now.isoformat(), "by": "system", "action": "withdrawn", "reason": reason})
        self._emit(E.NoticeWithdrawn, now, reason=reason)
        self._clock(C.ClockStopped, now, "withdrawn", outcome="cancelled")
        return True

    def republish(self, now: datetime) -> None:
        """Republish the notice as it stands (``rectification.notice.snapshot``)."""
        self._emit(E.NoticeSnapshot, now, findings=self.findings, issued_at=self.issued_at, due_at=self.due_at)

    # -- helpers -----------------------------------------------------------------------------------
    def _emit(self, event: builtins.type[E.NoticeEvent], now: datetime, **data: Any) -> None:
        self.events.append(event(notice_id=self.id, number=self.number, department=self.department,
                                 status=self.status.value, source=self.source, at=now, **data))

    def _clock(self, command: builtins.type[C.ClockCommand], now: datetime, step: str, **data: Any) -> None:
        self.events.append(command(key=f"{self.id}:{step}", subject_service="rectification", subject_kind="notice",
                                   subject_id=self.id, subject_ref=self.number, kind=CLOCK, at=now, **data))
