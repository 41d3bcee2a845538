"""The Ticket aggregate alone (no database, no HTTP): every allowed and every forbidden transition,
and the rules each transition enforces."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.hotline.model import Caller, Ticket
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
from shared.calendar import WorkCalendar
from shared.errors import Forbidden, InvalidInput, InvalidTransition
from shared.events.clocks import ClockCommand
from shared.events.hotline import TicketClosed, TicketEvent
from tests.hotline.transitions import ACTIONS as ACTION_NAMES
from tests.hotline.transitions import ALLOWED, FORBIDDEN, STATUSES

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)  # Monday
CALENDAR = WorkCalendar()
POLICY = DeadlinePolicy()


@dataclass(frozen=True)
class Staff:
    """Satisfies the model's Actor protocol without the auth module."""

    username: str
    departments: frozenset[str] = field(default_factory=frozenset)


OPERATOR = Staff("operator")
DISPATCHER = Staff("dispatcher")
LEAD = Staff("dept-zjj", frozenset({"zjj"}))
CO = Staff("dept-cgj", frozenset({"cgj"}))
OTHER = Staff("dept-jtj", frozenset({"jtj"}))


def new_ticket(*, urgency: Urgency = Urgency.GENERAL, utility: bool = False, now: datetime = T0) -> Ticket:
    return Ticket.file(id=str(uuid.uuid4()), number=f"20261123{uuid.uuid4().int % 10**6:06d}",
                       query_code="ABC234", type=TicketType.COMPLAINT, urgency=urgency, channel=Channel.PHONE,
                       title="  小区噪音扰民  ", content="夜间施工噪音影响休息", caller=Caller("张三", "13812345678"),
                       address="东城区和平路12号", confidential=False, utility=utility, actor=OPERATOR, now=now)


def dispatched(now: datetime = T0, **kwargs: object) -> Ticket:
    ticket = new_ticket(now=now, **kwargs)  # type: ignore[arg-type]
    ticket.dispatch(actor=DISPATCHER, lead="zjj", co=["cgj"], note="", now=now, calendar=CALENDAR, policy=POLICY)
    return ticket


def signed(now: datetime = T0) -> Ticket:
    ticket = dispatched(now)
    ticket.sign(actor=LEAD, now=now)
    return ticket


def replied(now: datetime = T0) -> Ticket:
    ticket = signed(now)
    ticket.reply(actor=LEAD, content="已责令整改", now=now, calendar=CALENDAR, policy=POLICY)
    return ticket


def callback(ticket: Ticket, level: Satisfaction, *, justified: bool = False, now: datetime = T0) -> None:
    ticket.record_callback(actor=DISPATCHER, satisfaction=level, note="回访记录", justified=justified, now=now,
                           calendar=CALENDAR, policy=POLICY)


def in_status(status: str) -> Ticket:
    """A ticket in ``status``, dispatched to zjj with cgj as co-department where it was dispatched."""
    if status == "received":
        return new_ticket()
    if status == "dispatched":
        return dispatched()
    if status == "signed":
        return signed()
    if status == "return_requested":
        ticket = dispatched()
        ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)
        return ticket
    if status == "replied":
        return replied()
    if status == "reopened":
        ticket = replied()
        callback(ticket, Satisfaction.DISSATISFIED, justified=True)
        return ticket
    if status == "closed":
        ticket = replied()
        callback(ticket, Satisfaction.SATISFIED)
        return ticket
    assert status == "merged"
    ticket = dispatched()
    ticket.merge_into(new_ticket(), actor=DISPATCHER, now=T0)
    return ticket


