"""The echo part consumes its own announcements."""

from __future__ import annotations

from shared.bus.consumer import RouteHandler
from shared.bus.envelope import Event
from shared.uow import UnitOfWork
from tests.parts.echo import Echo, store
from tests.parts.echo.model import NoteCreated


def note_created(_echo: Echo, uow: UnitOfWork, event: Event) -> None:
    note = NoteCreated.from_event(event)
    uow.conn.execute(store.echoes.insert().values(note_id=note.note_id, text=note.text))


ROUTES: dict[str, RouteHandler] = {NoteCreated.TYPE: note_created}
