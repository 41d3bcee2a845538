"""Request and response schemas of the hotline API (marshmallow; unknown fields are rejected)."""

from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

from services.hotline.categories import CODE
from services.hotline.knowledge_schemas import KnowledgeStatsSchema
from services.hotline.rules import (
    Channel,
    EmergencyService,
    LegalChannel,
    Satisfaction,
    TicketStatus,
    TicketType,
    Urgency,
)
from shared.schemas import (
    DEPARTMENT_CODE,
    REGION_CODE,
    BoundedAwareDateTime,
    BoundedDate,
    LocalDateTime,
    PageQuerySchema,
    StrictBoolean,
    Text,
    choices,
    page_schema,
)

_PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")


class CallerSchema(ma.Schema):
    name = Text(load_default="", validate=validate.Length(max=100))
    phone = Text(load_default="", validate=validate.Regexp(_PHONE, error="not a phone number"))

    @ma.validates("phone")
    def _phone(self, value: str, **_kw: object) -> None:
        if value and len(re.sub(r"\D", "", value)) < 3:
            raise ma.ValidationError("not a phone number")


class TicketCreateSchema(ma.Schema):
    type = Text(required=True, validate=choices(TicketType))
    urgency = Text(load_default=Urgency.GENERAL.value, validate=choices(Urgency))
    channel = Text(load_default=Channel.PHONE.value, validate=choices(Channel))
    title = Text(required=True, validate=validate.Length(min=2, max=200))
    content = Text(required=True, validate=validate.Length(min=2, max=5000))
    caller = fields.Nested(CallerSchema, load_default=lambda: {"name": "", "phone": ""})
    address = Text(load_default="", validate=validate.Length(max=300))
    region = Text(load_default=None, allow_none=True, validate=REGION_CODE,
                  metadata={"description": "district code (GB/T 2260, 6 digits) of where the matter is"})
    confidential = StrictBoolean(load_default=False)
    utility = StrictBoolean(load_default=False, metadata={"description": "水电气热 utility request"})
    category = Text(load_default=None, validate=validate.Regexp(CODE), metadata={
        "description": "code of a category (诉求分类, GET /categories); a 水电气热 one makes the ticket a utility one"})
    lat = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=-90, max=90),
                       metadata={"description": "WGS-84 latitude of the problem; with long"})
    long = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=-180, max=180))
    media_url = Text(load_default=None, validate=[validate.Length(max=500), validate.URL(schemes={"http", "https"})])


class PublicCallerSchema(CallerSchema):
    # The hotline calls back (回访) on every ticket it answers: the public form needs a number to call.
    phone = Text(required=True, validate=validate.Regexp(_PHONE, error="not a phone number"))


class PublicTicketCreateSchema(ma.Schema):
    """网上诉求: what the public portal files (channel web, general urgency; the hotline office grades it)."""

    type = Text(required=True, validate=choices(TicketType))
    title = Text(required=True, validate=validate.Length(min=2, max=200))
    content = Text(required=True, validate=validate.Length(min=10, max=5000))
    caller = fields.Nested(PublicCallerSchema, required=True)
    address = Text(load_default="", validate=validate.Length(max=300))
    confidential = StrictBoolean(load_default=False, metadata={"description": "举报人保护: status only on lookup"})


class PublicTicketCreatedSchema(ma.Schema):
    """The two keys to the status page; nothing the filer typed comes back."""

    number = fields.String()
    query_code = fields.String()
    status = fields.String()
    status_label = fields.String()


class DispatchSchema(ma.Schema):
    lead_department = Text(required=True, validate=DEPARTMENT_CODE)
    co_departments = fields.List(Text(validate=DEPARTMENT_CODE), load_default=list,
                                 validate=validate.Length(max=10))
    note = Text(load_default="", validate=validate.Length(max=2000))


class ContentSchema(ma.Schema):
    content = Text(required=True, validate=validate.Length(min=2, max=5000))


