"""Events the monitoring service consumes, and what each does to the clocks.

Every handler runs in the consumer's unit of work behind the shared inbox, so a redelivered event
changes nothing. Instants come from the event (``occurred_at``), never from the wall clock, and due
times from the event's data: the hotline computed them with the same working-day calendar.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from services.monitoring import store
from services.monitoring.handlers import Monitoring, change_clocks, start_clock, stop_clocks
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import HOTLINE_OFFICE, ClockKind, ClockState, Outcome
from shared.bus.consumer import Subscription
from shared.bus.envelope import Event
from shared.calendar import TimeLimit, WorkCalendar
from shared.db import Database
from shared.directory import upsert_department
from shared.settings import Settings
from shared.uow import UnitOfWork

HOTLINE, TICKET = "hotline", "ticket"
TICKET_CLOCKS = (ClockKind.SIGN, ClockKind.HANDLE)


def _subject(data: dict[str, Any]) -> Subject:
    return Subject(HOTLINE, TICKET, str(data["ticket_id"]), str(data.get("number") or ""))


def _instant(value: Any, name: str) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"{name} must carry a UTC offset, got {value!r}")
    return moment


def _limit(raw: Any, started_at: datetime, due_at: datetime) -> TimeLimit:
    """The limit the event states; an event without one is timed as the minutes it actually allows."""
    try:
        return TimeLimit(int(raw["amount"]), raw["unit"])
    except (KeyError, TypeError, ValueError):
        return TimeLimit.minutes(max(0, int((due_at - started_at).total_seconds() // 60)))


def _open(uow: UnitOfWork, data: dict[str, Any], kinds: tuple[ClockKind, ...] | None = None,
          state: ClockState | None = None) -> list[SupervisedClock]:
    """The ticket's open clocks (of these kinds, in this state)."""
    clocks = store.ClockRepository(uow.conn).of_subject(HOTLINE, str(data["ticket_id"]), kinds=kinds,
                                                        lock=not uow.db.is_sqlite)
    return [c for c in clocks if state is None or c.state is state]


