"""Request and response schemas of the monitoring API (marshmallow; unknown fields are rejected)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from services.monitoring.rules import BoardState, CardColor, CardSource, CardStatus, ClockKind
from shared.schemas import (
    DEPARTMENT_CODE,
    BoundedAwareDateTime,
    LocalDateTime,
    PageQuerySchema,
    StrictBoolean,
    Text,
    choices,
    page_schema,
)

_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$", error="letters, digits and _ . : - only")


class SubjectSchema(ma.Schema):
    service = Text(required=True, validate=validate.Length(min=1, max=30))
    kind = Text(required=True, validate=validate.Length(min=1, max=30))
    id = Text(required=True, validate=validate.Length(min=1, max=64))
    ref = Text(load_default="", validate=validate.Length(max=100))


class LimitSchema(ma.Schema):
    amount = fields.Integer()
    unit = fields.String()
    label = fields.String()


# -- clocks --------------------------------------------------------------------------------------
class ClockListQuerySchema(PageQuerySchema):
    subject_service = Text(load_default=None, validate=validate.Length(min=1, max=30))
    subject_id = Text(load_default=None, validate=validate.Length(min=1, max=64))
    department = Text(load_default=None, validate=DEPARTMENT_CODE)
    state = Text(load_default=None, validate=choices(BoardState),
                          metadata={"description": "on_time | reminded | overdue | paused | stopped"})
    kind = Text(load_default=None, validate=choices(ClockKind))


class ClockReadSchema(ma.Schema):
    id = fields.String()
    subject = fields.Nested(SubjectSchema)
    kind = fields.String()
    kind_label = fields.String()
    department = fields.String()
    department_name = fields.String()
    started_at = LocalDateTime()
    limit = fields.Nested(LimitSchema)
    due_at = LocalDateTime()
    provisional = fields.Boolean()
    state = fields.String(metadata={"description": "board state: on_time | reminded | overdue | paused | stopped"})
    state_label = fields.String()
    clock_state = fields.String(metadata={"description": "running | paused | stopped"})
    stage = fields.String(metadata={"description": "none | reminded | yellow | red"})
    stage_label = fields.String()
    paused_at = LocalDateTime(allow_none=True)
    paused_workdays = fields.Integer()
    paused_seconds = fields.Integer()
    stopped_at = LocalDateTime(allow_none=True)
    outcome = fields.String(allow_none=True)
    next_fire_at = LocalDateTime(allow_none=True)
    version = fields.Integer()


ClockPageSchema = page_schema(ClockReadSchema, "ClockPage")


# -- cards ---------------------------------------------------------------------------------------
class CardListQuerySchema(PageQuerySchema):
    department = Text(load_default=None, validate=DEPARTMENT_CODE)
    color = Text(load_default=None, validate=choices(CardColor))
    status = Text(load_default=None, validate=choices(CardStatus))
    source = Text(load_default=None, validate=choices(CardSource))
    subject_service = Text(load_default=None, validate=validate.Length(min=1, max=30))
    subject_id = Text(load_default=None, validate=validate.Length(min=1, max=64))


class CardCreateSchema(ma.Schema):
    department = Text(required=True, validate=DEPARTMENT_CODE)
    color = Text(required=True, validate=choices(CardColor))
    reason = Text(required=True, validate=validate.Length(min=2, max=2000),
                           metadata={"description": "异常办理情形，如无正当理由拒办、违规收费"})
    subject = fields.Nested(SubjectSchema, load_default=None, allow_none=True)


class OptionalNoteSchema(ma.Schema):
    note = Text(load_default="", validate=validate.Length(max=2000))


class CardReadSchema(ma.Schema):
    id = fields.String()
    color = fields.String()
    color_label = fields.String()
    source = fields.String()
    rule = fields.String()
    rule_label = fields.String()
    department = fields.String()
    department_name = fields.String()
    reason = fields.String()
    subject = fields.Nested(SubjectSchema, allow_none=True)
    clock_id = fields.String(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    issued_at = LocalDateTime()
    issued_by = fields.String()
    acknowledged_at = LocalDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    acknowledge_note = fields.String()
    confirmed_at = LocalDateTime(allow_none=True)
    confirmed_by = fields.String(allow_none=True)
    revoked_at = LocalDateTime(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    cleared_at = LocalDateTime(allow_none=True)
    cleared_by = fields.String(allow_none=True)
    clear_note = fields.String(allow_none=True)
    escalated_to = fields.String(allow_none=True)
    version = fields.Integer()


CardPageSchema = page_schema(CardReadSchema, "CardPage")


# -- reminders and the board ---------------------------------------------------------------------------
class WarningListQuerySchema(PageQuerySchema):
    department = Text(load_default=None, validate=DEPARTMENT_CODE)
    subject_id = Text(load_default=None, validate=validate.Length(min=1, max=64))


class WarningReadSchema(ma.Schema):
    id = fields.String()
    clock_id = fields.String()
    department = fields.String()
    subject = fields.Nested(SubjectSchema)
    kind = fields.String()
    due_at = LocalDateTime()
    issued_at = LocalDateTime()
    message = fields.String()


WarningPageSchema = page_schema(WarningReadSchema, "WarningPage")


class DepartmentQuerySchema(ma.Schema):
    department = Text(load_default=None, validate=DEPARTMENT_CODE)


class SummarySchema(ma.Schema):
    department = fields.String()
    name = fields.String()
    clocks = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "open clocks by state: on_time, reminded, overdue, paused"})
    cards = fields.Dict(metadata={"description": "cards by colour, then status"})


class PeriodQuerySchema(DepartmentQuerySchema):
    period = Text(load_default=None,
                           metadata={"description": "2026Q4, 2026-11 or 2026; default: this quarter"})


class PublicPeriodQuerySchema(ma.Schema):
    period = Text(load_default=None, validate=validate.Length(max=20),
                  metadata={"description": "2026Q4, 2026-11 or 2026; default: this quarter"})


class ScoreSchema(ma.Schema):
    rank = fields.Integer()
    department = fields.String()
    name = fields.String()
    on_time = fields.Integer()
    late = fields.Integer()
    reminders = fields.Integer()
    yellows = fields.Integer()
    reds = fields.Integer()
    on_time_rate = fields.Float()
    score = fields.Float()
    grade = fields.String(metadata={"description": "excellent | good | pass | fail"})
    grade_label = fields.String(metadata={"description": "优秀 | 良好 | 合格 | 不合格"})


class ScoresSchema(ma.Schema):
    period = fields.String()
    start = LocalDateTime()
    end = LocalDateTime()
    total = fields.Integer(metadata={"description": "departments scored in the period"})
    departments = fields.List(fields.Nested(ScoreSchema))


# -- approvals (ingest) --------------------------------------------------------------------------
class ApprovalCreateSchema(ma.Schema):
    system = Text(required=True, validate=_CODE, metadata={"description": "reporting system's code"})
    external_id = Text(required=True, validate=_CODE)
    item_name = Text(required=True, validate=validate.Length(min=2, max=200))
    department = Text(required=True, validate=DEPARTMENT_CODE)
    accepted_at = BoundedAwareDateTime(required=True, metadata={"description": "受理时间, ISO-8601 with offset"})
    joint = StrictBoolean(load_default=False, metadata={"description": "统一/联合/集中办理 (45 + 15 days)"})
    promised_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=validate.Range(min=1, max=45),
                                   metadata={"description": "承诺时限 in working days, ≤ the statutory limit"})


class ApprovalPauseSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=2, max=500),
                           metadata={"description": "听证、专家评审、检验检测 …"})
    at = BoundedAwareDateTime(load_default=None, metadata={"description": "default: now"})


class ApprovalAtSchema(ma.Schema):
    at = BoundedAwareDateTime(load_default=None, metadata={"description": "default: now"})


class ApprovalReadSchema(ma.Schema):
    id = fields.String()
    system = fields.String()
    external_id = fields.String()
    item_name = fields.String()
    department = fields.String()
    accepted_at = LocalDateTime()
    joint = fields.Boolean()
    promised_days = fields.Integer(allow_none=True)
    status = fields.String()
    status_label = fields.String()
    extended = fields.Boolean()
    pause_reason = fields.String(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    version = fields.Integer()
    clocks = fields.List(fields.Nested(ClockReadSchema))
