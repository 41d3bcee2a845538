"""A note and the event it records when filed. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.events import DomainEvent
from shared.events.clocks import ClockStarted


@dataclass(frozen=True, kw_only=True)
class NoteCreated(DomainEvent):
    TYPE = "echo.note.created"

    note_id: str
    text: str


@dataclass
class Note:
    id: str
    text: str
    events: list[DomainEvent] = field(default_factory=list)

    @classmethod
    def create(cls, *, id: str, text: str, now: datetime) -> Note:
        """File a note; the department ``zjj`` must review it within a working day (the clock contract)."""
        note = cls(id=id, text=text)
        note.events.append(NoteCreated(note_id=id, text=text))
        note.events.append(ClockStarted(key=f"{id}:review", subject_service="echo", subject_kind="note",
                                        subject_id=id, subject_ref=text[:20], kind="review", at=now,
                                        department="zjj", limit_amount=1, limit_unit="working_days"))
        return note
