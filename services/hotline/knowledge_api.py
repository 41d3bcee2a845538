"""Knowledge-base HTTP API (知识库): thin views over ``services.hotline.knowledge``."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, request
from flask.views import MethodView

from services.hotline import knowledge, store
from services.hotline import knowledge_schemas as ks
from services.hotline.handlers import Hotline
from services.hotline.knowledge_model import STATUS_LABELS_ZH, Article, ArticleVersion, Correction, plain_text
from services.hotline.knowledge_search import Hit, highlight
from shared.appcontext import service_context
from shared.auth import DEPARTMENT, DISPATCHER, INSPECTOR, OPERATOR, require_principal
from shared.directory import department_names
from shared.idempotency import idempotent
from shared.ratelimit import Limiter
from shared.schemas import page
from shared.web import Blueprint, action_endpoint

blp = Blueprint("knowledge", __name__, url_prefix="/api/hotline/v1/knowledge",
                description="知识库：部门编写、热线办发布、复审、纠错")
public = Blueprint("public_knowledge", __name__, url_prefix="/api/hotline/v1/public/knowledge",
                   description="公众常见问题（知识库公开条目）")

STAFF = (OPERATOR, DISPATCHER, DEPARTMENT, INSPECTOR)
WRITERS = (DEPARTMENT, DISPATCHER)


def _hotline() -> Hotline:
    hotline: Hotline = service_context()
    return hotline


def _names() -> dict[str, str]:
    with _hotline().db.read() as conn:
        return department_names(conn, store.departments)


def _today() -> date:
    return knowledge.today(_hotline())


def present_item(article: Article, version: ArticleVersion, hit: Hit | None, names: dict[str, str],
                 today: date, sees_drafts: bool) -> dict[str, Any]:
    c = version.content
    draft = article.draft if sees_drafts else None
    return {"id": article.id, "version": version.number, "status": version.status.value,
            "status_label": STATUS_LABELS_ZH[version.status], "question": c.question,
            "answer": highlight(plain_text(c.answer), hit.terms if hit else ()), "category": c.category,
            "department": article.department, "department_name": names.get(article.department, article.department),
            "public": c.public, "review_by": c.review_by, "review_overdue": version.review_overdue(today),
            "pending_draft": draft.number if draft and draft is not version else None,
            "score": round(hit.score, 2) if hit else None}


def present_article(article: Article, names: dict[str, str], today: date, *, drafts: bool = True) -> dict[str, Any]:
    """The article with its versions; without ``drafts`` (another department) only the published one."""
    head = article.head
    published, draft = article.published, article.draft if drafts else None
    return {"id": article.id, "status": article.status.value, "status_label": STATUS_LABELS_ZH[article.status],
            "department": article.department, "department_name": names.get(article.department, article.department),
            "version": head.number, "published_version": published.number if published else None,
            "draft_version": draft.number if draft else None, "question": head.content.question,
            "answer": head.content.answer, "review_by": head.content.review_by,
            "review_overdue": head.review_overdue(today), "created_at": article.created_at,
            "created_by": article.created_by,
            "versions": [{"number": v.number, "status": v.status.value, **v.content.as_dict(),
                          "keywords": list(v.content.keywords), "created_at": v.created_at,
                          "created_by": v.created_by, "published_at": v.published_at,
                          "published_by": v.published_by, "retired_at": v.retired_at, "changes": v.changes}
                         for v in article.versions if drafts or v is published]}


@blp.route("")
class Articles(MethodView):
    @blp.arguments(ks.ArticleListQuerySchema, location="query")
    @blp.response(200, ks.ArticlePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """知识检索: with ``q``, Chinese full-text search (synonyms included), best first; past-review flagged."""
        principal = require_principal(*STAFF)
        items, total = knowledge.search_articles(_hotline(), principal=principal, **query)
        names, today = _names(), _today()
        return page([present_item(a, v, h, names, today, knowledge.sees_drafts(principal, a)) for a, v, h in items],
                    page=query["page"], page_size=query["page_size"], total=total)

    @idempotent
    @blp.arguments(ks.ArticleCreateSchema)
    @blp.response(201, ks.ArticleReadSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """编写知识条目: a department drafts an article for itself (version 1, draft)."""
        principal = require_principal(*WRITERS)
        article = knowledge.create_article(_hotline(), principal=principal, **data)
        return present_article(article, _names(), _today())


@blp.route("/<article_id>")
class ArticleView(MethodView):
    @blp.response(200, ks.ArticleReadSchema)
    def get(self, article_id: str) -> dict[str, Any]:
        """知识条目 with every version and who changed what."""
        principal = require_principal(*STAFF)
        article = knowledge.get_article(_hotline(), principal=principal, article_id=article_id)
        return present_article(article, _names(), _today(), drafts=knowledge.sees_drafts(principal, article))

    @blp.arguments(ks.ArticleUpdateSchema)
    @blp.response(200, ks.ArticleReadSchema)
    def patch(self, data: dict[str, Any], article_id: str) -> dict[str, Any]:
        """修订: a new draft version (the published one stays in force until this one is published)."""
        principal = require_principal(*WRITERS)
        article = knowledge.update_article(_hotline(), principal=principal, article_id=article_id, **data)
        return present_article(article, _names(), _today())


def _article_action(path: str, schema: type | None, handler: Any, doc: str) -> None:
    def run(data: dict[str, Any], article_id: str) -> dict[str, Any]:
        principal = require_principal(DISPATCHER)  # the hotline office (热线办), or an admin
        article = handler(_hotline(), principal=principal, article_id=article_id, **data)
        return present_article(article, _names(), _today())

    action_endpoint(blp, f"/<article_id>/{path}", name=f"knowledge_{path}", schema=schema,
                    response_schema=ks.ArticleReadSchema, run=run, doc=doc)


_article_action("publish", None, knowledge.publish_article,
                "发布 the pending draft (hotline office); the version in force is retired; body {}.")
_article_action("retire", ks.RetireSchema, knowledge.retire_article, "停用 the article (hotline office).")


def present_correction(correction: Correction, questions: dict[str, str]) -> dict[str, Any]:
    return {**{k: getattr(correction, k) for k in (
        "id", "article_id", "article_version", "department", "ticket_id", "ticket_number", "note", "opened_at",
        "opened_by", "due_at", "completed_at", "completed_by", "resolution")},
        "status": correction.status.value, "status_label": STATUS_LABELS_ZH[correction.status],
        "question": questions.get(correction.article_id, "")}


def _questions(corrections: list[Correction]) -> dict[str, str]:
    return knowledge.questions(_hotline(), {c.article_id for c in corrections})


@blp.route("/corrections")
@blp.arguments(ks.CorrectionListQuerySchema, location="query")
@blp.response(200, ks.CorrectionPageSchema)
def corrections(query: dict[str, Any]) -> dict[str, Any]:
    """纠错任务: answers callers said were wrong; department staff see their own department's."""
    principal = require_principal(*STAFF)
    items, total = knowledge.list_corrections(_hotline(), principal=principal, **query)
    questions = _questions(items)
    return page([present_correction(c, questions) for c in items], page=query["page"],
                page_size=query["page_size"], total=total)