class AnswerSchema(ContentSchema):
    knowledge_id = Text(load_default=None, validate=validate.Length(min=1, max=36),
                        metadata={"description": "the knowledge-base article the answer came from (知识库)"})


class LegalChannelSchema(ContentSchema):
    channel = Text(required=True, validate=choices(LegalChannel))


class TransferSchema(ma.Schema):
    service = Text(required=True, validate=choices(EmergencyService))
    note = Text(load_default="", validate=validate.Length(max=2000))


class ReturnReviewSchema(ma.Schema):
    accept = StrictBoolean(required=True)
    comment = Text(load_default="", validate=validate.Length(max=2000))
    lead_department = Text(load_default=None, allow_none=True, validate=DEPARTMENT_CODE)
    co_departments = fields.List(Text(validate=DEPARTMENT_CODE), load_default=list)


class ExtensionSchema(ma.Schema):
    # 延期 ≤ 10 working days in all (Beijing draft standard): one request cannot ask for more.
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10),
                          metadata={"description": "working days; all extensions of a ticket total at most 10"})
    reason = Text(required=True, validate=validate.Length(min=5, max=2000))


class ExtensionReviewSchema(ma.Schema):
    approve = StrictBoolean(required=True)
    comment = Text(load_default="", validate=validate.Length(max=2000))


class CallbackSchema(ma.Schema):
    satisfaction = Text(required=True, validate=choices(Satisfaction))
    note = Text(load_default="", validate=validate.Length(max=2000))
    justified = StrictBoolean(load_default=False, metadata={
        "description": "the dissatisfaction is justified (诉求未解决): reopen the ticket"})
    answer_wrong = StrictBoolean(load_default=False, metadata={
        "description": "the knowledge-base answer was wrong: open a correction task for its owner"})


class MergeSchema(ma.Schema):
    into = Text(required=True, validate=validate.Length(min=1, max=36),
                         metadata={"description": "id or number of the ticket to keep"})


class TicketListQuerySchema(PageQuerySchema):
    status = fields.List(Text(validate=choices(TicketStatus)), load_default=None)
    type = Text(load_default=None, validate=choices(TicketType))
    urgency = Text(load_default=None, validate=choices(Urgency))
    department = Text(load_default=None, validate=DEPARTMENT_CODE)
    q = Text(load_default=None, validate=validate.Length(min=1, max=100), metadata={"description": (
        "search: tickets whose title contains q (Latin letters in any case), or whose number is q. "
        "Content, caller and address are not searched (they may hold personal data). Surrounding "
        "whitespace is ignored; control characters are refused (422).")})
    created_from = BoundedAwareDateTime(load_default=None)
    created_to = BoundedAwareDateTime(load_default=None)
    overdue = fields.Boolean(load_default=None)
    category = Text(load_default=None, validate=validate.Regexp(CODE))


class TimelineEntrySchema(ma.Schema):
    at = LocalDateTime()
    actor = fields.String()
    action = fields.String()
    action_label = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    department = fields.String(allow_none=True)
    note = fields.String()
    data = fields.Dict()


class DuplicateSchema(ma.Schema):
    id = fields.String()
    number = fields.String()
    title = fields.String()
    status = fields.String()
    created_at = LocalDateTime()
    score = fields.Float()
    same_caller = fields.Boolean()


