"""A ticket's history: its caller, its timeline entries, and how each step is recorded.

Every step appends a timeline entry (what the public and the KPIs read), the ticket's typed events
(``shared.events.hotline``) and the commands of the clock contract (``shared.events.clocks``) the
monitoring service times the departments by. Pure domain: no Flask, SQLAlchemy or pika.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.hotline.rules import TicketStatus
from shared.domain import Actor
from shared.events import DomainEvent
from shared.events import clocks as C
from shared.events import hotline as E

# The clocks the monitoring service keeps for a ticket (clock-contract kinds).
SIGN_CLOCK, HANDLE_CLOCK, CALLBACK_CLOCK = "sign", "handle", "callback"
DEPARTMENT_CLOCKS = (SIGN_CLOCK, HANDLE_CLOCK)


@dataclass(frozen=True)
class Caller:
    name: str = ""
    phone: str = ""


@dataclass
class TimelineEntry:
    """One recorded transition: who, when, from → to, and what was said."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    department: str | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    # What KPIs count: "on_time"/"late" for sign and reply, the satisfaction level for a callback.
    outcome: str | None = None


@dataclass(frozen=True)
class SystemActor:
    """Another service acting on a ticket through an event (e.g. ``system:rectification``)."""

    username: str
    departments: frozenset[str] = frozenset()


RECTIFICATION = SystemActor("system:rectification")
NOTICE_LABELS = {"issued": "已下发整改通知书", "closed": "整改已验收销号", "withdrawn": "整改通知书已撤回"}


class TicketHistory:
    """The recording half of ``Ticket`` (a mixin: the fields live on the ticket)."""

    id: str
    number: str
    status: TicketStatus
    timeline: list[TimelineEntry]
    new_timeline: list[TimelineEntry]
    events: list[DomainEvent]

    def _move(self, actor: Actor, now: datetime, action: str, to: TicketStatus, *,
              department: str | None = None, note: str = "", data: dict[str, Any] | None = None,
              outcome: str | None = None) -> None:
        previous, self.status = self.status, to
        self._append(TimelineEntry(now, actor.username, action, previous.value, to.value, department,
                                   note, data or {}, outcome))

    def _record(self, actor: Actor, now: datetime, action: str, department: str | None, *,
                note: str = "", data: dict[str, Any] | None = None, outcome: str | None = None) -> None:
        """A timeline entry that does not change the status."""
        current = self.status.value if self.timeline or self.new_timeline else None
        self._append(TimelineEntry(now, actor.username, action, current, self.status.value, department,
                                   note, data or {}, outcome))

    def note_rectification(self, *, notice_id: str, number: str, status: str, department: str,
                           now: datetime) -> bool:
        """整改通知书 raised from this ticket, or its close: the ticket links to it (once per notice and status)."""
        if status not in NOTICE_LABELS or any(
                e.action == "rectification" and e.data.get("notice_id") == notice_id and e.data.get("status") == status
                for e in self.timeline):
            return False
        self._record(RECTIFICATION, now, "rectification", department, note=f"{NOTICE_LABELS[status]}：{number}",
                     data={"notice_id": notice_id, "number": number, "status": status})
        return True

    def _append(self, entry: TimelineEntry) -> None:
        self.timeline.append(entry)
        self.new_timeline.append(entry)

    def _clock(self, command: builtins.type[C.ClockCommand], kind: str | None, now: datetime, **data: Any) -> None:
        """A command of the clock contract; its key is unique to this step (the timeline only grows)."""
        verb = command.TYPE.rsplit(".", 1)[1]
        self.events.append(command(key=f"{self.id}:{len(self.timeline)}:{verb}:{kind or 'all'}",
                                   subject_service="hotline", subject_kind="ticket", subject_id=self.id,
                                   subject_ref=self.number, kind=kind, at=now, **data))

    def _emit(self, event: builtins.type[E.TicketEvent], **data: Any) -> None:
        self.events.append(event(ticket_id=self.id, number=self.number, status=self.status.value, **data))
