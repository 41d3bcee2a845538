"""Rectification request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.rectification.rules import NoticeStatus, ReviewChannel, ReviewStatus, SourceKind
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
    items = fields.List(fields.Dict(), metadata={
        "description": "per department: department, name, notices, closed, on_time_rate, reviews {level: count}, "
                       "bad_reviews, bad_reviews_rectified; no personal data"})


# -- 好差评 reviews -----------------------------------------------------------------------------------
LEVEL = validate.Range(min=1, max=5)
LEVEL_DOC = {"description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意 (1–2 are bad reviews)"}


class PublicReviewSchema(Schema):
    number = Text(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "工单编号"})
    code = Text(required=True, validate=validate.Length(min=4, max=12), metadata={"description": "查询码"})
    level = fields.Integer(required=True, validate=LEVEL, metadata=LEVEL_DOC)
    comment = Text(load_default="", validate=validate.Length(max=1000))


class SystemReviewSchema(Schema):
    system = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,50}$"),
                  metadata={"description": "the approval system's code, e.g. zwfw"})
    external_id = Text(required=True, validate=validate.Length(min=1, max=100))
    item_name = Text(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "事项名称"})
    department = Text(required=True, validate=DEPARTMENT_CODE)
    level = fields.Integer(required=True, validate=LEVEL, metadata=LEVEL_DOC)
    comment = Text(load_default="", validate=validate.Length(max=1000))
    real_name = StrictBoolean(load_default=False, metadata={"description": "实名评价 (called back without fail)"})


class ReviewListQuerySchema(PageQuerySchema):
    department = Text(validate=DEPARTMENT_CODE)
    status = Text(validate=choices(ReviewStatus))
    channel = Text(validate=choices(ReviewChannel))
    bad = StrictBoolean(load_default=None, allow_none=True, metadata={"description": "only bad (true) or good"})


class CallbackSchema(Schema):
    confirmed = StrictBoolean(required=True, metadata={"description": "核实属实: the department must answer"})
    note = Text(load_default="", validate=validate.Length(max=2000))


class RespondSchema(Schema):
    text = Text(required=True, validate=validate.Length(min=5, max=10_000))
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=50))


class AppealSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=5, max=2000))


class AppealDecisionSchema(Schema):
    upheld = StrictBoolean(required=True, metadata={"description": "true: the review is annulled"})
    comment = Text(required=True, validate=validate.Length(min=2, max=2000))


class RateSchema(Schema):
    level = fields.Integer(required=True, validate=LEVEL, metadata=LEVEL_DOC)
    comment = Text(load_default="", validate=validate.Length(max=1000))
    number = Text(load_default="", validate=validate.Length(max=40),
                  metadata={"description": "the reviewer rating by themself: the ticket number …"})
    code = Text(load_default="", validate=validate.Length(max=12), metadata={"description": "… and its query code"})


class ReviewReadSchema(Schema):
    id = fields.String()
    number = fields.String()
    channel = fields.String()
    subject = fields.Dict(metadata={"description": '{"service", "kind", "id", "number"}: what was rated'})
    department = fields.String()
    level = fields.Integer()
    level_label = fields.String()
    bad = fields.Boolean()
    comment = fields.String()
    real_name = fields.Boolean()
    received_at = fields.DateTime()
    status = fields.String()
    status_label = fields.String()
    due_at = fields.DateTime(allow_none=True)
    response = fields.Dict(allow_none=True)
    fix_level = fields.Integer(allow_none=True)
    appealed = fields.Boolean()
    notice_id = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    version = fields.Integer()


class ReviewReceiptSchema(Schema):
    """What the public gets back: the review's number and state, nothing about anyone."""

    id = fields.String()
    number = fields.String()
    level = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    due_at = fields.DateTime(allow_none=True)
    fix_level = fields.Integer(allow_none=True)


class ReviewNoticeSchema(Schema):
    findings = Text(load_default="", validate=validate.Length(max=5000),
                    metadata={"description": "default: names the ticket and its callback"})
    requirements = Text(load_default="", validate=validate.Length(max=5000))
    deadline_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=120))


ReviewPageSchema = page_schema(ReviewReadSchema, "ReviewPage")
