"""A note and the event it records when filed. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.events import DomainEvent


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
    def create(cls, *, id: str, text: str) -> Note:
        note = cls(id=id, text=text)
        note.events.append(NoteCreated(note_id=id, text=text))
        return note
