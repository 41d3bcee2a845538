"""The clock contract (监察时钟): how any service has the monitoring service time a deadline.

A service publishes these under its own name (``hotline.clock.started``, ``spotcheck.clock.started`` …);
monitoring consumes ``*.clock.*`` and needs no knowledge of any other event. A clock is named by its
subject (service, kind of record, id) and its ``kind`` (sign, handle, callback, publication,
rectification, review …); at most one clock of a kind runs per subject.

Every command carries a ``key`` unique to that command (e.g. ``<ticket>:<step>:<kind>``): a command
delivered or published twice with the same key changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.events import DomainEvent

UNITS = ("natural_minutes", "natural_hours", "natural_days", "working_days")  # shared.calendar.TimeUnit


@dataclass(frozen=True, kw_only=True)
class ClockCommand(DomainEvent):
    """What every clock command names: the subject, the clock's kind, and the command's key."""

    key: str
    subject_service: str
    subject_kind: str
    subject_id: str
    subject_ref: str = ""         # what people call the subject, e.g. a ticket number
    kind: str | None              # None on a stop: every open clock of the subject
    at: datetime                  # when it happened (the producer's clock)


@dataclass(frozen=True, kw_only=True)
class ClockStarted(ClockCommand):
    """Start timing ``kind`` for ``department``; a running clock of the same kind is superseded."""

    TYPE = "*.clock.started"

    department: str
    limit_amount: int
    limit_unit: str                # one of UNITS
    due_at: datetime | None = None  # omitted: monitoring works it out from the limit with its calendar
    provisional: bool = False      # the due time reaches into a year the calendar does not know


@dataclass(frozen=True, kw_only=True)
class ClockPaused(ClockCommand):
    """暂停计时 (hearing, expert review, a return under review …)."""

    TYPE = "*.clock.paused"

    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ClockResumed(ClockCommand):
    """The pause ended; the due time moves out by the paused time."""

    TYPE = "*.clock.resumed"


@dataclass(frozen=True, kw_only=True)
class ClockDueChanged(ClockCommand):
    """The due time moved (an approved extension, 延期); cards already issued stay."""

    TYPE = "*.clock.due_changed"

    due_at: datetime
    provisional: bool = False


@dataclass(frozen=True, kw_only=True)
class ClockStopped(ClockCommand):
    """The work is done (judged on time or late), or the clock no longer applies (``outcome``)."""

    TYPE = "*.clock.stopped"

    outcome: str | None = None     # None: judge on time/late; "superseded" or "cancelled": not judged
