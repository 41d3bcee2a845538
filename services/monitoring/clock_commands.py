"""The clock contract applied: ``<service>.clock.*`` commands start, pause, resume, move and stop clocks.

Every command is applied once per key. Commands of one subject may arrive out of order (two consumer
processes, a redelivery behind a later message, a dead letter replayed): order is taken from each command's
``at``, never from arrival.
- A pause, resume, due change or stop that finds no clock to act on is **parked**; when a start (or a pause)
  of that subject and kind is applied later, the parked commands at or after it are applied in ``at`` order
  (a command of every kind stays parked for the other kinds until the purge).
- A start older than the running clock of its kind is stale: the newer clock stands.
Parked commands that never find their clock (a stop of a subject that had none) and the keys of applied
commands are purged after ``RETENTION``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from services.monitoring import store
from services.monitoring.handlers import Monitoring, change_clocks, start_clock, stop_clocks
from services.monitoring.model import Subject, SupervisedClock
from services.monitoring.rules import ClockKind, ClockState, Outcome
from shared import bulk
from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.calendar import TimeLimit, TimeUnit
from shared.errors import InvalidInput
from shared.events.clocks import (
    ClockCommand,
    ClockDueChanged,
    ClockPaused,
    ClockResumed,
    ClockStarted,
    ClockStopped,
)
from shared.jsonutil import dumps
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)
CommandT = TypeVar("CommandT", bound=ClockCommand)
RETENTION = timedelta(days=90)   # a redelivery or replay older than this is not expected


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


Apply = Callable[[Monitoring, UnitOfWork, Any], bool]


def _command(cls: type[CommandT], apply: Callable[[Monitoring, UnitOfWork, CommandT], bool]) -> RouteHandler:
    """A route handler that decodes ``cls`` and applies it once per key, parking it if it found no clock."""

    def handle(monitoring: Monitoring, uow: UnitOfWork, event: Event) -> None:
        command = cls.from_event(event)
        producer = event.type.split(".", 1)[0]
        if command.subject_service != producer:  # a service times only its own subjects: never applicable
            raise InvalidInput(f"{producer} may not command clocks of {command.subject_service}",
                               {"subject_service": [command.subject_service]})
        if _first_time(uow, command) and not apply(monitoring, uow, command):
            _park(uow, command)

    handle.__doc__ = apply.__doc__
    return handle


def started(monitoring: Monitoring, uow: UnitOfWork, command: ClockStarted) -> bool:
    """A new clock; a running clock of the same kind for the subject gives way to it (派单 again, 重办)."""
    kind = _kind(command)
    assert kind is not None, "a started clock names its kind"
    at = command.at
    try:
        limit = TimeLimit(command.limit_amount, TimeUnit(command.limit_unit))
    except ValueError as exc:
        raise InvalidInput(f"invalid time limit: {exc}", {"limit": [str(exc)]}) from exc
    current = _open(uow, command)
    if any(c.started_at > at for c in current):
        log.info("stale clock start ignored", extra={"key": command.key, "subject_id": command.subject_id,
                                                     "kind": kind.value})
        return True
    due_at, provisional = command.due_at, command.provisional
    if due_at is None:  # the producer left the working-day arithmetic to monitoring's calendar
        deadline = monitoring.calendar.due(at, limit)
        due_at, provisional = deadline.due_at, provisional or deadline.provisional
    stop_clocks(monitoring, uow, current, at=at, outcome=Outcome.SUPERSEDED)
    start_clock(monitoring, uow, subject=Subject(command.subject_service, command.subject_kind, command.subject_id,
                                                 command.subject_ref),
                kind=kind, department=command.department, started_at=at, limit=limit, due_at=due_at,
                provisional=provisional)
    _unpark(monitoring, uow, command, since=at)
    return True


def paused(monitoring: Monitoring, uow: UnitOfWork, command: ClockPaused) -> bool:
    """暂停计时: running clocks stop counting until resumed."""
    if not _pause(monitoring, uow, command):
        return False
    _unpark(monitoring, uow, command, since=command.at)
    return True


def _pause(monitoring: Monitoring, uow: UnitOfWork, command: ClockPaused) -> bool:
    at = command.at
    return bool(change_clocks(uow, _open(uow, command, ClockState.RUNNING), "paused",
                              lambda c: c.pause(max(at, c.started_at))))


def resumed(monitoring: Monitoring, uow: UnitOfWork, command: ClockResumed) -> bool:
    """The pause ended: the due times move out by the paused time."""
    at, m = command.at, monitoring
    return bool(change_clocks(uow, _open(uow, command, ClockState.PAUSED), "resumed",
                              lambda c: c.resume(max(at, c.paused_at or at), m.calendar, m.policy_for(c))))


def due_changed(monitoring: Monitoring, uow: UnitOfWork, command: ClockDueChanged) -> bool:
    """延期: the clock takes the new due time; cards already issued stay."""
    m = monitoring
    return bool(change_clocks(uow, _open(uow, command), "extended",
                              lambda c: c.move_due(command.due_at, at=command.at, calendar=m.calendar,
                                                   policy=m.policy_for(c), provisional=command.provisional)))


def stopped(monitoring: Monitoring, uow: UnitOfWork, command: ClockStopped) -> bool:
    """Done (judged on time or late), or no longer applicable (superseded, cancelled)."""
    try:
        outcome = Outcome(command.outcome) if command.outcome else None
    except ValueError as exc:
        raise InvalidInput(f"unknown outcome {command.outcome!r}", {"outcome": [command.outcome]}) from exc
    return bool(stop_clocks(monitoring, uow, _open(uow, command), at=command.at, outcome=outcome))


# -- parked commands ---------------------------------------------------------------------------------
def _park(uow: UnitOfWork, command: ClockCommand) -> None:
    """Keep a command that found no clock: its clock's start may still be on its way."""
    bulk.insert_new(uow.conn, store.parked_clock_commands, [{
        "id": f"{command.subject_service}:{command.key}", "subject_service": command.subject_service,
        "subject_id": command.subject_id, "kind": command.kind, "type": command.TYPE.rsplit(".", 1)[1],
        "at": command.at, "data": dumps(command.to_data()), "parked_at": uow.now}])