# Each action as its endpoint performs it, by the right actor with valid arguments.
ACTIONS: dict[str, Callable[[Ticket, Ticket], None]] = {
    "answer": lambda t, _m: t.answer_directly(actor=OPERATOR, content="已告知办理渠道", now=T0,
                                              calendar=CALENDAR, policy=POLICY),
    "legal-channel": lambda t, _m: t.answer_legal_channel(actor=OPERATOR, channel=LegalChannel.LITIGATION,
                                                          content="建议向法院起诉", now=T0, calendar=CALENDAR,
                                                          policy=POLICY),
    "transfer": lambda t, _m: t.transfer_emergency(actor=OPERATOR, service=EmergencyService.POLICE,
                                                   note="转110", now=T0),
    "dispatch": lambda t, _m: t.dispatch(actor=DISPATCHER, lead="zjj", co=["cgj"], note="", now=T0,
                                         calendar=CALENDAR, policy=POLICY),
    "sign": lambda t, _m: t.sign(actor=LEAD, now=T0),
    "return": lambda t, _m: t.request_return(actor=LEAD, reason="不属于本单位职责", now=T0),
    "return/review": lambda t, _m: t.review_return(actor=DISPATCHER, accept=False, comment="请继续办理",
                                                   now=T0, calendar=CALENDAR, policy=POLICY),
    "extension": lambda t, _m: t.request_extension(actor=LEAD, days=3, reason="需要现场会商", now=T0,
                                                   policy=POLICY),
    "extension/review": lambda t, _m: t.review_extension(actor=DISPATCHER, approve=True, comment="同意",
                                                         now=T0, calendar=CALENDAR),
    "urge": lambda t, _m: t.urge(actor=DISPATCHER, note="请尽快办理", now=T0),
    "assist": lambda t, _m: t.assist(actor=CO, content="已配合核查", now=T0),
    "reply": lambda t, _m: t.reply(actor=LEAD, content="已责令整改", now=T0, calendar=CALENDAR, policy=POLICY),
    "callback": lambda t, _m: callback(t, Satisfaction.SATISFIED),
    "close": lambda t, _m: t.close(actor=DISPATCHER, reason="无法联系来电人", now=T0),
    "merge": lambda t, master: t.merge_into(master, actor=DISPATCHER, now=T0),
}

def test_the_transition_table_names_every_status_the_model_has() -> None:
    assert set(STATUSES) == {s.value for s in TicketStatus}
    assert list(ACTIONS) == ACTION_NAMES
    assert len(ALLOWED) + len(FORBIDDEN) == len(STATUSES) * len(ACTION_NAMES)


