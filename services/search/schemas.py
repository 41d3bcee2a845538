"""Search request and response schemas."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from services.search.backend import NEWEST, RELEVANCE
from services.search.rules import CaseKind
from shared.schemas import DEPARTMENT_CODE, REGION_CODE, BoundedDate, LocalDateTime, PageQuerySchema, Text, choices

MAX_QUERY = 200


class CaseQuerySchema(PageQuerySchema):
    q = Text(load_default="", validate=validate.Length(max=MAX_QUERY),
             metadata={"description": "words, Chinese or not; cut with jieba (search mode); every word must match"})
    kind = fields.List(Text(validate=choices(CaseKind)), load_default=list, validate=validate.Length(max=10))
    department = fields.List(Text(validate=DEPARTMENT_CODE), load_default=list, validate=validate.Length(max=20))
    status = fields.List(Text(validate=validate.Regexp(r"^[a-z_]{1,30}$")), load_default=list,
                         validate=validate.Length(max=20))
    region = fields.List(Text(validate=REGION_CODE), load_default=list, validate=validate.Length(max=20))
    from_ = BoundedDate(data_key="from", load_default=None, metadata={"description": "first day (ISO date), inclusive"})
    to = BoundedDate(load_default=None, metadata={"description": "last day (ISO date), inclusive"})
    sort = Text(load_default=RELEVANCE, validate=validate.OneOf([RELEVANCE, NEWEST]),
                metadata={"description": "relevance (with words; else newest) or newest"})

    @ma.validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ma.ValidationError("from must not be after to", "from")


class SimilarQuerySchema(ma.Schema):
    text = Text(required=True, validate=validate.Length(min=2, max=5000),
                metadata={"description": "what the operator has typed so far (title and content)"})
    phone = Text(load_default="", validate=validate.Length(max=30),
                 metadata={"description": "the caller's phone, compared only as a keyed hash; never put it in a URL"})
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))

    @ma.validates("phone")
    def _a_phone(self, value: str, **_kwargs: Any) -> None:
        if value and (len(re.sub(r"\D", "", value)) < 3 or re.search(r"[^\d +()\-]", value)):
            raise ma.ValidationError("not a phone number")


class SimilarSchema(ma.Schema):
    kind = fields.String()
    id = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String()
    at = LocalDateTime()
    score = fields.Float(metadata={"description": "share of the text's words the ticket holds, +0.5 for the same "
                                                  "caller, at most 1"})
    same_caller = fields.Boolean()
    highlight = fields.String()


class SimilarListSchema(ma.Schema):
    items = fields.List(fields.Nested(SimilarSchema))


class CaseSchema(ma.Schema):
    kind = fields.String(metadata={"description": "ticket, card, warning, notice, review, plan, draw, "
                                                  "inspection, article"})
    kind_label = fields.String()
    id = fields.String(metadata={"description": "the owning service's id"})
    number = fields.String()
    title = fields.String()
    highlight = fields.String(metadata={"description": "HTML-escaped text with <em> around the matched words"})
    score = fields.Float()
    department = fields.String(allow_none=True, metadata={"description": "the (lead) department"})
    departments = fields.List(fields.String())
    status = fields.String()
    region = fields.String(allow_none=True)
    address = fields.String(metadata={"description": "only for the hotline office and the case's departments"})
    tags = fields.List(fields.String())
    at = LocalDateTime()


class FacetValueSchema(ma.Schema):
    value = fields.String()
    count = fields.Integer()


class CasePageSchema(ma.Schema):
    items = fields.List(fields.Nested(CaseSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)),
                         metadata={"description": "kind, department and status: [{value, count}], "
                                                  "over every case that matched"})
