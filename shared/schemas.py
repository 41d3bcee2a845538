"""Schemas every service shares: pagination in and out, local times, enum choices, reasons and notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app, has_app_context
from marshmallow import fields, validate

MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000  # beyond it an OFFSET overflows PostgreSQL's bigint, and no one pages that far


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
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


def choices(enum: type) -> validate.OneOf:
    """Accept exactly the values of ``enum``."""
    return validate.OneOf([e.value for e in enum])  # type: ignore[attr-defined]


# Department codes as the directory has them; the hotline office is "12345".
DEPARTMENT_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,49}$", error="not a department code")

# Administrative division codes (GB/T 2260): six digits, e.g. 440106 for 天河区.
REGION_CODE = validate.Regexp(r"^[1-9][0-9]{5}$", error="not a district code (GB/T 2260, six digits)")


class ReasonSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=2, max=2000))


class NoteSchema(ma.Schema):
    note = Text(required=True, validate=validate.Length(min=2, max=2000))


def check_year(value: date | datetime) -> None:
    """Dates and times outside 2000–2100 are refused (see ``shared.periods.MIN_YEAR``)."""
    from shared.periods import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ma.ValidationError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")


class BoundedAwareDateTime(fields.AwareDateTime):
    """An ISO-8601 time with an offset of whole minutes (RFC 3339), in 2000–2100."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        offset = result.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            raise ma.ValidationError("the offset must be whole minutes, e.g. +08:00")
        check_year(result)

        return result


class BoundedDate(fields.Date):
    """A calendar date in 2000–2100."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        result: date = super()._deserialize(value, attr, data, **kwargs)
        check_year(result)
        return result


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
            offset = value.utcoffset()
            if offset is not None and offset.total_seconds() % 60:
                # A zone's local mean time (Asia/Shanghai before 1901: +08:05:43) is no RFC 3339 offset.
                value = value.astimezone(UTC)
        return super()._serialize(value, attr, obj, **kwargs)
