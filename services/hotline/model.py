"""The 12345 ticket (工单) and its lifecycle. Pure domain: no Flask, SQLAlchemy or pika.

Flow (国办发〔2020〕53号): intake → direct answer | emergency transfer | legal-channel answer | dispatch →
sign-in → handle → reply → callback → close, with return and re-dispatch, extension, urging, reopen on
a justified 不满意, merge of duplicates and confidential tickets.
"""

from __future__ import annotations

import builtins  # ``type`` is also a field of Ticket, hiding the builtin in the class body
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.hotline.rules import (
    Channel,
    DeadlinePolicy,
    EmergencyService,
    LegalChannel,
    Resolution,
    Satisfaction,
    TicketStatus,
    TicketType,
    Urgency,
)
from services.hotline.timeline import (
    CALLBACK_CLOCK,
    DEPARTMENT_CLOCKS,
    HANDLE_CLOCK,
    SIGN_CLOCK,
    Caller,
    TicketHistory,
    TimelineEntry,
)
from shared.calendar import TimeLimit, WorkCalendar
from shared.domain import HOTLINE_OFFICE, Actor, require_text
from shared.errors import Forbidden, InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events import clocks as C
from shared.events import hotline as E
from shared.query_codes import code_digest

S = TicketStatus
OPEN_FOR_DEPARTMENT = (S.DISPATCHED, S.SIGNED, S.REOPENED)
TERMINAL = (S.CLOSED, S.MERGED)
OPEN_STATUS_VALUES = tuple(s.value for s in TicketStatus if s not in TERMINAL)  # for queries


