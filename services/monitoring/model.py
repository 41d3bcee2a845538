"""Supervised clocks (监察时钟) and the signals they fire. Pure domain: no Flask, SQLAlchemy or pika.

A clock times one limit of one subject (a ticket's sign-in, an approval's statutory limit …) for one
department. It runs, may pause (暂停计时) and resume, and stops. While it runs it climbs the stages
none → reminded (预警) → yellow (黄牌) → red (红牌); ``next_fire_at`` is the instant of the next
threshold, so the sweep only ever reads clocks that are due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from services.monitoring.rules import BoardState, ClockKind, ClockState, MonitoringPolicy, Outcome, Stage, label
from shared.calendar import TimeLimit, TimeUnit, WorkCalendar
from shared.errors import InvalidInput, InvalidTransition
from shared.events import DomainEvent
from shared.events.monitoring import WarningIssued, WarningSnapshot

_DAY = timedelta(days=1)


# Value objects are named tuples: the sweep builds thousands per batch, and they are immutable anyway.
class Subject(NamedTuple):
    """What a clock or card is about: ``hotline``/``ticket``/<id>, shown to people as ``ref``."""

    service: str
    kind: str
    id: str
    ref: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"service": self.service, "kind": self.kind, "id": self.id, "ref": self.ref}


class Signal(NamedTuple):
    """A threshold a clock crossed: a reminder, a yellow card or a red card is due for it."""

    stage: Stage
    clock_id: str
    department: str
    subject: Subject
    kind: ClockKind
    due_at: datetime
    reason: str


# -- working-day helpers -------------------------------------------------------------------------
# Deadlines cluster on day closes, so a sweep over thousands of clocks asks the calendar the same few
# questions; the answers are cached per calendar revision (an admin may enter a year while it runs).
def workdays_after(calendar: WorkCalendar, due_at: datetime, n: int) -> datetime:
    """The close of the Nth working day after the day ``due_at`` belongs to."""
    return _workdays_after(calendar, calendar.revision, due_at, n)


@lru_cache(maxsize=4096)
def _workdays_after(calendar: WorkCalendar, _revision: int, due_at: datetime, n: int) -> datetime:
    return calendar.extend(due_at, TimeLimit.workdays(n)).due_at


@lru_cache(maxsize=4096)
def wall_clock_text(calendar: WorkCalendar, moment: datetime) -> str:
    """``2026-11-10 00:00`` in the calendar's zone, as reasons and messages print deadlines."""
    return moment.astimezone(calendar.tz).strftime("%Y-%m-%d %H:%M")


def due_day(calendar: WorkCalendar, due_at: datetime) -> date:
    """The day a deadline belongs to: the first day whose close is at or after it.

    With the default 24:00 close a deadline of 10-09 00:00 is the close of 10-08, so 10-08 is its day.
    """
    local = due_at.astimezone(calendar.tz).date()
    for day in (local - _DAY, local):
        if calendar.close_of(day) >= due_at:
            return day
    return local + _DAY


# The signals a clock at one stage issues when the sweep finds it has reached another: every stage
# passed, except a reminder when the due time passed too (a late sweep never issues a stale reminder).
# Worked out once: the sweep asks for every due clock.
_CLIMB_SIGNALS: dict[tuple[Stage, Stage], tuple[Stage, ...]] = {
    (start, end): tuple(stage for stage in (Stage.REMINDED, Stage.YELLOW, Stage.RED)
                        if start.rank < stage.rank <= end.rank and (stage is not Stage.REMINDED or end is stage))
    for start in Stage for end in Stage}