_PARKABLE: dict[str, tuple[type[ClockCommand], Apply]] = {
    "paused": (ClockPaused, _pause), "resumed": (ClockResumed, resumed),
    "due_changed": (ClockDueChanged, due_changed), "stopped": (ClockStopped, stopped),
}


def _unpark(monitoring: Monitoring, uow: UnitOfWork, command: ClockCommand, *, since: datetime) -> None:
    """Apply, in ``at`` order, the parked commands of this subject and kind from ``since`` on."""
    p = store.parked_clock_commands
    rows = uow.conn.execute(
        sa.select(p).where(p.c.subject_service == command.subject_service, p.c.subject_id == command.subject_id,
                           sa.or_(p.c.kind == command.kind, p.c.kind.is_(None)), p.c.at >= since)
        .order_by(p.c.at, p.c.parked_at)).all()
    for row in rows:
        cls, apply = _PARKABLE[row.type]
        if apply(monitoring, uow, cls.from_data(json.loads(row.data))):
            log.info("parked clock command applied", extra={"id": row.id, "type": row.type})
            if row.kind is not None:  # one of every kind stays for the other kinds' starts, until the purge
                uow.conn.execute(p.delete().where(p.c.id == row.id))


def purge(monitoring: Monitoring, *, now: datetime | None = None) -> dict[str, int]:
    """Forget applied command keys and parked commands older than ``RETENTION`` (a periodic job)."""
    before = (now or monitoring.db.clock.now()) - RETENTION
    with monitoring.db.unit_of_work(actor="system:purge") as uow:
        keys = uow.conn.execute(store.clock_commands.delete().where(store.clock_commands.c.applied_at < before))
        parked = uow.conn.execute(store.parked_clock_commands.delete()
                                  .where(store.parked_clock_commands.c.parked_at < before))
        uow.commit()
    counts = {"keys": keys.rowcount, "parked": parked.rowcount}
    if any(counts.values()):
        log.info("clock command records purged", extra=counts)
    return counts


ROUTES: dict[str, RouteHandler] = {
    ClockStarted.TYPE: _command(ClockStarted, started),
    ClockPaused.TYPE: _command(ClockPaused, paused),
    ClockResumed.TYPE: _command(ClockResumed, resumed),
    ClockDueChanged.TYPE: _command(ClockDueChanged, due_changed),
    ClockStopped.TYPE: _command(ClockStopped, stopped),
}