@dataclass
class Ticket(TicketHistory):
    id: str
    number: str
    query_code: str
    type: TicketType
    urgency: Urgency
    channel: Channel
    title: str
    content: str
    caller: Caller
    address: str
    created_at: datetime
    created_by: str
    region: str | None = None    # district code (GB/T 2260) of where the matter is
    confidential: bool = False
    utility: bool = False
    status: TicketStatus = S.RECEIVED
    lead_department: str | None = None
    co_departments: list[str] = field(default_factory=list)
    dispatched_at: datetime | None = None
    sign_due_at: datetime | None = None
    handle_due_at: datetime | None = None
    return_due_at: datetime | None = None
    callback_due_at: datetime | None = None
    deadline_provisional: bool = False
    signed_at: datetime | None = None
    replied_at: datetime | None = None
    reply_content: str | None = None
    resolution: Resolution | None = None
    closed_at: datetime | None = None
    satisfaction: Satisfaction | None = None
    extension_days: int = 0
    urge_count: int = 0
    reopen_count: int = 0
    return_count: int = 0
    merged_into: str | None = None
    category: str | None = None          # code of the taxonomy (诉求分类)
    lat: float | None = None             # where the problem is (WGS-84), when the caller gave it
    long: float | None = None
    media_url: str | None = None         # a photo the citizen linked (Open311 media_url)
    # Sub-states kept as plain dicts: pending return/extension requests, merged duplicates, transfer.
    details: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    timeline: list[TimelineEntry] = field(default_factory=list)
    new_timeline: list[TimelineEntry] = field(default_factory=list, repr=False)
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    # -- intake ------------------------------------------------------------------------------
    @classmethod
    def file(cls, *, id: str, number: str, query_code: str, type: TicketType, urgency: Urgency,
             channel: Channel, title: str, content: str, caller: Caller, address: str,
             confidential: bool, utility: bool, actor: Actor, now: datetime, category: str | None = None,
             lat: float | None = None, long: float | None = None, media_url: str | None = None,
             region: str | None = None, caller_key: str | None = None) -> Ticket:
        """File a new ticket (受理); the caller is whoever phoned or wrote in."""
        if (lat is None) != (long is None):
            raise InvalidInput("经纬度需同时给出 / give both lat and long", {"long" if lat is not None else "lat":
                                                                           ["required with the other"]})
        ticket = cls(id=id, number=number, query_code=query_code, type=type, urgency=urgency,
                     channel=channel, title=title.strip(), content=content.strip(), caller=caller,
                     address=address.strip(), confidential=confidential, utility=utility,
                     created_at=now, created_by=actor.username, category=category, lat=lat, long=long,
                     media_url=media_url, region=region or None)
        ticket._record(actor, now, "received", None)
        ticket._emit(E.TicketReceived, type=type.value, urgency=urgency.value, channel=channel.value,
                     title=ticket.title, confidential=confidential, created_at=now, category=category,
                     content=ticket.content, address=ticket.address, region=ticket.region, utility=utility,
                     caller_key=caller_key)
        return ticket

    def snapshot(self, *, caller_key: str | None) -> None:
        """Republish the ticket as it stands (for consumers rebuilding their copy); changes nothing."""
        self._emit(E.TicketSnapshot, type=self.type.value, urgency=self.urgency.value, channel=self.channel.value,
                   title=self.title, content=self.content, address=self.address, region=self.region,
                   confidential=self.confidential, utility=self.utility, caller_key=caller_key,
                   created_at=self.created_at, lead_department=self.lead_department,
                   co_departments=list(self.co_departments))

    def answer_directly(self, *, actor: Actor, content: str, now: datetime, calendar: WorkCalendar,
                        policy: DeadlinePolicy, knowledge: dict[str, Any] | None = None) -> None:
        """Operator answers at once (直接答复), typically a consultation; the callback still follows.

        ``knowledge``: the knowledge-base article version the answer came from (knowledge_id, _version).
        """
        self._require(S.RECEIVED, action="answer")
        if knowledge:
            self.details["knowledge"] = dict(knowledge)
        used = {k: knowledge[k] for k in ("knowledge_id", "knowledge_version")} if knowledge else None
        self._finish_reply(actor, now, content, Resolution.DIRECT_ANSWER, "answered", None,
                           calendar, policy, extra=used)

    def answer_legal_channel(self, *, actor: Actor, channel: LegalChannel, content: str, now: datetime,
                             calendar: WorkCalendar, policy: DeadlinePolicy) -> None:
        """Explain the statutory route (诉讼、仲裁、信访 …) instead of dispatching."""
        self._require(S.RECEIVED, action="legal_channel")
        self.details["legal_channel"] = channel.value
        self._finish_reply(actor, now, content, Resolution.LEGAL_CHANNEL, "legal_channel", None,
                           calendar, policy, extra={"legal_channel": channel.value})

    def transfer_emergency(self, *, actor: Actor, service: EmergencyService, note: str,
                           now: datetime) -> None:
        """Hand over to 110/119/120/122; the hotline's part ends there."""
        self._require(S.RECEIVED, action="transfer")
        self.details["transferred_to"] = service.value
        self.resolution = Resolution.EMERGENCY_TRANSFER
        self.closed_at = now
        self._move(actor, now, "transferred", S.CLOSED, note=note, data={"service": service.value})
        self._emit(E.TicketClosed, resolution=self.resolution.value, transferred_to=service.value,
                   closed_at=now)

    # -- dispatch ----------------------------------------------------------------------------
    def dispatch(self, *, actor: Actor, lead: str, co: list[str], note: str, now: datetime,
                 calendar: WorkCalendar, policy: DeadlinePolicy) -> None:
        """派单 to a lead unit (主办) and optional co-units (协办); starts the sign and handle clocks."""
        self._require(S.RECEIVED, action="dispatch")
        self._assign(lead, co)
        self._start_clocks(now, calendar, policy)
        self._move(actor, now, "dispatched", S.DISPATCHED, department=lead, note=note,
                   data={"lead_department": lead, "co_departments": list(self.co_departments)})
        self._emit_dispatched(E.TicketDispatched, calendar, policy)
        self._time_department(now, policy)

    def _assign(self, lead: str, co: list[str]) -> None:
        co = list(dict.fromkeys(c for c in co if c))
        if lead in co:
            raise InvalidInput("主办单位不能同时是协办单位 / lead department is also a co-department",
                               {"co_departments": [f"{lead} is the lead department"]})
        self.lead_department, self.co_departments = lead, co

    def _start_clocks(self, now: datetime, calendar: WorkCalendar, policy: DeadlinePolicy) -> None:
        sign = calendar.due(now, policy.sign_limit(self.urgency, self.utility))
        handle = calendar.due(now, policy.handle_limit(self.urgency, self.utility))
        back = calendar.due(now, policy.return_window)
        self.dispatched_at, self.signed_at, self.replied_at, self.reply_content = now, None, None, None
        self.sign_due_at, self.handle_due_at, self.return_due_at = sign.due_at, handle.due_at, back.due_at
        self.deadline_provisional = sign.provisional or handle.provisional
        self.extension_days = 0
        self.details.pop("extension", None)

    def _emit_dispatched(self, event: builtins.type[E.TicketDispatched | E.TicketReopened], calendar: WorkCalendar,
                         policy: DeadlinePolicy) -> None:
        assert self.dispatched_at and self.sign_due_at and self.handle_due_at
        sign_limit = policy.sign_limit(self.urgency, self.utility)
        handle_limit = policy.handle_limit(self.urgency, self.utility)
        self._emit(event, lead_department=self.lead_department, co_departments=list(self.co_departments),
                   type=self.type.value, urgency=self.urgency.value, utility=self.utility,
                   dispatched_at=self.dispatched_at,
                   sign_due_at=self.sign_due_at, handle_due_at=self.handle_due_at,
                   sign_limit=_limit(sign_limit), handle_limit=_limit(handle_limit),
                   provisional=self.deadline_provisional, reopen_count=self.reopen_count)

    def sign(self, *, actor: Actor, now: datetime) -> None:
        """签收 by the lead department; stops the sign-in clock."""
        self._require(S.DISPATCHED, S.REOPENED, action="sign")
        self._require_lead(actor)
        self.signed_at = now
        on_time = self.sign_due_at is None or now <= self.sign_due_at
        self._move(actor, now, "signed", S.SIGNED, department=self.lead_department,
                   outcome=_on_time(on_time))
        self._emit(E.TicketSigned, department=self.lead_department, signed_at=now, on_time=on_time)
        self._clock(C.ClockStopped, SIGN_CLOCK, now)

    # -- return (退单) ------------------------------------------------------------------------
    def request_return(self, *, actor: Actor, reason: str, now: datetime) -> None:
        """The lead department says the ticket is not theirs, with a reason, within the window."""
        self._require(*OPEN_FOR_DEPARTMENT, action="return")
        self._require_lead(actor)
        require_text(reason, "reason", minimum=5)
        if self.return_due_at is not None and now > self.return_due_at:
            raise InvalidTransition("已超过退单时限 / the return window has passed",
                                    {"return_due_at": [self.return_due_at.isoformat()]})
        self.details["return_request"] = {"department": self.lead_department, "reason": reason,
                                          "requested_at": now.isoformat(), "previous": self.status.value}
        self._move(actor, now, "return_requested", S.RETURN_REQUESTED, department=self.lead_department,
                   note=reason)
        self._emit(E.ReturnRequested, department=self.lead_department, reason=reason)
        for kind in DEPARTMENT_CLOCKS:  # 退单审核期间暂停计时
            self._clock(C.ClockPaused, kind, now, reason="return_requested")

    def review_return(self, *, actor: Actor, accept: bool, comment: str, now: datetime,
                      calendar: WorkCalendar, policy: DeadlinePolicy, lead: str | None = None,
                      co: list[str] | None = None) -> None:
        """Dispatcher reviews a return: accept (back to the pool, or straight to a new lead) or reject."""
        self._require(S.RETURN_REQUESTED, action="review_return")
        request = self.details["return_request"]
        department = request["department"]
        if not accept:
            require_text(comment, "comment", minimum=2)
            del self.details["return_request"]
            self._move(actor, now, "return_rejected", S(request["previous"]), department=department,
                       note=comment)
            self._emit(E.ReturnRejected, department=department, comment=comment)
            for kind in DEPARTMENT_CLOCKS:
                self._clock(C.ClockResumed, kind, now)
            return
        del self.details["return_request"]
        self.return_count += 1
        previous_lead = self.lead_department
        self.lead_department, self.co_departments = None, []
        self.sign_due_at = self.handle_due_at = self.return_due_at = None
        self.dispatched_at = self.signed_at = None
        self._move(actor, now, "return_accepted", S.RECEIVED, department=department, note=comment)
        self._emit(E.ReturnAccepted, department=previous_lead, comment=comment)
        for kind in DEPARTMENT_CLOCKS:  # the department is no longer timed for this ticket
            self._clock(C.ClockStopped, kind, now, outcome="superseded")
        if lead:
            self.dispatch(actor=actor, lead=lead, co=co or [], note=comment, now=now,
                          calendar=calendar, policy=policy)

    # -- extension (延期) ---------------------------------------------------------------------
    def request_extension(self, *, actor: Actor, days: int, reason: str, now: datetime,
                          policy: DeadlinePolicy) -> None:
        self._require(S.SIGNED, action="extension")
        self._require_lead(actor)
        require_text(reason, "reason", minimum=5)
        if self.details.get("extension", {}).get("status") == "pending":
            raise InvalidTransition("已有待审核的延期申请 / an extension request is already pending")
        remaining = policy.max_extension_workdays - self.extension_days
        if not 1 <= days <= remaining:
            raise InvalidInput(f"延期天数应为 1–{remaining} 个工作日 / days must be 1–{remaining}",
                               {"days": [f"must be between 1 and {remaining} working days"]})
        self.details["extension"] = {"days": days, "reason": reason, "status": "pending",
                                     "requested_at": now.isoformat()}
        self._record(actor, now, "extension_requested", self.lead_department, note=reason,
                     data={"days": days})
        self._emit(E.ExtensionRequested, department=self.lead_department, days=days, reason=reason)

    def review_extension(self, *, actor: Actor, approve: bool, comment: str, now: datetime,
                         calendar: WorkCalendar) -> None:
        self._require(S.SIGNED, action="review_extension")
        request = self.details.get("extension")
        if not request or request.get("status") != "pending":
            raise InvalidTransition("没有待审核的延期申请 / no extension request is pending")
        request.update(status="approved" if approve else "rejected", decided_at=now.isoformat())
        if not approve:
            self._record(actor, now, "extension_rejected", self.lead_department, note=comment)
            self._emit(E.ExtensionRejected, department=self.lead_department, comment=comment)
            return
        assert self.handle_due_at is not None
        extended = calendar.extend(self.handle_due_at, TimeLimit.workdays(request["days"]))
        self.handle_due_at = extended.due_at
        self.deadline_provisional = self.deadline_provisional or extended.provisional
        self.extension_days += request["days"]
        self._record(actor, now, "extension_approved", self.lead_department, note=comment,
                     data={"days": request["days"], "handle_due_at": extended.due_at.isoformat()})
        self._emit(E.ExtensionApproved, department=self.lead_department, days=request["days"],
                   handle_due_at=extended.due_at, provisional=extended.provisional)
        self._clock(C.ClockDueChanged, HANDLE_CLOCK, now, due_at=extended.due_at, provisional=extended.provisional)

    # -- while handling ----------------------------------------------------------------------
    def urge(self, *, actor: Actor, note: str, now: datetime) -> None:
        """督办/催办: press the department; no change of state, but it is on record and counted."""
        self._require(*OPEN_FOR_DEPARTMENT, S.RETURN_REQUESTED, action="urge")
        require_text(note, "note", minimum=2)
        self.urge_count += 1
        self._record(actor, now, "urged", self.lead_department, note=note)
        self._emit(E.TicketUrged, department=self.lead_department, note=note, urge_count=self.urge_count)

    def assist(self, *, actor: Actor, content: str, now: datetime) -> None:
        """A co-unit (协办单位) gives its opinion to the lead unit."""
        self._require(*OPEN_FOR_DEPARTMENT, action="assist")
        department = next((d for d in self.co_departments if d in actor.departments), None)
        if department is None:
            raise Forbidden("只有协办单位可以提交协办意见 / only a co-department may do this")
        require_text(content, "content", minimum=2)
        self._record(actor, now, "assisted", department, note=content)
        self._emit(E.TicketAssisted, department=department)

    def reply(self, *, actor: Actor, content: str, now: datetime, calendar: WorkCalendar,
              policy: DeadlinePolicy) -> None:
        """答复/办结 by the lead department; stops the handling clock and starts the callback one."""
        self._require(S.SIGNED, action="reply")
        self._require_lead(actor)
        if self.details.get("extension", {}).get("status") == "pending":
            self.details["extension"]["status"] = "withdrawn"
        self._finish_reply(actor, now, content, Resolution.HANDLED, "replied", self.lead_department,
                           calendar, policy)

    def _finish_reply(self, actor: Actor, now: datetime, content: str, resolution: Resolution,
                      action: str, department: str | None, calendar: WorkCalendar,
                      policy: DeadlinePolicy, extra: dict[str, Any] | None = None) -> None:
        require_text(content, "content", minimum=2)
        self.reply_content, self.replied_at, self.resolution = content.strip(), now, resolution
        callback = calendar.due(now, policy.callback)
        self.callback_due_at = callback.due_at
        on_time = self.handle_due_at is None or now <= self.handle_due_at
        self._move(actor, now, action, S.REPLIED, department=department, note=content,
                   data=extra or {}, outcome=_on_time(on_time))
        self._emit(E.TicketReplied, department=department, replied_at=now, on_time=on_time,
                   resolution=resolution.value, callback_due_at=callback.due_at,
                   **(extra or {}))
        if department is not None:  # a direct answer at intake had no department clocks
            for kind in DEPARTMENT_CLOCKS:
                self._clock(C.ClockStopped, kind, now)
        self._clock(C.ClockStarted, CALLBACK_CLOCK, now, department=HOTLINE_OFFICE,
                    limit_amount=policy.callback.amount, limit_unit=policy.callback.unit.value,
                    due_at=callback.due_at, provisional=callback.provisional)

    # -- callback (回访) and closing ----------------------------------------------------------
    def record_callback(self, *, actor: Actor, satisfaction: Satisfaction, note: str, justified: bool,
                        now: datetime, calendar: WorkCalendar, policy: DeadlinePolicy,
                        answer_wrong: bool = False) -> None:
        """Record the caller's rating; a justified 不满意 reopens (重办) the ticket, else it closes.

        ``answer_wrong``: the knowledge-base answer given at intake was wrong (the caller of this use
        case opens a correction task for the article's owner).
        """
        self._require(S.REPLIED, action="callback")
        if justified and not satisfaction.is_bad:
            raise InvalidInput("只有不满意的评价可以认定为诉求未解决 / only a bad rating can be justified",
                               {"justified": ["only with dissatisfied or very_dissatisfied"]})
        if answer_wrong and not self.details.get("knowledge"):
            raise InvalidInput("该工单的答复未引用知识库 / the answer did not come from the knowledge base",
                               {"answer_wrong": ["only for a direct answer given with knowledge_id"]})
        self.satisfaction = satisfaction
        reopen = (justified and self.lead_department is not None
                  and self.reopen_count < policy.max_reopens)
        self._record(actor, now, "callback_recorded", self.lead_department, note=note,
                     data={"satisfaction": satisfaction.value, "justified": justified,
                           **({"answer_wrong": True} if answer_wrong else {})},
                     outcome=satisfaction.value)
        self._emit(E.CallbackRecorded, department=self.lead_department, satisfaction=satisfaction.value,
                   bad=satisfaction.is_bad, justified=justified, reopened=reopen, resolution=_value(self.resolution),
                   note=note, answer_wrong=answer_wrong)
        self._clock(C.ClockStopped, CALLBACK_CLOCK, now)
        if reopen:
            self.reopen_count += 1
            assert self.lead_department is not None
            self._start_clocks(now, calendar, policy)
            self._move(actor, now, "reopened", S.REOPENED, department=self.lead_department, note=note)
            self._emit_dispatched(E.TicketReopened, calendar, policy)
            self._time_department(now, policy)
        else:
            self._close(actor, now, note)

    def close(self, *, actor: Actor, reason: str, now: datetime) -> None:
        """Close without a rating when the caller cannot be reached (回访无法联系)."""
        self._require(S.REPLIED, action="close")
        require_text(reason, "reason", minimum=2)
        self.details["closed_without_callback"] = reason
        self.resolution = Resolution.UNREACHABLE
        self._close(actor, now, reason)
        self._clock(C.ClockStopped, CALLBACK_CLOCK, now)

    def _close(self, actor: Actor, now: datetime, note: str) -> None:
        self.closed_at = now
        self._move(actor, now, "closed", S.CLOSED, department=self.lead_department, note=note)
        self._emit(E.TicketClosed, resolution=_value(self.resolution), department=self.lead_department,
                   satisfaction=_value(self.satisfaction), closed_at=now,
                   code_digest=code_digest(self.id, self.query_code))

    # -- merge (并单) -------------------------------------------------------------------------
    def merge_into(self, master: Ticket, *, actor: Actor, now: datetime) -> None:
        """Fold this duplicate into ``master``; its caller is followed up through the master."""
        self._require(S.RECEIVED, S.DISPATCHED, action="merge")
        if master.id == self.id:
            raise InvalidInput("不能与自身并单 / a ticket cannot be merged into itself", {"into": ["same ticket"]})
        if master.status in TERMINAL:
            raise InvalidTransition(f"目标工单{master.number}已结束 / target ticket is {master.status.value}")
        self.merged_into, self.resolution, self.closed_at = master.id, Resolution.MERGED, now
        self._move(actor, now, "merged", S.MERGED, note=master.number, data={"into": master.number})
        self._emit(E.TicketMerged, into=master.id, into_number=master.number)
        self._clock(C.ClockStopped, None, now, outcome="cancelled")  # the master ticket carries the work
        master.details.setdefault("merged_from", []).append(self.id)
        master._record(actor, now, "merged_in", master.lead_department, note=self.number,
                       data={"from": self.number})

    # -- helpers -----------------------------------------------------------------------------
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    def involves(self, department: str) -> bool:
        return department == self.lead_department or department in self.co_departments

    def _require(self, *allowed: TicketStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"工单当前状态为“{self.status.value}”，不能执行“{action}” / cannot {action} a "
                f"{self.status.value} ticket",
                {"status": [self.status.value], "allowed": [s.value for s in allowed]})

    def _require_lead(self, actor: Actor) -> None:
        if self.lead_department is None or self.lead_department not in actor.departments:
            raise Forbidden("只有主办单位可以执行此操作 / only the lead department may do this")

    def _time_department(self, now: datetime, policy: DeadlinePolicy) -> None:
        """The lead department's sign-in and handling clocks (监察时钟), replacing any running ones."""
        assert self.lead_department and self.sign_due_at and self.handle_due_at
        for kind, limit, due_at in ((SIGN_CLOCK, policy.sign_limit(self.urgency, self.utility), self.sign_due_at),
                                    (HANDLE_CLOCK, policy.handle_limit(self.urgency, self.utility),
                                     self.handle_due_at)):
            self._clock(C.ClockStarted, kind, now, department=self.lead_department, limit_amount=limit.amount,
                        limit_unit=limit.unit.value, due_at=due_at, provisional=self.deadline_provisional)


def _on_time(on_time: bool) -> str:
    return "on_time" if on_time else "late"


def _limit(limit: TimeLimit) -> dict[str, Any]:
    return {"amount": limit.amount, "unit": limit.unit.value}


def _value(enum: Any) -> str | None:
    return None if enum is None else enum.value