@pytest.mark.parametrize(("status", "action"), list(ALLOWED), ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_allowed_transition_moves_the_ticket_to_the_expected_status(status: str, action: str) -> None:
    ticket = in_status(status)
    if action == "extension/review":
        ACTIONS["extension"](ticket, ticket)
    entries = len(ticket.timeline)

    ACTIONS[action](ticket, new_ticket())

    assert ticket.status.value == ALLOWED[status, action]
    assert len(ticket.timeline) > entries


@pytest.mark.parametrize(("status", "action"), FORBIDDEN, ids=[f"{s}-{a}" for s, a in FORBIDDEN])
def test_forbidden_transition_raises_invalid_transition_and_changes_nothing(status: str, action: str) -> None:
    ticket, master = in_status(status), new_ticket()
    before, master_before = copy.deepcopy(asdict(ticket)), copy.deepcopy(asdict(master))

    with pytest.raises(InvalidTransition) as raised:
        ACTIONS[action](ticket, master)

    assert raised.value.errors["status"] == [status]
    assert asdict(ticket) == before
    assert asdict(master) == master_before


# -- intake --------------------------------------------------------------------------------------

def test_filing_records_who_received_it_and_emits_received() -> None:
    ticket = new_ticket()

    assert ticket.status is TicketStatus.RECEIVED
    assert ticket.title == "小区噪音扰民"
    assert [(e.action, e.actor, e.from_status, e.to_status) for e in ticket.timeline] == [
        ("received", "operator", None, "received")]
    assert [e.TYPE for e in ticket.events if isinstance(e, TicketEvent)] == ["hotline.ticket.received"]


def test_emergency_transfer_closes_the_ticket_with_the_service_on_record() -> None:
    ticket = new_ticket(urgency=Urgency.EMERGENCY)

    ticket.transfer_emergency(actor=OPERATOR, service=EmergencyService.FIRE, note="火情转119", now=T0)

    assert ticket.status is TicketStatus.CLOSED
    assert ticket.resolution is Resolution.EMERGENCY_TRANSFER
    assert ticket.timeline[-1].data == {"service": "119"}
    closed = ticket.events[-1]
    assert isinstance(closed, TicketClosed) and closed.transferred_to == "119"


def test_a_direct_answer_waits_for_a_callback_like_any_reply() -> None:
    ticket = new_ticket()

    ACTIONS["answer"](ticket, ticket)

    assert ticket.status is TicketStatus.REPLIED
    assert ticket.resolution is Resolution.DIRECT_ANSWER
    assert ticket.callback_due_at == datetime(2026, 11, 25, tzinfo=SHANGHAI)  # close of Tue 11-24


def test_a_legal_channel_answer_records_which_channel() -> None:
    ticket = new_ticket()

    ticket.answer_legal_channel(actor=OPERATOR, channel=LegalChannel.ARBITRATION, content="建议申请劳动仲裁",
                                now=T0, calendar=CALENDAR, policy=POLICY)

    assert ticket.resolution is Resolution.LEGAL_CHANNEL
    assert ticket.details["legal_channel"] == "arbitration"


def test_an_answer_needs_some_content() -> None:
    ticket = new_ticket()

    with pytest.raises(InvalidInput):
        ticket.answer_directly(actor=OPERATOR, content=" ", now=T0, calendar=CALENDAR, policy=POLICY)
    assert ticket.status is TicketStatus.RECEIVED


# -- dispatch and sign-in -----------------------------------------------------------------------

def test_dispatch_sets_lead_and_distinct_co_departments() -> None:
    ticket = new_ticket()

    ticket.dispatch(actor=DISPATCHER, lead="zjj", co=["cgj", "", "cgj", "sthj"], note="", now=T0,
                    calendar=CALENDAR, policy=POLICY)

    assert ticket.lead_department == "zjj"
    assert ticket.co_departments == ["cgj", "sthj"]
    assert ticket.involves("sthj") and not ticket.involves("jtj")


def test_the_lead_department_cannot_also_be_a_co_department() -> None:
    ticket = new_ticket()

    with pytest.raises(InvalidInput) as raised:
        ticket.dispatch(actor=DISPATCHER, lead="zjj", co=["zjj"], note="", now=T0, calendar=CALENDAR,
                        policy=POLICY)

    assert "co_departments" in raised.value.errors
    assert ticket.status is TicketStatus.RECEIVED and ticket.lead_department is None


@pytest.mark.parametrize("actor", [CO, OTHER], ids=["co-department", "other-department"])
def test_only_the_lead_department_signs(actor: Staff) -> None:
    ticket = dispatched()

    with pytest.raises(Forbidden):
        ticket.sign(actor=actor, now=T0)
    assert ticket.status is TicketStatus.DISPATCHED


def test_signing_by_the_due_time_is_on_time_and_after_it_late() -> None:
    on_time, late = dispatched(), dispatched()
    assert on_time.sign_due_at is not None

    on_time.sign(actor=LEAD, now=on_time.sign_due_at)
    late.sign(actor=LEAD, now=on_time.sign_due_at + timedelta(seconds=1))

    assert on_time.timeline[-1].outcome == "on_time"
    assert late.timeline[-1].outcome == "late"
    assert [e for e in late.events if isinstance(e, TicketEvent)][-1].to_data()["on_time"] is False


# -- return (退单) --------------------------------------------------------------------------------

def test_a_return_needs_a_reason_of_at_least_five_characters() -> None:
    ticket = dispatched()

    with pytest.raises(InvalidInput):
        ticket.request_return(actor=LEAD, reason="不归我", now=T0)
    assert ticket.status is TicketStatus.DISPATCHED


def test_a_return_after_the_two_working_day_window_is_refused() -> None:
    ticket = dispatched()  # Mon 09:00: the window closes at the end of Wed 11-25
    assert ticket.return_due_at == datetime(2026, 11, 26, tzinfo=SHANGHAI)

    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=datetime(2026, 11, 25, 23, 59, tzinfo=SHANGHAI))
    late = dispatched()
    with pytest.raises(InvalidTransition):
        late.request_return(actor=LEAD, reason="不属于本单位职责", now=datetime(2026, 11, 26, 0, 1, tzinfo=SHANGHAI))

    assert ticket.status is TicketStatus.RETURN_REQUESTED
    assert late.status is TicketStatus.DISPATCHED


def test_a_co_department_cannot_return_the_ticket() -> None:
    with pytest.raises(Forbidden):
        dispatched().request_return(actor=CO, reason="不属于本单位职责", now=T0)


