"""Spot-check request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.spotcheck.rules import CommitmentKind, ResultCategory, RiskClass
from shared.schemas import DEPARTMENT_CODE, PageQuerySchema, StrictBoolean, Text, choices, page_schema

CODE = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"))
REGION = validate.Regexp(r"^\d{6}$", error="行政区划代码为6位数字 / a 6-digit division code")


class TargetCreateSchema(Schema):
    uscc = Text(required=True, validate=validate.Length(equal=18),
                         metadata={"description": "统一社会信用代码 (GB 32100, check characters verified)"})
    name = Text(required=True, validate=validate.Length(min=2, max=200))
    region = Text(required=True, validate=REGION)
    industry = Text(required=True, validate=validate.Length(min=1, max=50))
    risk_class = Text(required=True, validate=choices(RiskClass), metadata={"description": "A–D"})
    abnormal = StrictBoolean(load_default=False, metadata={"description": "经营异常名录"})
    complaints = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    active = StrictBoolean(load_default=True)


class TargetReadSchema(Schema):
    uscc = fields.String()
    name = fields.String()
    region = fields.String()
    industry = fields.String()
    risk_class = fields.String()
    abnormal = fields.Boolean()
    complaints = fields.Integer()
    active = fields.Boolean()


class TargetListQuerySchema(PageQuerySchema):
    risk_class = Text(validate=choices(RiskClass))


class InspectorCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=2, max=50))
    department = Text(required=True, validate=DEPARTMENT_CODE)
    certificate_no = Text(required=True, validate=validate.Length(min=1, max=50))
    region = Text(required=True, validate=REGION)
    qualifications = fields.List(CODE, load_default=list, validate=validate.Length(max=100))
    conflicts = fields.List(Text(validate=validate.Length(equal=18)), load_default=list,
                            validate=validate.Length(max=1000), metadata={"description": "声明的利害关系（回避）"})
    previous_targets = fields.List(Text(validate=validate.Length(equal=18)), load_default=list,
                                   validate=validate.Length(max=10_000))
    active = StrictBoolean(load_default=True)


class InspectorReadSchema(Schema):
    id = fields.String()
    name = fields.String()
    department = fields.String()
    certificate_no = fields.String()
    region = fields.String()
    qualifications = fields.List(fields.String())
    conflicts = fields.List(fields.String())
    previous_targets = fields.List(fields.String(), metadata={"description": "checked before: avoided next time"})
    active = fields.Boolean()
    pseudonym = fields.String()


class CheckItemCreateSchema(Schema):
    code = Text(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"))
    name = Text(required=True, validate=validate.Length(min=2, max=200))
    department = Text(required=True, validate=DEPARTMENT_CODE)
    legal_basis = Text(required=True, validate=validate.Length(min=2, max=500),
                       metadata={"description": "法律依据，如《食品安全法》第110条"})
    key = StrictBoolean(load_default=False, metadata={"description": "重点检查事项: no ratio ceiling"})


class CheckItemReadSchema(Schema):
    code = fields.String()
    name = fields.String()
    department = fields.String()
    legal_basis = fields.String()
    key = fields.Boolean()


class CommitmentSchema(Schema):
    kind = Text(required=True, validate=choices(CommitmentKind))
    value = Text(required=True, validate=validate.Length(min=1, max=100),
                          metadata={"description": "sha256: hex SHA-256 of the seed; beacon: the round number"})


class RatiosSchema(Schema):
    A = fields.Integer(validate=validate.Range(min=0, max=10_000))
    B = fields.Integer(validate=validate.Range(min=0, max=10_000))
    C = fields.Integer(validate=validate.Range(min=0, max=10_000))
    D = fields.Integer(validate=validate.Range(min=0, max=10_000))


class FilterSchema(Schema):
    regions = fields.List(Text(validate=REGION), load_default=list)
    industries = fields.List(Text(validate=validate.Length(min=1, max=50)), load_default=list)
    classes = fields.List(Text(validate=choices(RiskClass)), load_default=list)


class ConflictRulesSchema(Schema):
    declared = StrictBoolean(load_default=True)
    same_region = StrictBoolean(load_default=False, metadata={"description": "回避本地"})
    previous = StrictBoolean(load_default=True, metadata={"description": "回避上次检查人员"})


class PlanCreateSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=2, max=200))
    departments = fields.List(Text(validate=DEPARTMENT_CODE), required=True,
                              validate=validate.Length(min=1, max=10))
    check_items = fields.List(CODE, load_default=list, validate=validate.Length(max=100))
    population_filter = fields.Nested(FilterSchema, load_default=dict)
    ratios = fields.Nested(RatiosSchema, load_default=None, allow_none=True,
                           metadata={"description": "basis points per class; default: the rules in force"})
    team_size = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=2, max=10))
    conflict_rules = fields.Nested(ConflictRulesSchema, load_default=dict)
    commitment = fields.Nested(CommitmentSchema, required=True)


class PlanReadSchema(Schema):
    id = fields.String()
    name = fields.String()
    status = fields.String()
    status_label = fields.String()
    departments = fields.List(fields.String())
    check_items = fields.List(fields.String())
    population_filter = fields.Dict()
    parameters = fields.Dict()
    commitment = fields.Dict()
    population_sha256 = fields.String(allow_none=True)
    targets = fields.Integer(allow_none=True, metadata={"description": "targets in the frozen population"})
    published_at = fields.DateTime(allow_none=True)
    draw_id = fields.String(allow_none=True)
    draw_failed = fields.String(allow_none=True)
    version = fields.Integer()


PlanPageSchema = page_schema(PlanReadSchema, "PlanPage")
TargetPageSchema = page_schema(TargetReadSchema, "TargetPage")


class AttachmentSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    size = fields.Integer(required=True, validate=validate.Range(min=0, max=10**10))
    sha256 = Text(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class ResultCreateSchema(Schema):
    uscc = Text(required=True, validate=validate.Length(equal=18))
    category = Text(required=True, validate=choices(ResultCategory),
                             metadata={"description": "SAMR result category (未发现问题, 发现问题已责令改正, …)"})
    summary = Text(required=True, validate=validate.Length(min=2, max=1000))
    notes = Text(load_default="", validate=validate.Length(max=5000))
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list, validate=validate.Length(max=50))


class ResultReadSchema(Schema):
    uscc = fields.String()
    target_name = fields.String()
    department = fields.String()
    category = fields.String()
    category_label = fields.String()
    finding = fields.Boolean()
    summary = fields.String()
    notes = fields.String()
    attachments = fields.List(fields.Dict())
    inspectors = fields.List(fields.Dict())
    recorded_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    notice_number = fields.String(allow_none=True, metadata={"description": "整改通知书 raised from a finding"})


class PublicResultSchema(Schema):
    uscc = fields.String()
    target_name = fields.String()
    category = fields.String()
    category_label = fields.String()
    summary = fields.String()
    published_at = fields.DateTime()
    notice_number = fields.String(allow_none=True)
    inspectors = fields.List(fields.Dict(), metadata={"description": "name and certificate number only"})


class DrawRequestSchema(Schema):
    seed = Text(required=True, validate=validate.Length(min=1, max=200))


class DrawRecordSchema(Schema):
    id = fields.String()
    plan_id = fields.String()
    seed = fields.String()
    commitment = fields.Dict()
    population_sha256 = fields.String()
    algorithm = fields.String()
    parameters = fields.Dict()
    drawn_at = fields.String()
    selections = fields.List(fields.Dict())


class PopulationSchema(Schema):
    targets = fields.List(fields.Dict())
    inspectors = fields.List(fields.Dict(), metadata={"description": "pseudonyms, never personal data"})
