"""Rectification request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.rectification.rules import NoticeStatus, SourceKind
from shared.schemas import DEPARTMENT_CODE, PageQuerySchema, StrictBoolean, Text, choices, page_schema


class NoticeCreateSchema(Schema):
    department = Text(required=True, validate=DEPARTMENT_CODE)
    findings = Text(required=True, validate=validate.Length(min=2, max=5000))
    requirements = Text(load_default="", validate=validate.Length(max=5000))
    deadline_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=120),
                                   metadata={"description": "working days; default: the rules in force (15)"})


class NoticeListQuerySchema(PageQuerySchema):
    department = Text(validate=DEPARTMENT_CODE)
    status = Text(validate=choices(NoticeStatus))
    source = Text(validate=choices(SourceKind))


class EvidenceSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    size = fields.Integer(required=True, validate=validate.Range(min=0, max=10**10))
    sha256 = Text(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class ReportSchema(Schema):
    measures = Text(required=True, validate=validate.Length(min=5, max=10_000))
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=50))


class VerifySchema(Schema):
    result = Text(required=True, validate=validate.OneOf(["pass", "fail"]))
    comment = Text(load_default="", validate=validate.Length(max=2000))


class ExtensionSchema(Schema):
    days = fields.Integer(required=True, validate=validate.Range(min=1, max=60))
    reason = Text(required=True, validate=validate.Length(min=5, max=1000))


class DecisionSchema(Schema):
    approve = StrictBoolean(required=True)
    comment = Text(load_default="", validate=validate.Length(max=1000))


class NoticeReadSchema(Schema):
    id = fields.String()
    number = fields.String()
    department = fields.String()
    status = fields.String()
    status_label = fields.String()
    source = fields.Dict(metadata={"description": '{"kind": "red_card"|…, "ref": {"service", "id", "number"}}'})
    findings = fields.String()
    requirements = fields.String()
    issued_at = fields.DateTime()
    due_at = fields.DateTime()
    rounds = fields.Integer(metadata={"description": "failed verifications so far"})
    extension_days = fields.Integer()
    history = fields.List(fields.Dict())
    version = fields.Integer()


NoticePageSchema = page_schema(NoticeReadSchema, "NoticePage")


class StatsSchema(Schema):
    items = fields.List(fields.Dict(), metadata={"description": "per department: notices, closed"})