# -- the clock -----------------------------------------------------------------------------------
@dataclass
class SupervisedClock:
    id: str
    subject: Subject
    kind: ClockKind
    department: str
    started_at: datetime
    limit: TimeLimit
    due_at: datetime
    provisional: bool = False
    state: ClockState = ClockState.RUNNING
    paused_at: datetime | None = None
    # What the pauses added so far, in the limit's own terms (working days, or seconds for natural units).
    paused_workdays: int = 0
    paused_seconds: int = 0
    stopped_at: datetime | None = None
    outcome: Outcome | None = None
    stage: Stage = Stage.NONE
    next_fire_at: datetime | None = None
    rules_version: int = 0  # the rules version it started under (shared.rules): its thresholds stay those
    version: int = 0

    @classmethod
    def start(cls, *, id: str, subject: Subject, kind: ClockKind, department: str, started_at: datetime,
              limit: TimeLimit, due_at: datetime, provisional: bool, calendar: WorkCalendar,
              policy: MonitoringPolicy, rules_version: int = 0) -> SupervisedClock:
        """A running clock; the due time is given (the source computed it with the same calendar)."""
        if due_at < started_at:
            raise InvalidInput("到期时间早于开始时间 / due_at is before started_at", {"due_at": ["before start"]})
        clock = cls(id=id, subject=subject, kind=kind, department=department, started_at=started_at,
                    limit=limit, due_at=due_at, provisional=provisional, rules_version=rules_version)
        clock._arm(started_at, calendar, policy)
        return clock

    # -- thresholds --------------------------------------------------------------------------
    def reminder_at(self, calendar: WorkCalendar, policy: MonitoringPolicy) -> datetime:
        """预警: the later of the previous working day's close and due − 20% of the natural length."""
        before = calendar.workdays_before(due_day(calendar, self.due_at), policy.reminder_workdays_before)
        by_day = calendar.close_of(before)
        by_share = self.due_at - (self.due_at - self.started_at) * policy.reminder_share
        return min(max(by_day, by_share), self.due_at)

    def red_at(self, calendar: WorkCalendar, policy: MonitoringPolicy) -> datetime:
        """红牌: the close of the Nth working day after the due day."""
        return workdays_after(calendar, self.due_at, policy.red_after_workdays)

    def threshold(self, stage: Stage, calendar: WorkCalendar, policy: MonitoringPolicy) -> datetime | None:
        """The instant at which a clock at ``stage`` climbs to the next stage (None after red)."""
        if stage is Stage.NONE:
            return self.reminder_at(calendar, policy)
        if stage is Stage.REMINDED:
            return self.due_at
        if stage is Stage.YELLOW:
            return self.red_at(calendar, policy)
        return None

    def reached(self, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> Stage:
        """The highest stage whose threshold has passed at ``now`` (red_at is only worked out once due)."""
        if now >= self.due_at:
            return Stage.RED if now >= self.red_at(calendar, policy) else Stage.YELLOW
        return Stage.REMINDED if now >= self.reminder_at(calendar, policy) else Stage.NONE

    def _arm(self, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> None:
        """Recompute the stage and ``next_fire_at`` after the due time moved.

        The stage may go back when the due time moved into the future (signals already issued stay);
        it never goes forward here: climbing is the sweep's job, so it also issues the signals.
        """
        if self.state is not ClockState.RUNNING:
            self.next_fire_at = None
            return
        reached = self.reached(now, calendar, policy)
        if reached.rank < self.stage.rank:
            self.stage = reached
        self.next_fire_at = self.threshold(self.stage, calendar, policy)

    # -- the sweep ---------------------------------------------------------------------------
    def fire(self, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> list[Signal]:
        """Climb to the highest stage passed at ``now`` and say which signals that issues.

        A clock whose thresholds all passed while nobody swept jumps straight there: a reminder only
        makes sense before the due time, so a late sweep issues the yellow (and red) cards only.
        """
        if self.state is not ClockState.RUNNING:
            self.next_fire_at = None
            return []
        reached = self._reached_by_schedule(now, calendar, policy)
        stages = _CLIMB_SIGNALS[self.stage, reached]
        if not stages:  # the climb table is empty exactly when the clock does not climb
            self.next_fire_at = self.threshold(self.stage, calendar, policy)
            return []
        self.stage = reached
        self.next_fire_at = self.threshold(reached, calendar, policy)
        return [self._signal(stage, calendar, policy) for stage in stages]

    def _reached_by_schedule(self, now: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> Stage:
        """``reached``, trusting ``next_fire_at`` as the current stage's threshold (it was set so), which
        spares the sweep a calendar computation per clock."""
        scheduled = self.next_fire_at
        if now < self.due_at:
            if self.stage is Stage.REMINDED or (self.stage is Stage.NONE and scheduled and now >= scheduled):
                return Stage.REMINDED
        elif self.stage is Stage.YELLOW and scheduled is not None:
            return Stage.RED if now >= scheduled else Stage.YELLOW
        return self.reached(now, calendar, policy)

    def _signal(self, stage: Stage, calendar: WorkCalendar, policy: MonitoringPolicy) -> Signal:
        due = wall_clock_text(calendar, self.due_at)
        what = f"{self.subject.ref or self.subject.id} {label(self.kind)}"
        if stage is Stage.REMINDED:
            reason = f"{what}将于{due}到期 / {self.kind.value} limit due at {due}"
        elif stage is Stage.YELLOW:
            reason = f"{what}已于{due}到期未办结 / {self.kind.value} limit passed at {due}, not done"
        else:
            n = policy.red_after_workdays
            reason = (f"{what}超期超过{n}个工作日（{due}到期）/ {self.kind.value} limit overdue by more than "
                      f"{n} working days (due {due})")
        return Signal(stage, self.id, self.department, self.subject, self.kind, self.due_at, reason)

    # -- pause, resume, move, stop -----------------------------------------------------------
    def pause(self, at: datetime) -> None:
        """暂停计时 (a return under review, a hearing, expert review …): no signals while paused."""
        self._require(ClockState.RUNNING, action="pause")
        if at < self.started_at:
            raise InvalidInput("暂停时间早于开始时间 / paused before the clock started", {"at": ["before start"]})
        self.state, self.paused_at, self.next_fire_at = ClockState.PAUSED, at, None

    def resume(self, at: datetime, calendar: WorkCalendar, policy: MonitoringPolicy) -> None:
        """Resume; the due time moves out by the pause.

        Working-day limits move by the working days that closed during the pause (《行政许可法》第82条
        counts working days only); natural limits by the exact duration.
        """
        self._require(ClockState.PAUSED, action="resume")
        assert self.paused_at is not None
        if at < self.paused_at:
            raise InvalidInput("恢复时间早于暂停时间 / resumed before it was paused", {"at": ["before the pause"]})
        if self.limit.unit is TimeUnit.WORKING_DAYS:
            days = calendar.working_days_between(self.paused_at, at)
            if days:
                moved = calendar.extend(self.due_at, TimeLimit.workdays(days))
                self.due_at, self.provisional = moved.due_at, self.provisional or moved.provisional
            self.paused_workdays += days
        else:
            elapsed = at - self.paused_at
            self.due_at += elapsed
            self.paused_seconds += int(elapsed.total_seconds())
        self.state, self.paused_at = ClockState.RUNNING, None
        self._arm(at, calendar, policy)

    def move_due(self, due_at: datetime, *, at: datetime, calendar: WorkCalendar, policy: MonitoringPolicy,
                 provisional: bool = False) -> None:
        """A new due time (延期 approved): thresholds are recomputed; a stage may go back."""
        self._require(ClockState.RUNNING, ClockState.PAUSED, action="move")
        self.due_at, self.provisional = due_at, self.provisional or provisional
        self._arm(at, calendar, policy)

    def stop(self, at: datetime, calendar: WorkCalendar, policy: MonitoringPolicy,
             outcome: Outcome | None = None) -> None:
        """Stop; without an explicit outcome it is on time when stopped by the due time, else late.

        A paused clock is resumed at ``at`` first, so the pause is excluded from the reckoning.
        """
        self._require(ClockState.RUNNING, ClockState.PAUSED, action="stop")
        if self.state is ClockState.PAUSED:
            self.resume(max(at, self.paused_at or at), calendar, policy)
        at = max(at, self.started_at)
        self.state, self.stopped_at, self.next_fire_at = ClockState.STOPPED, at, None
        self.outcome = outcome or (Outcome.ON_TIME if at <= self.due_at else Outcome.LATE)

    # -- views -------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.state is not ClockState.STOPPED

    def board_state(self, now: datetime) -> BoardState:
        """What the board shows: stopped, paused, overdue (past due), reminded, else on time."""
        if self.state is ClockState.STOPPED:
            return BoardState.STOPPED
        if self.state is ClockState.PAUSED:
            return BoardState.PAUSED
        if now > self.due_at:
            return BoardState.OVERDUE
        return BoardState.REMINDED if self.stage is Stage.REMINDED else BoardState.ON_TIME

    def snapshot(self) -> dict[str, Any]:
        """What the audit trail records of a clock."""
        return {"state": self.state.value, "stage": self.stage.value, "due_at": self.due_at,
                "paused_at": self.paused_at, "stopped_at": self.stopped_at,
                "outcome": self.outcome.value if self.outcome else None,
                "next_fire_at": self.next_fire_at, "version": self.version}

    def _require(self, *allowed: ClockState, action: str) -> None:
        if self.state not in allowed:
            raise InvalidTransition(
                f"时钟当前为“{label(self.state)}”，不能{action} / cannot {action} a {self.state.value} clock",
                {"state": [self.state.value], "allowed": [s.value for s in allowed]})


@dataclass
class Reminder:
    """A reminder (预警) issued for one clock; at most one per clock."""

    id: str
    clock_id: str
    department: str
    subject: Subject
    kind: ClockKind
    due_at: datetime
    issued_at: datetime
    message: str
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def for_signal(cls, signal: Signal, *, id: str, now: datetime) -> Reminder:
        reminder = cls(id, signal.clock_id, signal.department, signal.subject, signal.kind, signal.due_at, now,
                       signal.reason)
        reminder._announce(WarningIssued)
        return reminder

    def republish(self, now: datetime) -> None:
        """The reminder again, as a ``monitoring.warning.snapshot`` event (a consumer rebuilds its copy)."""
        self._announce(WarningSnapshot)

    def _announce(self, event: type[WarningIssued]) -> None:
        self.events.append(event(warning_id=self.id, clock_id=self.clock_id, department=self.department,
                                 subject=self.subject.as_dict(), kind=self.kind.value, due_at=self.due_at,
                                 issued_at=self.issued_at, message=self.message))

