"""Request and response schemas of the knowledge-base API (知识库; unknown fields are rejected)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from services.hotline.knowledge_model import ArticleStatus, CorrectionStatus
from shared.schemas import (
    DEPARTMENT_CODE,
    BoundedDate,
    LocalDateTime,
    PageQuerySchema,
    StrictBoolean,
    Text,
    choices,
    page_schema,
)

_KEYWORDS = fields.List(Text(validate=validate.Length(min=1, max=20)), validate=validate.Length(max=20))


class ArticleFields(ma.Schema):
    """What a department writes; every field optional so an update names only what changes."""

    question = Text(validate=validate.Length(min=4, max=300))
    answer = Text(validate=validate.Length(min=2, max=20000),
                  metadata={"description": "rich text (HTML); sanitised: script, styles and handlers are removed"})
    category = Text(validate=validate.Length(max=50))
    legal_basis = Text(validate=validate.Length(max=500), metadata={"description": "政策依据: the law or document"})
    document_number = Text(validate=validate.Length(max=100), metadata={"description": "文号, e.g. 国办发〔2019〕51号"})
    effective_from = BoundedDate(allow_none=True)
    review_by = BoundedDate(metadata={"description": "复审日期 (ISO date): the owner reviews the article by then"})
    keywords = _KEYWORDS
    public = StrictBoolean(metadata={"description": "shown in the public FAQ (公开), else staff only (内部)"})


class ArticleCreateSchema(ArticleFields):
    question = Text(required=True, validate=validate.Length(min=4, max=300))
    answer = Text(required=True, validate=validate.Length(min=2, max=20000))
    department = Text(required=True, validate=DEPARTMENT_CODE, metadata={"description": "the owning department"})
    review_by = BoundedDate(required=True)
    public = StrictBoolean(load_default=False)
    keywords = fields.List(Text(validate=validate.Length(min=1, max=20)), load_default=list,
                           validate=validate.Length(max=20))


class ArticleUpdateSchema(ArticleFields):
    @ma.validates_schema
    def _something(self, data: dict[str, object], **_kw: object) -> None:
        if not data:
            raise ma.ValidationError("name at least one field to change", "_schema")


class RetireSchema(ma.Schema):
    reason = Text(required=True, validate=validate.Length(min=2, max=2000))


class ArticleListQuerySchema(PageQuerySchema):
    q = Text(load_default=None, validate=validate.Length(max=100), metadata={"description": "中文全文检索"})
    status = Text(load_default=ArticleStatus.PUBLISHED.value, validate=choices(ArticleStatus))
    department = Text(load_default=None, validate=DEPARTMENT_CODE)
    public = fields.Boolean(load_default=None)
    review_overdue = fields.Boolean(load_default=None, metadata={"description": "published and past review_by"})


class PublicQuerySchema(PageQuerySchema):
    q = Text(load_default=None, validate=validate.Length(max=100))


class ArticleItemSchema(ma.Schema):
    """One article version in a list: the answer is a snippet with matched words in ``<mark>``."""

    id = fields.String()
    version = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    question = fields.String()
    answer = fields.String(metadata={"description": "escaped snippet; matched words wrapped in <mark>"})
    category = fields.String()
    department = fields.String()
    department_name = fields.String()
    public = fields.Boolean()
    review_by = fields.Date()
    review_overdue = fields.Boolean(metadata={"description": "published and past its review-by date: check it"})
    pending_draft = fields.Integer(allow_none=True, metadata={"description": "number of a draft awaiting publication"})
    score = fields.Float(allow_none=True)


class VersionSchema(ma.Schema):
    number = fields.Integer()
    status = fields.String()
    question = fields.String()
    answer = fields.String()
    category = fields.String()
    legal_basis = fields.String()
    document_number = fields.String()
    effective_from = fields.Date(allow_none=True)
    review_by = fields.Date()
    keywords = fields.List(fields.String())
    public = fields.Boolean()
    created_at = LocalDateTime()
    created_by = fields.String()
    published_at = LocalDateTime(allow_none=True)
    published_by = fields.String(allow_none=True)
    retired_at = LocalDateTime(allow_none=True)
    changes = fields.List(fields.Dict(), metadata={"description": "who changed which fields, when"})


class ArticleReadSchema(ma.Schema):
    id = fields.String()
    status = fields.String()
    status_label = fields.String()
    department = fields.String()
    department_name = fields.String()
    version = fields.Integer(metadata={"description": "the version in force (else the newest)"})
    published_version = fields.Integer(allow_none=True)
    draft_version = fields.Integer(allow_none=True)
    question = fields.String()
    answer = fields.String()
    review_by = fields.Date()
    review_overdue = fields.Boolean()
    created_at = LocalDateTime()
    created_by = fields.String()
    versions = fields.List(fields.Nested(VersionSchema))


class PublicArticleSchema(ma.Schema):
    id = fields.String()
    question = fields.String()
    answer = fields.String(metadata={"description": "sanitised rich text"})
    snippet = fields.String(metadata={"description": "escaped; matched words wrapped in <mark>"})
    category = fields.String()
    department_name = fields.String()
    legal_basis = fields.String()
    document_number = fields.String()
    effective_from = fields.Date(allow_none=True)
    updated_at = LocalDateTime()


class CorrectionListQuerySchema(PageQuerySchema):
    status = Text(load_default=None, validate=choices(CorrectionStatus))
    department = Text(load_default=None, validate=DEPARTMENT_CODE)


class CorrectionCompleteSchema(ma.Schema):
    resolution = Text(required=True, validate=validate.Length(min=2, max=2000),
                      metadata={"description": "what was done: the article updated, or why the answer stands"})


class CorrectionSchema(ma.Schema):
    id = fields.String()
    article_id = fields.String()
    article_version = fields.Integer()
    question = fields.String()
    department = fields.String()
    ticket_id = fields.String()
    ticket_number = fields.String()
    note = fields.String()
    status = fields.String()
    status_label = fields.String()
    opened_at = LocalDateTime()
    opened_by = fields.String()
    due_at = LocalDateTime(allow_none=True, metadata={"description": "the owner corrects by then (rules: knowledge)"})
    completed_at = LocalDateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    resolution = fields.String()


ArticlePageSchema = page_schema(ArticleItemSchema, "KnowledgePage")
PublicArticlePageSchema = page_schema(PublicArticleSchema, "PublicKnowledgePage")
CorrectionPageSchema = page_schema(CorrectionSchema, "KnowledgeCorrectionPage")


class FreshnessSchema(ma.Schema):
    current = fields.Integer(metadata={"description": "published, review more than 30 days away"})
    due_soon = fields.Integer(metadata={"description": "published, review within 30 days"})
    overdue = fields.Integer(metadata={"description": "published, past review_by"})
    drafts = fields.Integer(metadata={"description": "drafts awaiting publication"})


class KnowledgeDepartmentSchema(ma.Schema):
    department = fields.String()
    name = fields.String()
    answered_with_article = fields.Integer(metadata={"description": "direct answers that used its articles"})
    unanswered = fields.Integer(metadata={"description": "consultations dispatched to it instead of answered"})
    first_call_resolution_rate = fields.Float(allow_none=True)
    corrections_opened = fields.Integer()
    articles = fields.Nested(FreshnessSchema)


class KnowledgeStatsSchema(ma.Schema):
    consultations = fields.Integer(metadata={"description": "咨询 received in the period"})
    answered_first_call = fields.Integer(metadata={"description": "answered directly at intake"})
    answered_with_article = fields.Integer()
    unanswered = fields.Integer(metadata={"description": "dispatched instead: no article fitted"})
    first_call_resolution_rate = fields.Float(allow_none=True)
    unanswered_questions = fields.List(fields.String(), metadata={"description": "the newest such questions"})
    departments = fields.List(fields.Nested(KnowledgeDepartmentSchema))