# -- hotline.ticket.* ------------------------------------------------------------------------------
def ticket_dispatched(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """派单 or 重办: the previous sign and handle clocks give way to new ones for the lead department."""
    data, at = event.data, event.occurred_at
    stop_clocks(monitoring, uow, _open(uow, data, TICKET_CLOCKS), at=at, outcome=Outcome.SUPERSEDED)
    provisional = bool(data.get("provisional", False))
    for kind, due_key, limit_key in ((ClockKind.SIGN, "sign_due_at", "sign_limit"),
                                     (ClockKind.HANDLE, "handle_due_at", "handle_limit")):
        due_at = _instant(data[due_key], due_key)
        start_clock(monitoring, uow, subject=_subject(data), kind=kind, department=str(data["lead_department"]),
                    started_at=at, limit=_limit(data.get(limit_key), at, due_at), due_at=due_at,
                    provisional=provisional)


def ticket_signed(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """签收 stops the sign-in clock: on time if by its due time."""
    stop_clocks(monitoring, uow, _open(uow, event.data, (ClockKind.SIGN,)), at=event.occurred_at)


def return_requested(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """退单 under review: the department's clocks pause until the dispatcher decides."""
    at = event.occurred_at
    change_clocks(uow, _open(uow, event.data, TICKET_CLOCKS, ClockState.RUNNING), "paused",
                  lambda c: c.pause(max(at, c.started_at)))


def return_rejected(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """The return was refused: the clocks resume, their due times moved out by the review."""
    at, m = event.occurred_at, monitoring
    change_clocks(uow, _open(uow, event.data, TICKET_CLOCKS, ClockState.PAUSED), "resumed",
                  lambda c: c.resume(max(at, c.paused_at or at), m.calendar, m.policy))


def return_accepted(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """The return was accepted: the department is no longer timed for this ticket."""
    stop_clocks(monitoring, uow, _open(uow, event.data, TICKET_CLOCKS), at=event.occurred_at,
                outcome=Outcome.SUPERSEDED)


def extension_approved(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """延期 approved: the handle clock takes the new due time; cards already issued stay."""
    data, at, m = event.data, event.occurred_at, monitoring
    due_at = _instant(data["handle_due_at"], "handle_due_at")
    provisional = bool(data.get("provisional", False))
    change_clocks(uow, _open(uow, data, (ClockKind.HANDLE,)), "extended",
                  lambda c: c.move_due(due_at, at=at, calendar=m.calendar, policy=m.policy,
                                       provisional=provisional))


def ticket_replied(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """答复 stops the department's clocks and starts the hotline office's callback clock (回访)."""
    data, at = event.data, event.occurred_at
    stop_clocks(monitoring, uow, _open(uow, data, TICKET_CLOCKS), at=at)
    stop_clocks(monitoring, uow, _open(uow, data, (ClockKind.CALLBACK,)), at=at, outcome=Outcome.SUPERSEDED)
    if not data.get("callback_due_at"):
        return
    due_at = _instant(data["callback_due_at"], "callback_due_at")
    start_clock(monitoring, uow, subject=_subject(data), kind=ClockKind.CALLBACK, department=HOTLINE_OFFICE,
                started_at=at, limit=monitoring.policy.callback_limit, due_at=due_at,
                provisional=bool(data.get("provisional", False)))


def callback_done(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """回访 recorded, or the ticket closed without one: the callback clock stops."""
    stop_clocks(monitoring, uow, _open(uow, event.data, (ClockKind.CALLBACK,)), at=event.occurred_at)


def ticket_merged(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """并单: the duplicate's clocks are cancelled; the master ticket carries the work."""
    stop_clocks(monitoring, uow, _open(uow, event.data), at=event.occurred_at, outcome=Outcome.CANCELLED)


# -- wiring ----------------------------------------------------------------------------------------
# The shared consumer calls a handler with (uow, event) only, but these handlers need the calendar and the
# rules too. They find them through the unit of work's database: ``open_monitoring`` binds its context
# here; a process that opens the database without it (the distributed event worker) gets the calendar its
# environment describes and the default rules.
_contexts: WeakKeyDictionary[Database, Monitoring] = WeakKeyDictionary()


def bind(monitoring: Monitoring) -> None:
    """Use ``monitoring``'s calendar and rules for events applied to its database."""
    _contexts[monitoring.db] = monitoring


def context_of(db: Database) -> Monitoring:
    monitoring = _contexts.get(db)
    if monitoring is None:
        monitoring = _contexts[db] = Monitoring(db=db, calendar=_environment_calendar())
    return monitoring


@functools.cache
def _environment_calendar() -> WorkCalendar:
    return WorkCalendar.from_settings(Settings.from_env())


ContextHandler = Callable[[Monitoring, UnitOfWork, Event], None]


def _with_context(handler: ContextHandler) -> Callable[[UnitOfWork, Event], None]:
    @functools.wraps(handler)
    def apply(uow: UnitOfWork, event: Event) -> None:
        handler(context_of(uow.db), uow, event)

    return apply


SUBSCRIPTIONS = [Subscription("gateway.department.upserted", upsert_department)] + [
    Subscription(pattern, _with_context(handler)) for pattern, handler in (
    ("hotline.ticket.dispatched", ticket_dispatched),
    ("hotline.ticket.reopened", ticket_dispatched),
    ("hotline.ticket.signed", ticket_signed),
    ("hotline.ticket.return_requested", return_requested),
    ("hotline.ticket.return_rejected", return_rejected),
    ("hotline.ticket.return_accepted", return_accepted),
    ("hotline.ticket.extension_approved", extension_approved),
    ("hotline.ticket.replied", ticket_replied),
    ("hotline.ticket.callback_recorded", callback_done),
    ("hotline.ticket.closed", callback_done),
    ("hotline.ticket.merged", ticket_merged),
)]
