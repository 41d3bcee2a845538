"""Events the monitoring service consumes, and what each does to the clocks.

Every handler runs in the consumer's unit of work behind the shared inbox, so a redelivered event
changes nothing. Instants come from the event (``occurred_at``), never from the wall clock, and due
times from the event's data: the hotline computed them with the same working-day calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.monitoring import store
from services.monitoring.handlers import Monitoring, change_clocks, start_clock, stop_clocks
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import HOTLINE_OFFICE, ClockKind, ClockState, Outcome
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar import TimeLimit
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.events import hotline as E
from shared.uow import UnitOfWork

HOTLINE, TICKET = "hotline", "ticket"
TICKET_CLOCKS = (ClockKind.SIGN, ClockKind.HANDLE)


def _subject(ticket: E.TicketEvent) -> Subject:
    return Subject(HOTLINE, TICKET, ticket.ticket_id, ticket.number or "")


def _limit(raw: dict[str, Any] | None, started_at: datetime, due_at: datetime) -> TimeLimit:
    """The limit the event states; an event without one is timed as the minutes it actually allows."""
    try:
        return TimeLimit(int(raw["amount"]), raw["unit"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return TimeLimit.minutes(max(0, int((due_at - started_at).total_seconds() // 60)))


def _open(uow: UnitOfWork, ticket: E.TicketEvent, kinds: tuple[ClockKind, ...] | None = None,
          state: ClockState | None = None) -> list[SupervisedClock]:
    """The ticket's open clocks (of these kinds, in this state)."""
    clocks = store.ClockRepository(uow.conn).of_subject(HOTLINE, ticket.ticket_id, kinds=kinds,
                                                        lock=not uow.db.is_sqlite)
    return [c for c in clocks if state is None or c.state is state]


def _ticket(event: Event) -> E.TicketEvent:
    """Any ticket event, read for the fields every one carries."""
    return E.TicketEvent.from_data(event.data)


# -- hotline.ticket.* ------------------------------------------------------------------------------
def ticket_dispatched(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """派单 or 重办: the previous sign and handle clocks give way to new ones for the lead department."""
    ticket = (E.TicketReopened if event.type == E.TicketReopened.TYPE else E.TicketDispatched).from_event(event)
    at = event.occurred_at
    stop_clocks(monitoring, uow, _open(uow, ticket, TICKET_CLOCKS), at=at, outcome=Outcome.SUPERSEDED)
    for kind, due_at, limit in ((ClockKind.SIGN, ticket.sign_due_at, ticket.sign_limit),
                                (ClockKind.HANDLE, ticket.handle_due_at, ticket.handle_limit)):
        start_clock(monitoring, uow, subject=_subject(ticket), kind=kind, department=ticket.lead_department,
                    started_at=at, limit=_limit(limit, at, due_at), due_at=due_at, provisional=ticket.provisional)


def ticket_signed(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """签收 stops the sign-in clock: on time if by its due time."""
    stop_clocks(monitoring, uow, _open(uow, _ticket(event), (ClockKind.SIGN,)), at=event.occurred_at)


def return_requested(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """退单 under review: the department's clocks pause until the dispatcher decides."""
    at = event.occurred_at
    change_clocks(uow, _open(uow, _ticket(event), TICKET_CLOCKS, ClockState.RUNNING), "paused",
                  lambda c: c.pause(max(at, c.started_at)))


def return_rejected(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """The return was refused: the clocks resume, their due times moved out by the review."""
    at, m = event.occurred_at, monitoring
    change_clocks(uow, _open(uow, _ticket(event), TICKET_CLOCKS, ClockState.PAUSED), "resumed",
                  lambda c: c.resume(max(at, c.paused_at or at), m.calendar, m.policy))


def return_accepted(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """The return was accepted: the department is no longer timed for this ticket."""
    stop_clocks(monitoring, uow, _open(uow, _ticket(event), TICKET_CLOCKS), at=event.occurred_at,
                outcome=Outcome.SUPERSEDED)


def extension_approved(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """延期 approved: the handle clock takes the new due time; cards already issued stay."""
    extension, at, m = E.ExtensionApproved.from_event(event), event.occurred_at, monitoring
    change_clocks(uow, _open(uow, extension, (ClockKind.HANDLE,)), "extended",
                  lambda c: c.move_due(extension.handle_due_at, at=at, calendar=m.calendar, policy=m.policy,
                                       provisional=extension.provisional))


def ticket_replied(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """答复 stops the department's clocks and starts the hotline office's callback clock (回访)."""
    reply, at = E.TicketReplied.from_event(event), event.occurred_at
    stop_clocks(monitoring, uow, _open(uow, reply, TICKET_CLOCKS), at=at)
    stop_clocks(monitoring, uow, _open(uow, reply, (ClockKind.CALLBACK,)), at=at, outcome=Outcome.SUPERSEDED)
    if reply.callback_due_at is None:
        return
    start_clock(monitoring, uow, subject=_subject(reply), kind=ClockKind.CALLBACK, department=HOTLINE_OFFICE,
                started_at=at, limit=monitoring.policy.callback_limit, due_at=reply.callback_due_at,
                provisional=reply.provisional)


def callback_done(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """回访 recorded, or the ticket closed without one: the callback clock stops."""
    stop_clocks(monitoring, uow, _open(uow, _ticket(event), (ClockKind.CALLBACK,)), at=event.occurred_at)


def ticket_merged(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """并单: the duplicate's clocks are cancelled; the master ticket carries the work."""
    stop_clocks(monitoring, uow, _open(uow, _ticket(event)), at=event.occurred_at, outcome=Outcome.CANCELLED)


# Routing-key pattern → handler(context, uow, event); the event worker and the embedded suite bind the
# context they built with ``open_context``, so every process uses the same calendar and rules.
ROUTES: dict[str, RouteHandler] = {
    "gateway.department.upserted": upsert_department,
    YEAR_SET: apply_year_set,
    E.TicketDispatched.TYPE: ticket_dispatched,
    E.TicketReopened.TYPE: ticket_dispatched,
    E.TicketSigned.TYPE: ticket_signed,
    E.ReturnRequested.TYPE: return_requested,
    E.ReturnRejected.TYPE: return_rejected,
    E.ReturnAccepted.TYPE: return_accepted,
    E.ExtensionApproved.TYPE: extension_approved,
    E.TicketReplied.TYPE: ticket_replied,
    E.CallbackRecorded.TYPE: callback_done,
    E.TicketClosed.TYPE: callback_done,
    E.TicketMerged.TYPE: ticket_merged,
}
