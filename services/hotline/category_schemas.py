"""Schemas of the taxonomy and Open311 key administration (marshmallow; unknown fields are rejected)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from services.hotline.categories import CODE, Attribute, Category, Datatype
from services.hotline.open311_keys import NAME
from services.hotline.rules import TicketType
from shared.schemas import (
    DEPARTMENT_CODE,
    LocalDateTime,
    PageQuerySchema,
    StrictBoolean,
    Text,
    choices,
    page_schema,
)


class ValueSchema(ma.Schema):
    key = Text(required=True, validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=validate.Length(min=1, max=100))


class AttributeSchema(ma.Schema):
    code = Text(required=True, validate=validate.Regexp(CODE))
    description = Text(required=True, validate=validate.Length(min=1, max=500))
    datatype = Text(load_default=Datatype.STRING.value, validate=choices(Datatype))
    required = StrictBoolean(load_default=False)
    order = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=100))
    datatype_description = Text(load_default="", validate=validate.Length(max=300))
    variable = StrictBoolean(load_default=True, metadata={
        "description": "false: information shown to the citizen, no answer expected"})
    values = fields.List(fields.Nested(ValueSchema), load_default=list, validate=validate.Length(max=100))


class CategoryWriteSchema(ma.Schema):
    """A whole category: PUT replaces every field."""

    name = Text(required=True, validate=validate.Length(min=1, max=60))
    group = Text(required=True, validate=validate.Length(min=1, max=40))
    keywords = fields.List(Text(validate=validate.Length(min=1, max=20)), load_default=list,
                           validate=validate.Length(max=30))
    description = Text(load_default="", validate=validate.Length(max=2000))
    department = Text(load_default=None, allow_none=True, validate=DEPARTMENT_CODE,
                      metadata={"description": "suggested lead department (建议承办单位)"})
    ticket_type = Text(load_default=TicketType.COMPLAINT.value, validate=choices(TicketType),
                       metadata={"description": "the type a ticket filed through Open311 in this category gets"})
    utility = StrictBoolean(load_default=False, metadata={"description": "水电气热: the utility time limits"})
    attributes = fields.List(fields.Nested(AttributeSchema), load_default=list, validate=validate.Length(max=20))
    active = StrictBoolean(load_default=True, metadata={"description": "false retires it from intake and Open311"})


def category_from(code: str, data: dict[str, Any]) -> Category:
    """The domain category of a validated body (the domain checks what a schema cannot)."""
    attributes = [Attribute(code=a["code"], description=a["description"], datatype=Datatype(a["datatype"]),
                            required=a["required"], order=a["order"],
                            datatype_description=a["datatype_description"], variable=a["variable"],
                            values=tuple((v["key"], v["name"]) for v in a["values"]))
                  for a in data["attributes"]]
    return Category(code=code, name=data["name"], group=data["group"], keywords=data["keywords"],
                    description=data["description"], department=data["department"],
                    ticket_type=TicketType(data["ticket_type"]), utility=data["utility"],
                    attributes=attributes, active=data["active"])


class AttributeReadSchema(ma.Schema):
    code = fields.String()
    description = fields.String()
    datatype = fields.String()
    required = fields.Boolean()
    order = fields.Integer()
    datatype_description = fields.String()
    variable = fields.Boolean()
    values = fields.List(fields.Dict())


class CategoryReadSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    group = fields.String()
    keywords = fields.List(fields.String())
    description = fields.String()
    department = fields.String(allow_none=True)
    ticket_type = fields.String()
    utility = fields.Boolean()
    attributes = fields.List(fields.Nested(AttributeReadSchema))
    active = fields.Boolean()
    updated_at = LocalDateTime(allow_none=True)


class CategoryListQuerySchema(PageQuerySchema):
    group = Text(load_default=None, validate=validate.Length(min=1, max=40))
    include_inactive = fields.Boolean(load_default=False)


class KeyListQuerySchema(PageQuerySchema):
    pass


class KeyCreateSchema(ma.Schema):
    name = Text(required=True, validate=validate.Regexp(NAME, error="2–50 of a-z 0-9 . _ -"),
                metadata={"description": "the client the key is for, e.g. city-dashboard"})


class KeyReadSchema(ma.Schema):
    name = fields.String()
    hint = fields.String(metadata={"description": "the key's first characters"})
    created_at = LocalDateTime()
    created_by = fields.String()
    revoked_at = LocalDateTime(allow_none=True)
    active = fields.Boolean()


class KeyCreatedSchema(KeyReadSchema):
    key = fields.String(metadata={"description": "the API key; shown this once only"})


KeyPageSchema = page_schema(KeyReadSchema, "Open311KeyPage")
CategoryPageSchema = page_schema(CategoryReadSchema, "CategoryPage")