def _complete(data: dict[str, Any], correction_id: str) -> dict[str, Any]:
    principal = require_principal(*WRITERS)
    correction = knowledge.complete_correction(_hotline(), principal=principal, correction_id=correction_id, **data)
    return present_correction(correction, _questions([correction]))


action_endpoint(blp, "/corrections/<correction_id>/complete", name="knowledge_correction_complete",
                schema=ks.CorrectionCompleteSchema, response_schema=ks.CorrectionSchema, run=_complete,
                doc="完成纠错 (the owning department): say what was done.")


@public.route("")
@public.arguments(ks.PublicQuerySchema, location="query")
@public.response(200, ks.PublicArticlePageSchema)
def public_faq(query: dict[str, Any]) -> dict[str, Any]:
    """常见问题: published public articles, searchable, no login. Rate-limited like every public lookup."""
    limiter: Limiter = current_app.extensions["duban.public_limiter"]
    limiter.hit(request.remote_addr or "unknown")  # remote_addr only: ProxyFix trusts nginx's one hop
    items, total = knowledge.search_articles(_hotline(), principal=None, **query)
    names = _names()
    return page([{
        "id": a.id, "question": v.content.question, "answer": v.content.answer,
        "snippet": highlight(plain_text(v.content.answer), h.terms if h else ()), "category": v.content.category,
        "department_name": names.get(a.department, a.department), "legal_basis": v.content.legal_basis,
        "document_number": v.content.document_number, "effective_from": v.content.effective_from,
        "updated_at": v.published_at or v.created_at} for a, v, h in items],
        page=query["page"], page_size=query["page_size"], total=total)