class TicketReadSchema(ma.Schema):
    id = fields.String()
    number = fields.String()
    query_code = fields.String(metadata={"description": "shown to operators and dispatchers only"})
    type = fields.String()
    type_label = fields.String()
    urgency = fields.String()
    urgency_label = fields.String()
    channel = fields.String()
    status = fields.String()
    status_label = fields.String()
    title = fields.String()
    content = fields.String()
    caller = fields.Dict()
    address = fields.String()
    region = fields.String(allow_none=True)
    confidential = fields.Boolean()
    utility = fields.Boolean()
    lead_department = fields.String(allow_none=True)
    co_departments = fields.List(fields.String())
    created_at = LocalDateTime()
    dispatched_at = LocalDateTime(allow_none=True)
    sign_due_at = LocalDateTime(allow_none=True)
    handle_due_at = LocalDateTime(allow_none=True)
    return_due_at = LocalDateTime(allow_none=True)
    callback_due_at = LocalDateTime(allow_none=True)
    deadline_provisional = fields.Boolean()
    signed_at = LocalDateTime(allow_none=True)
    replied_at = LocalDateTime(allow_none=True)
    reply = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    satisfaction = fields.String(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    extension_days = fields.Integer()
    extension = fields.Dict(allow_none=True)
    return_request = fields.Dict(allow_none=True)
    urge_count = fields.Integer()
    reopen_count = fields.Integer()
    return_count = fields.Integer()
    merged_into = fields.String(allow_none=True)
    merged_from = fields.List(fields.String())
    knowledge = fields.Dict(allow_none=True, metadata={"description": "the article version a direct answer used"})
    version = fields.Integer()
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    category = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


TicketPageSchema = page_schema(TicketReadSchema, "TicketPage")


class PublicStatusQuerySchema(ma.Schema):
    number = Text(required=True, validate=validate.Length(min=6, max=20))
    code = Text(required=True, validate=validate.Length(min=4, max=12))


class StatsQuerySchema(ma.Schema):
    period = Text(load_default=None)
    from_ = BoundedDate(data_key="from", load_default=None)
    to = BoundedDate(load_default=None)
    department = Text(load_default=None, validate=DEPARTMENT_CODE)


class DepartmentSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    utility = fields.Boolean()
    active = fields.Boolean()


class KpiSchema(ma.Schema):
    department = fields.String()
    name = fields.String()
    assigned = fields.Integer()
    signed = fields.Integer()
    signed_on_time = fields.Integer()
    replied = fields.Integer()
    replied_on_time = fields.Integer()
    callbacks = fields.Integer()
    satisfied = fields.Integer()
    returned = fields.Integer()
    reopened = fields.Integer()
    on_time_sign_rate = fields.Float(allow_none=True, metadata={"description": "null where nothing was signed"})
    on_time_closure_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)
    callback_rate = fields.Float(allow_none=True)
    return_rate = fields.Float(allow_none=True)
    reopen_rate = fields.Float(allow_none=True)


class StatsSchema(ma.Schema):
    period = fields.String(metadata={"description": "2026Q4, 2026-11, 2026 or from..to"})
    from_ = fields.String(attribute="from", data_key="from", metadata={"description": "inclusive start, local time"})
    to = fields.String(metadata={"description": "exclusive end, local time"})
    departments = fields.List(fields.Nested(KpiSchema))
    knowledge = fields.Nested(KnowledgeStatsSchema, metadata={"description": "知识库: first-call resolution"})


class MaskedCallerSchema(ma.Schema):
    name = fields.String()
    phone = fields.String()


class PublicTimelineEntrySchema(ma.Schema):
    at = fields.String()
    action = fields.String()
    action_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    department = fields.String(allow_none=True)


class PublicStatusSchema(ma.Schema):
    """What the public sees: status only for a confidential ticket, masked personal data otherwise."""

    number = fields.String()
    status = fields.String()
    status_label = fields.String()
    confidential = fields.Boolean()
    updated_at = fields.String()
    type = fields.String()
    type_label = fields.String()
    created_at = fields.String()
    caller = fields.Nested(MaskedCallerSchema)
    address = fields.String()
    lead_department = fields.String(allow_none=True)
    handle_due_at = fields.String(allow_none=True)
    timeline = fields.List(fields.Nested(PublicTimelineEntrySchema))
    note = fields.String()


class ReturnSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=5, max=2000),
                  metadata={"description": "why the ticket is not this department's (at least 5 characters)"})
