"""Schemas every service shares: pagination in and out, local times, enum choices, reasons and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app, has_app_context
from marshmallow import fields, validate

MAX_PAGE_SIZE = 200


class Text(fields.String):
    """A string whose surrounding whitespace goes before validation: a blank title is no title."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: ``"yes"``, ``1`` or ``"false"`` are not booleans in a body."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PageQuerySchema(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def choices(enum: type) -> validate.OneOf:
    """Accept exactly the values of ``enum``."""
    return validate.OneOf([e.value for e in enum])  # type: ignore[attr-defined]


# Department codes as the directory has them; the hotline office is "12345".
DEPARTMENT_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,49}$", error="not a department code")


class ReasonSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=2, max=2000))


class NoteSchema(ma.Schema):
    note = Text(required=True, validate=validate.Length(min=2, max=2000))


def page_schema(item: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A ``{items, page, page_size, total}`` envelope around ``item`` (named for the OpenAPI doc)."""
    attrs: dict[str, Any] = {
        "items": fields.List(fields.Nested(item)),
        "page": fields.Integer(),
        "page_size": fields.Integer(),
        "total": fields.Integer(),
    }
    return type(name + "Schema", (ma.Schema,), attrs)


def page(items: list[Any], *, page: int, page_size: int, total: int) -> dict[str, Any]:
    return {"items": items, "page": page, "page_size": page_size, "total": total}


def administrative_tz() -> ZoneInfo:
    """The configured administrative time zone (Asia/Shanghai unless the deployment says otherwise)."""
    if has_app_context():
        settings = current_app.config.get("DUBAN_SETTINGS")
        if settings is not None:
            return ZoneInfo(settings.timezone)
    return ZoneInfo("Asia/Shanghai")


class LocalDateTime(fields.DateTime):
    """Dumps aware datetimes in the administrative time zone, so clients read +08:00 wall-clock times."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(administrative_tz())
        return super()._serialize(value, attr, obj, **kwargs)