def test_a_rejected_return_goes_back_to_the_status_it_came_from() -> None:
    ticket = signed()
    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)

    ticket.review_return(actor=DISPATCHER, accept=False, comment="请继续办理", now=T0, calendar=CALENDAR,
                         policy=POLICY)

    assert ticket.status is TicketStatus.SIGNED
    assert ticket.lead_department == "zjj"
    assert "return_request" not in ticket.details


def test_an_accepted_return_puts_the_ticket_back_to_received_without_a_lead() -> None:
    ticket = dispatched()
    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)

    ticket.review_return(actor=DISPATCHER, accept=True, comment="", now=T0, calendar=CALENDAR, policy=POLICY)

    assert ticket.status is TicketStatus.RECEIVED
    assert (ticket.lead_department, ticket.co_departments) == (None, [])
    assert ticket.sign_due_at is None and ticket.handle_due_at is None
    assert ticket.return_count == 1
    assert ticket.timeline[-1].department == "zjj"  # counted against the returning department


def test_an_accepted_return_clears_the_previous_leads_dispatch_and_sign_times() -> None:
    ticket = signed()
    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)

    ticket.review_return(actor=DISPATCHER, accept=True, comment="", now=T0, calendar=CALENDAR, policy=POLICY)

    assert (ticket.dispatched_at, ticket.signed_at) == (None, None)


def test_an_accepted_return_can_redispatch_to_a_new_lead_in_one_step() -> None:
    ticket = dispatched()
    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)
    later = T0 + timedelta(days=1)

    ticket.review_return(actor=DISPATCHER, accept=True, comment="改派区政府", now=later, calendar=CALENDAR,
                         policy=POLICY, lead="dcq", co=["cgj"])

    assert ticket.status is TicketStatus.DISPATCHED
    assert (ticket.lead_department, ticket.co_departments) == ("dcq", ["cgj"])
    assert ticket.dispatched_at == later
    assert ticket.sign_due_at == datetime(2026, 11, 26, tzinfo=SHANGHAI)  # restarted from Tuesday
    assert [e.action for e in ticket.timeline[-2:]] == ["return_accepted", "dispatched"]


def test_a_reject_without_a_comment_is_refused_and_leaves_the_request_pending() -> None:
    ticket = dispatched()
    ticket.request_return(actor=LEAD, reason="不属于本单位职责", now=T0)

    with pytest.raises(InvalidInput):
        ticket.review_return(actor=DISPATCHER, accept=False, comment="", now=T0, calendar=CALENDAR,
                             policy=POLICY)

    assert "return_request" in ticket.details


# -- extension (延期) -----------------------------------------------------------------------------

def test_an_approved_extension_moves_the_handling_deadline_by_working_days() -> None:
    ticket = signed()
    assert ticket.handle_due_at == datetime(2026, 12, 1, tzinfo=SHANGHAI)  # close of Mon 11-30

    ticket.request_extension(actor=LEAD, days=5, reason="需要现场会商", now=T0, policy=POLICY)
    ticket.review_extension(actor=DISPATCHER, approve=True, comment="同意", now=T0, calendar=CALENDAR)

    assert ticket.handle_due_at == datetime(2026, 12, 8, tzinfo=SHANGHAI)  # 12-01..12-04, 12-07
    assert ticket.extension_days == 5
    assert ticket.details["extension"]["status"] == "approved"


def test_a_rejected_extension_leaves_the_deadline_alone() -> None:
    ticket = signed()
    due = ticket.handle_due_at

    ticket.request_extension(actor=LEAD, days=5, reason="需要现场会商", now=T0, policy=POLICY)
    ticket.review_extension(actor=DISPATCHER, approve=False, comment="不同意", now=T0, calendar=CALENDAR)

    assert ticket.handle_due_at == due
    assert ticket.extension_days == 0
    assert ticket.timeline[-1].action == "extension_rejected"


def test_extensions_are_capped_at_ten_working_days_in_total() -> None:
    ticket = signed()
    ticket.request_extension(actor=LEAD, days=8, reason="需要现场会商", now=T0, policy=POLICY)
    ticket.review_extension(actor=DISPATCHER, approve=True, comment="同意", now=T0, calendar=CALENDAR)

    with pytest.raises(InvalidInput) as raised:
        ticket.request_extension(actor=LEAD, days=3, reason="仍需继续会商", now=T0, policy=POLICY)

    assert "days" in raised.value.errors
    ticket.request_extension(actor=LEAD, days=2, reason="仍需继续会商", now=T0, policy=POLICY)


