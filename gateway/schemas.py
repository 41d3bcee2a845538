"""Request and response shapes of the auth and directory APIs.

Schemas check types and presence; the domain rules (slug format, password policy …) live in
``gateway.model`` so the CLI and the seed obey them too.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.model import DepartmentKind
from shared.auth import ROLES
from shared.schemas import MAX_PAGE, StrictBoolean, Text

MAX_PAGE_SIZE = 200


class TokenRequestSchema(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1))


class PrincipalSchema(Schema):
    """Who a token speaks for."""

    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    departments = fields.List(fields.String())


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"description": "always Bearer"})
    expires_in = fields.Integer(metadata={"description": "seconds until the token expires"})
    user = fields.Nested(PrincipalSchema)


class UserReadSchema(PrincipalSchema):
    active = fields.Boolean()
    created_at = fields.AwareDateTime()


class UserPageSchema(Schema):
    items = fields.List(fields.Nested(UserReadSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class UserCreateSchema(Schema):
    username = Text(required=True)
    display_name = Text(required=True)
    password = fields.String(required=True, load_only=True)
    roles = fields.List(Text(validate=validate.OneOf(ROLES)), required=True,
                        validate=validate.Length(min=1))
    departments = fields.List(Text(), load_default=list,
                              metadata={"description": "department codes; only for the department role"})
    active = StrictBoolean(load_default=True)


KIND_DESCRIPTION = "bureau 政府工作部门, district 区县人民政府, utility 公用事业单位, other 其他单位"


class DepartmentReadSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(DepartmentKind, by_value=True, metadata={"description": KIND_DESCRIPTION})
    utility = fields.Boolean(metadata={"description": "水电气热 provider (shorter time limits)"})
    active = fields.Boolean()


class DepartmentCreateSchema(Schema):
    code = Text(required=True, metadata={"description": "lowercase ascii slug, e.g. zjj"})
    name = Text(required=True)
    kind = fields.Enum(DepartmentKind, by_value=True, required=True,
                       metadata={"description": KIND_DESCRIPTION})
    utility = StrictBoolean(load_default=False)
    active = StrictBoolean(load_default=True)


class DepartmentUpdateSchema(Schema):
    name = Text()
    kind = fields.Enum(DepartmentKind, by_value=True)
    utility = StrictBoolean()
    active = StrictBoolean()

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ValidationError("没有要修改的字段 / nothing to change", "_schema")


class DepartmentListQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    active = fields.Boolean(metadata={"description": "only active (true) or inactive (false) units"})


class DepartmentPageSchema(Schema):
    items = fields.List(fields.Nested(DepartmentReadSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
