"""Events the monitoring service consumes: the clock contract of every service, and the directory.

Any service times a deadline by publishing ``<service>.clock.*`` commands (``shared.events.clocks``);
monitoring knows nothing else of other services' events. Every handler runs in the consumer's unit of
work behind the shared inbox, and a command's ``key`` is recorded too, so neither a redelivered message
nor a command published twice changes anything. Instants come from the command (``at``), never from
the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from services.monitoring import store
from services.monitoring.handlers import Monitoring, change_clocks, start_clock, stop_clocks
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import ClockKind, ClockState, Outcome
from shared import bulk
from shared.audit_heads import keep_head
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar import TimeLimit, TimeUnit
from shared.calendar_store import YEAR_SET, apply_year_set
from shared.directory import upsert_department
from shared.errors import InvalidInput, NotFound
from shared.events.audit import AuditHeadPublished
from shared.events.clocks import (
    ClockCommand,
    ClockDueChanged,
    ClockPaused,
    ClockResumed,
    ClockStarted,
    ClockStopped,
)
from shared.events.rectification import NoticeClosed
from shared.rules_store import PUBLISHED, apply_rules_published
from shared.uow import UnitOfWork

CommandT = TypeVar("CommandT", bound=ClockCommand)


def _first_time(uow: UnitOfWork, command: ClockCommand) -> bool:
    """Record the command's key (within its service's keys); False if it was applied before."""
    key = f"{command.subject_service}:{command.key}"
    return bool(bulk.insert_new(uow.conn, store.clock_commands, [{"id": key, "applied_at": uow.now}]))


def _kind(command: ClockCommand) -> ClockKind | None:
    if command.kind is None:
        return None
    try:
        return ClockKind(command.kind)
    except ValueError as exc:  # a kind monitoring cannot label or score: never applicable, dead-letter it
        raise InvalidInput(f"unknown clock kind {command.kind!r}", {"kind": [command.kind]}) from exc


def _open(uow: UnitOfWork, command: ClockCommand, state: ClockState | None = None) -> list[SupervisedClock]:
    """The subject's open clocks of the command's kind (of every kind when it names none)."""
    kind = _kind(command)
    clocks = store.ClockRepository(uow.conn).of_subject(
        command.subject_service, command.subject_id, kinds=None if kind is None else (kind,),
        lock=not uow.db.is_sqlite)
    return [c for c in clocks if state is None or c.state is state]


def _command(cls: type[CommandT], apply: Callable[[Monitoring, UnitOfWork, CommandT], None]) -> RouteHandler:
    """A route handler that decodes ``cls`` and applies it once per key."""

    def handle(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
        command = cls.from_event(event)
        producer = event.type.split(".", 1)[0]
        if command.subject_service != producer:  # a service times only its own subjects: never applicable
            raise InvalidInput(f"{producer} may not command clocks of {command.subject_service}",
                               {"subject_service": [command.subject_service]})
        if _first_time(uow, command):
            apply(monitoring, uow, command)

    handle.__doc__ = apply.__doc__
    return handle


def started(monitoring: Monitoring, uow: UnitOfWork, command: ClockStarted) -> None:
    """A new clock; a running clock of the same kind for the subject gives way to it (派单 again, 重办)."""
    kind = _kind(command)
    assert kind is not None, "a started clock names its kind"
    at = command.at
    try:
        limit = TimeLimit(command.limit_amount, TimeUnit(command.limit_unit))
    except ValueError as exc:
        raise InvalidInput(f"invalid time limit: {exc}", {"limit": [str(exc)]}) from exc
    due_at, provisional = command.due_at, command.provisional
    if due_at is None:  # the producer left the working-day arithmetic to monitoring's calendar
        deadline = monitoring.calendar.due(at, limit)
        due_at, provisional = deadline.due_at, provisional or deadline.provisional
    stop_clocks(monitoring, uow, _open(uow, command), at=at, outcome=Outcome.SUPERSEDED)
    start_clock(monitoring, uow, subject=Subject(command.subject_service, command.subject_kind, command.subject_id,
                                                 command.subject_ref),
                kind=kind, department=command.department, started_at=at, limit=limit, due_at=due_at,
                provisional=provisional)


def paused(monitoring: Monitoring, uow: UnitOfWork, command: ClockPaused) -> None:
    """暂停计时: running clocks stop counting until resumed."""
    at = command.at
    change_clocks(uow, _open(uow, command, ClockState.RUNNING), "paused", lambda c: c.pause(max(at, c.started_at)))


def resumed(monitoring: Monitoring, uow: UnitOfWork, command: ClockResumed) -> None:
    """The pause ended: the due times move out by the paused time."""
    at, m = command.at, monitoring
    change_clocks(uow, _open(uow, command, ClockState.PAUSED), "resumed",
                  lambda c: c.resume(max(at, c.paused_at or at), m.calendar, m.policy_for(c)))


def due_changed(monitoring: Monitoring, uow: UnitOfWork, command: ClockDueChanged) -> None:
    """延期: the clock takes the new due time; cards already issued stay."""
    m = monitoring
    change_clocks(uow, _open(uow, command), "extended",
                  lambda c: c.move_due(command.due_at, at=command.at, calendar=m.calendar, policy=m.policy_for(c),
                                       provisional=command.provisional))


def stopped(monitoring: Monitoring, uow: UnitOfWork, command: ClockStopped) -> None:
    """Done (judged on time or late), or no longer applicable (superseded, cancelled)."""
    try:
        outcome = Outcome(command.outcome) if command.outcome else None
    except ValueError as exc:
        raise InvalidInput(f"unknown outcome {command.outcome!r}", {"outcome": [command.outcome]}) from exc
    stop_clocks(monitoring, uow, _open(uow, command), at=command.at, outcome=outcome)


def notice_closed(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
    """验收销号 of a notice a card raised: the card is cleared (an issued one too, see Card.clear_by_rectification)."""
    notice = NoticeClosed.from_event(event)
    if notice.source.get("kind") != "red_card":
        return
    cards = uow.repository(store.CardRepository)
    try:
        card = cards.get(str(notice.source["ref"]["id"]))
    except NotFound:
        return  # a card this monitoring never issued (another deployment's): nothing to clear
    before = card.snapshot()
    if card.clear_by_rectification(notice=notice.number, now=notice.at):
        cards.save(card)
        uow.audit("card.cleared", "card", card.id, before=before, after=card.snapshot())


# Routing-key pattern → handler(context, uow, event); the event worker and the embedded suite bind the
# context they built with ``open_context``, so every process uses the same calendar and rules.
ROUTES: dict[str, RouteHandler] = {
    "gateway.department.upserted": upsert_department,
    PUBLISHED: apply_rules_published,
    YEAR_SET: apply_year_set,
    ClockStarted.TYPE: _command(ClockStarted, started),
    ClockPaused.TYPE: _command(ClockPaused, paused),
    ClockResumed.TYPE: _command(ClockResumed, resumed),
    ClockDueChanged.TYPE: _command(ClockDueChanged, due_changed),
    ClockStopped.TYPE: _command(ClockStopped, stopped),
    NoticeClosed.TYPE: notice_closed,
    AuditHeadPublished.TYPE: keep_head,
}