def test_a_second_extension_request_while_one_is_pending_is_refused() -> None:
    ticket = signed()
    ticket.request_extension(actor=LEAD, days=2, reason="需要现场会商", now=T0, policy=POLICY)

    with pytest.raises(InvalidTransition):
        ticket.request_extension(actor=LEAD, days=2, reason="需要现场会商", now=T0, policy=POLICY)


def test_reviewing_an_extension_nobody_asked_for_is_refused() -> None:
    with pytest.raises(InvalidTransition):
        signed().review_extension(actor=DISPATCHER, approve=True, comment="", now=T0, calendar=CALENDAR)


def test_replying_withdraws_a_pending_extension_request() -> None:
    ticket = signed()
    ticket.request_extension(actor=LEAD, days=2, reason="需要现场会商", now=T0, policy=POLICY)

    ticket.reply(actor=LEAD, content="已办结", now=T0, calendar=CALENDAR, policy=POLICY)

    assert ticket.details["extension"]["status"] == "withdrawn"


# -- urging, assisting, replying --------------------------------------------------------------------

def test_urging_counts_without_changing_the_status() -> None:
    ticket = signed()

    ticket.urge(actor=DISPATCHER, note="请尽快办理", now=T0)
    ticket.urge(actor=DISPATCHER, note="再次催办", now=T0)

    assert ticket.status is TicketStatus.SIGNED
    assert ticket.urge_count == 2
    assert [e.from_status for e in ticket.timeline[-2:]] == ["signed", "signed"]


def test_only_a_co_department_gives_an_assisting_opinion() -> None:
    ticket = signed()

    with pytest.raises(Forbidden):
        ticket.assist(actor=LEAD, content="主办单位意见", now=T0)
    ticket.assist(actor=CO, content="已配合核查", now=T0)

    assert ticket.timeline[-1].department == "cgj"


@pytest.mark.parametrize("actor", [CO, OTHER], ids=["co-department", "other-department"])
def test_only_the_lead_department_replies(actor: Staff) -> None:
    with pytest.raises(Forbidden):
        signed().reply(actor=actor, content="已办结", now=T0, calendar=CALENDAR, policy=POLICY)


def test_a_reply_after_the_handling_deadline_is_late() -> None:
    ticket = signed()
    assert ticket.handle_due_at is not None

    ticket.reply(actor=LEAD, content="已办结", now=ticket.handle_due_at + timedelta(minutes=1),
                 calendar=CALENDAR, policy=POLICY)

    assert ticket.timeline[-1].outcome == "late"


# -- callback and closing ---------------------------------------------------------------------------

@pytest.mark.parametrize("level", list(Satisfaction))
def test_a_callback_at_any_level_closes_the_ticket_unless_justified(level: Satisfaction) -> None:
    ticket = replied()

    callback(ticket, level)

    assert ticket.status is TicketStatus.CLOSED
    assert ticket.satisfaction is level
    assert ticket.timeline[-2].outcome == level.value


@pytest.mark.parametrize("level", [Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED,
                                   Satisfaction.BASICALLY_SATISFIED])
def test_only_a_bad_rating_can_be_justified(level: Satisfaction) -> None:
    ticket = replied()

    with pytest.raises(InvalidInput):
        callback(ticket, level, justified=True)
    assert ticket.status is TicketStatus.REPLIED and ticket.satisfaction is None


def test_a_justified_dissatisfaction_reopens_with_fresh_clocks() -> None:
    ticket = replied()
    later = datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)  # Friday

    callback(ticket, Satisfaction.VERY_DISSATISFIED, justified=True, now=later)

    assert ticket.status is TicketStatus.REOPENED
    assert ticket.reopen_count == 1
    assert ticket.sign_due_at == datetime(2026, 12, 1, tzinfo=SHANGHAI)  # close of Mon 11-30
    assert ticket.handle_due_at == datetime(2026, 12, 5, tzinfo=SHANGHAI)  # 11-30 .. 12-04
    assert ticket.signed_at is None and ticket.replied_at is None
    assert [e.TYPE for e in ticket.events if isinstance(e, TicketEvent)][-2:] == [
        "hotline.ticket.callback_recorded", "hotline.ticket.reopened"]
    assert [(e.TYPE, e.kind) for e in ticket.events if isinstance(e, ClockCommand)][-3:] == [
        ("*.clock.stopped", "callback"), ("*.clock.started", "sign"), ("*.clock.started", "handle")]
    ticket.sign(actor=LEAD, now=later)
    assert ticket.status is TicketStatus.SIGNED


