"""``POST /api/echo/v1/notes``: file a note (any signed-in user)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from shared.appcontext import service_context
from shared.auth import require_principal
from shared.ids import new_id
from shared.web import Blueprint
from tests.parts.echo.model import Note
from tests.parts.echo.store import NoteRepository

blp = Blueprint("echo", __name__, url_prefix="/api/echo/v1")


class NoteSchema(Schema):
    id = fields.String(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=200))


@blp.route("/notes", methods=["POST"])
@blp.arguments(NoteSchema)
@blp.response(201, NoteSchema)
def create_note(body: dict[str, Any]) -> Note:
    principal = require_principal()
    with service_context().db.unit_of_work(actor=principal.actor) as uow:
        note = Note.create(id=new_id(), text=body["text"], now=uow.now)
        uow.repository(NoteRepository).add(note)
        uow.commit()
    return note
