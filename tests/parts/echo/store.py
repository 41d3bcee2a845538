"""Tables of the echo part and its repository."""

from __future__ import annotations

import sqlalchemy as sa

from shared.repository import Repository
from shared.tables import add_common_tables
from tests.parts.echo.model import Note

metadata = sa.MetaData()
common = add_common_tables(metadata)
notes = sa.Table("notes", metadata, sa.Column("id", sa.String(36), primary_key=True),
                 sa.Column("text", sa.String(200), nullable=False))
echoes = sa.Table("echoes", metadata, sa.Column("note_id", sa.String(36), primary_key=True),
                  sa.Column("text", sa.String(200), nullable=False))


class NoteRepository(Repository):
    def add(self, note: Note) -> None:
        self.conn.execute(notes.insert().values(id=note.id, text=note.text))
        self.seen(note)