def test_after_two_reopens_a_justified_dissatisfaction_closes() -> None:
    ticket = replied()
    for _ in range(POLICY.max_reopens):
        callback(ticket, Satisfaction.DISSATISFIED, justified=True)
        ticket.sign(actor=LEAD, now=T0)
        ticket.reply(actor=LEAD, content="再次办理", now=T0, calendar=CALENDAR, policy=POLICY)

    callback(ticket, Satisfaction.DISSATISFIED, justified=True)

    assert ticket.status is TicketStatus.CLOSED
    assert ticket.reopen_count == 2


def test_a_justified_dissatisfaction_with_a_direct_answer_closes_for_want_of_a_lead() -> None:
    ticket = new_ticket()
    ACTIONS["answer"](ticket, ticket)

    callback(ticket, Satisfaction.DISSATISFIED, justified=True)

    assert ticket.status is TicketStatus.CLOSED


def test_closing_without_a_callback_needs_a_reason_and_records_it() -> None:
    ticket = replied()

    with pytest.raises(InvalidInput):
        ticket.close(actor=DISPATCHER, reason="", now=T0)
    ticket.close(actor=DISPATCHER, reason="三次回访无法联系", now=T0)

    assert ticket.status is TicketStatus.CLOSED
    assert ticket.satisfaction is None
    assert ticket.details["closed_without_callback"] == "三次回访无法联系"


# -- merge (并单) -----------------------------------------------------------------------------------

def test_merging_folds_the_duplicate_into_the_master() -> None:
    duplicate, master = dispatched(), new_ticket()

    duplicate.merge_into(master, actor=DISPATCHER, now=T0)

    assert duplicate.status is TicketStatus.MERGED
    assert duplicate.merged_into == master.id
    assert duplicate.resolution is Resolution.MERGED
    assert master.status is TicketStatus.RECEIVED
    assert master.details["merged_from"] == [duplicate.id]
    assert (master.timeline[-1].action, master.timeline[-1].data) == ("merged_in", {"from": duplicate.number})


def test_a_ticket_cannot_be_merged_into_itself() -> None:
    ticket = new_ticket()

    with pytest.raises(InvalidInput):
        ticket.merge_into(ticket, actor=DISPATCHER, now=T0)
    assert ticket.status is TicketStatus.RECEIVED


@pytest.mark.parametrize("master_status", ["closed", "merged"])
def test_a_ticket_cannot_be_merged_into_a_finished_one(master_status: str) -> None:
    ticket, master = new_ticket(), in_status(master_status)

    with pytest.raises(InvalidTransition):
        ticket.merge_into(master, actor=DISPATCHER, now=T0)
    assert ticket.status is TicketStatus.RECEIVED


def test_every_transition_emits_hotline_ticket_events_naming_the_ticket() -> None:
    ticket = replied()
    callback(ticket, Satisfaction.SATISFIED)

    assert [e.TYPE for e in ticket.events if isinstance(e, TicketEvent)] == [
        "hotline.ticket.received", "hotline.ticket.dispatched", "hotline.ticket.signed",
        "hotline.ticket.replied", "hotline.ticket.callback_recorded", "hotline.ticket.closed"]
    assert all(e.to_data()["ticket_id"] == ticket.id and e.to_data()["number"] == ticket.number
               for e in ticket.events if isinstance(e, TicketEvent))
    clocks = [e for e in ticket.events if isinstance(e, ClockCommand)]
    assert [(e.TYPE.rsplit(".", 1)[1], e.kind) for e in clocks] == [
        ("started", "sign"), ("started", "handle"), ("stopped", "sign"), ("stopped", "sign"), ("stopped", "handle"),
        ("started", "callback"), ("stopped", "callback")]
    assert all(e.subject_id == ticket.id and e.subject_ref == ticket.number for e in clocks)
