"""Knowledge-base use cases (知识库): draft, update, publish and retire articles; search them; link a
direct answer to the article version it used; open and complete correction tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from services.hotline import store
from services.hotline.knowledge_model import (
    Article,
    ArticleContent,
    ArticleStatus,
    ArticleVersion,
    Correction,
    CorrectionStatus,
)
from services.hotline.knowledge_search import Hit, SearchScope
from services.hotline.knowledge_store import ArticleRepository, CorrectionRepository, version_from_row
from services.hotline.rules import KnowledgePolicy
from shared.auth import DISPATCHER, INSPECTOR, OPERATOR, Principal
from shared.directory import require_active
from shared.errors import InvalidInput, InvalidTransition, NotFound
from shared.ids import new_id
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from services.hotline.handlers import Hotline
    from services.hotline.model import Ticket

K = store.knowledge
OFFICE = (DISPATCHER,)                       # 热线办: publishes, writes for any department (admin too)
READ_ALL = (OPERATOR, DISPATCHER, INSPECTOR)  # see drafts and retired versions of every department


def policy(hotline: Hotline) -> KnowledgePolicy:
    """The knowledge base's rules in force (the newest published rules document)."""
    current: KnowledgePolicy = hotline.rules.current("knowledge")
    return current


def today(hotline: Hotline) -> date:
    return hotline.db.clock.now().astimezone(hotline.calendar.tz).date()


def snapshot(article: Article) -> dict[str, Any]:
    """What the audit trail records: the article's state and every version's status and content."""
    return {"department": article.department, "status": article.status.value, "version": article.version,
            "versions": {str(v.number): {"status": v.status.value, **v.content.as_dict()} for v in article.versions}}


def _writes_any(principal: Principal) -> bool:
    return principal.has_any(*OFFICE)


def sees_drafts(principal: Principal, article: Article) -> bool:
    """The owner and the hotline office (and inspectors) see drafts and retired versions; others only
    what is published."""
    return principal.has_any(*READ_ALL) or article.department in principal.departments


def _may_read(principal: Principal, article: Article, version: ArticleVersion) -> bool:
    return version.status is ArticleStatus.PUBLISHED or sees_drafts(principal, article)


def _change(hotline: Hotline, principal: Principal, article_id: str, action: str,
            apply: Callable[[Article], None]) -> Article:
    with hotline.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(ArticleRepository, search=hotline.knowledge_search)
        article = repo.get(article_id)
        if not _may_read(principal, article, article.head):
            raise NotFound("知识条目不存在 / article not found", {"id": [article_id]})
        before = snapshot(article)
        apply(article)
        repo.save(article, uow.now)
        uow.audit(f"knowledge.{action}", "knowledge_article", article.id, before=before, after=snapshot(article))
        uow.commit()
    return article


# -- writing -----------------------------------------------------------------------------------
def create_article(hotline: Hotline, *, principal: Principal, department: str, question: str, answer: str,
                   review_by: date, public: bool = False, keywords: list[str] | None = None, category: str = "",
                   legal_basis: str = "", document_number: str = "", effective_from: date | None = None) -> Article:
    """A department drafts an article for itself (the hotline office may draft for any department)."""
    content = ArticleContent(question=question, answer=answer, review_by=review_by, category=category,
                             legal_basis=legal_basis, document_number=document_number,
                             effective_from=effective_from, keywords=tuple(keywords or ()), public=public)
    with hotline.db.unit_of_work(actor=principal.actor) as uow:
        article = Article.create(id=new_id(), department=department, content=content, actor=principal,
                                 may_write_any=_writes_any(principal), now=uow.now, today=today(hotline))
        require_active(uow.conn, store.departments, [department], "department")
        uow.repository(ArticleRepository, search=hotline.knowledge_search).add(article)
        uow.audit("knowledge.drafted", "knowledge_article", article.id, before=None, after=snapshot(article))
        uow.commit()
    return article


def update_article(hotline: Hotline, *, principal: Principal, article_id: str, **changes: Any) -> Article:
    """修订: a new draft version, or the pending draft edited (the published version stays in force)."""
    now, day = hotline.db.clock.now(), today(hotline)

    def apply(article: Article) -> None:
        article.update(actor=principal, changes=changes, may_write_any=_writes_any(principal), now=now, today=day)

    return _change(hotline, principal, article_id, "updated", apply)


def publish_article(hotline: Hotline, *, principal: Principal, article_id: str) -> Article:
    now, day, tz = hotline.db.clock.now(), today(hotline), hotline.calendar.tz

    def apply(article: Article) -> None:
        article.publish(actor=principal, now=now, today=day, tz=tz)

    return _change(hotline, principal, article_id, "published", apply)


def retire_article(hotline: Hotline, *, principal: Principal, article_id: str, reason: str) -> Article:
    now = hotline.db.clock.now()
    return _change(hotline, principal, article_id, "retired",
                   lambda a: a.retire(actor=principal, reason=reason, now=now))


# -- reading -----------------------------------------------------------------------------------
def get_article(hotline: Hotline, *, principal: Principal, article_id: str) -> Article:
    with hotline.db.read() as conn:
        article = ArticleRepository(conn, search=hotline.knowledge_search).get(article_id)
    if not _may_read(principal, article, article.head):
        raise NotFound("知识条目不存在 / article not found", {"id": [article_id]})
    return article


def search_articles(hotline: Hotline, *, principal: Principal | None, page: int, page_size: int,
                    q: str | None = None, status: str = ArticleStatus.PUBLISHED.value,
                    department: str | None = None, public: bool | None = None,
                    review_overdue: bool | None = None) -> tuple[list[tuple[Article, ArticleVersion, Hit | None]], int]:
    """A page of article versions: ranked by relevance with ``q``, else by department and question.

    ``principal`` None is the public: published public versions only. Staff see published versions of
    every department, and drafts and retired versions of their own (the hotline office: of all).
    """
    v, a = K.versions, K.articles
    conditions: list[Any] = [v.c.status == status]
    if principal is None:
        conditions = [v.c.status == ArticleStatus.PUBLISHED.value, v.c.public.is_(True)]
    elif status != ArticleStatus.PUBLISHED.value and not principal.has_any(*READ_ALL):
        conditions.append(a.c.department.in_(sorted(principal.departments)))
    if department:
        conditions.append(a.c.department == department)
    if public is not None and principal is not None:
        conditions.append(v.c.public.is_(public))
    if review_overdue is not None:
        late = sa.and_(v.c.status == ArticleStatus.PUBLISHED.value, v.c.review_by < today(hotline))
        conditions.append(late if review_overdue else sa.not_(late))
    base = sa.select(v).join(a, a.c.id == v.c.article_id).where(*conditions)
    with hotline.db.read() as conn:
        hits: dict[tuple[str, int], Hit] = {}
        if q and q.strip():
            scope = SearchScope(statuses=(status,) if principal else (ArticleStatus.PUBLISHED.value,),
                                public_only=principal is None, department=department)
            ranked = hotline.knowledge_search.search(conn, q, scope)
            hits = {(h.article_id, h.number): h for h in ranked}
            keys = list(hits)
            # The index ranks; the conditions above decide (visibility, flags) in one query per page.
            allowed = {(r.article_id, r.number) for r in conn.execute(
                sa.select(v.c.article_id, v.c.number).join(a, a.c.id == v.c.article_id)
                .where(*conditions, v.c.article_id.in_({k[0] for k in keys})))}
            ordered = [k for k in keys if k in allowed]
            total = len(ordered)
            chosen = ordered[(page - 1) * page_size: page * page_size]
            rows = {(r.article_id, r.number): r for r in conn.execute(
                base.where(v.c.article_id.in_({k[0] for k in chosen})))}
            page_rows = [rows[k] for k in chosen if k in rows]
        else:
            total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
            page_rows = list(conn.execute(base.order_by(a.c.department, v.c.question, v.c.article_id)
                                          .limit(page_size).offset((page - 1) * page_size)))
        repo = ArticleRepository(conn, search=hotline.knowledge_search)
        articles = {r.article_id: repo.get(r.article_id) for r in page_rows}
    items = [(articles[r.article_id], version_from_row(r), hits.get((r.article_id, r.number))) for r in page_rows]
    return items, total


def questions(hotline: Hotline, article_ids: set[str]) -> dict[str, str]:
    """Article id → the question of its newest version (for lists of corrections)."""
    v = K.versions
    newest = sa.select(v.c.article_id, sa.func.max(v.c.number).label("n")).where(
        v.c.article_id.in_(sorted(article_ids))).group_by(v.c.article_id).subquery()
    with hotline.db.read() as conn:
        return dict(conn.execute(sa.select(v.c.article_id, v.c.question).join(
            newest, sa.and_(newest.c.article_id == v.c.article_id, newest.c.n == v.c.number))).all())


# -- at intake and at callback -------------------------------------------------------------------
def use_article(uow: UnitOfWork, hotline: Hotline, *, ticket: Ticket, article_id: str) -> dict[str, Any]:
    """The published version an operator's direct answer used; recorded for the figures."""
    repo = uow.repository(ArticleRepository, search=hotline.knowledge_search)
    try:
        article = repo.get(article_id)
    except NotFound:
        raise InvalidInput("知识条目不存在 / no such article", {"knowledge_id": [article_id]}) from None
    version = article.published
    if version is None:
        raise InvalidTransition("知识条目未发布 / the article is not published", {"knowledge_id": [article_id]})
    repo.record_use(ticket_id=ticket.id, article=article, number=version.number, at=uow.now)
    return {"knowledge_id": article.id, "knowledge_version": version.number,
            "knowledge_department": article.department}


def open_correction(uow: UnitOfWork, hotline: Hotline, *, ticket: Ticket, principal: Principal, note: str) -> None:
    """A callback said the article's answer was wrong: a correction task for the article's owner."""
    used = ticket.details.get("knowledge") or {}
    article = uow.repository(ArticleRepository, search=hotline.knowledge_search).get(used["knowledge_id"])
    limit = policy(hotline).correction
    correction = Correction.open(id=new_id(), article=article, version=used["knowledge_version"],
                                 ticket_id=ticket.id, ticket_number=ticket.number, note=note, actor=principal,
                                 now=uow.now, limit=limit, due=hotline.calendar.due(uow.now, limit))
    uow.repository(CorrectionRepository).add(correction)
    uow.audit("knowledge.correction_opened", "knowledge_correction", correction.id, before=None,
              after={"article_id": article.id, "version": correction.article_version,
                     "department": correction.department, "ticket": ticket.number})


def list_corrections(hotline: Hotline, *, principal: Principal, page: int, page_size: int,
                     status: str | None = None, department: str | None = None) -> tuple[list[Correction], int]:
    """Correction tasks, oldest open first; department staff see their own department's."""
    c = K.corrections
    conditions: list[Any] = []
    if not principal.has_any(*READ_ALL):
        conditions.append(c.c.department.in_(sorted(principal.departments)))
    if status:
        conditions.append(c.c.status == status)
    if department:
        conditions.append(c.c.department == department)
    where = sa.and_(sa.true(), *conditions)
    with hotline.db.read() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(c).where(where)).scalar_one()
        ids = conn.execute(sa.select(c.c.id).where(where).order_by(c.c.opened_at, c.c.id)
                           .limit(page_size).offset((page - 1) * page_size)).scalars().all()
        repo = CorrectionRepository(conn)
        return [repo.get(i) for i in ids], total


def complete_correction(hotline: Hotline, *, principal: Principal, correction_id: str,
                        resolution: str) -> Correction:
    with hotline.db.unit_of_work(actor=principal.actor) as uow:
        repo = uow.repository(CorrectionRepository)
        correction = repo.get(correction_id)
        if not principal.has_any(*READ_ALL) and correction.department not in principal.departments:
            raise NotFound("纠错任务不存在 / correction not found", {"id": [correction_id]})
        correction.complete(actor=principal, resolution=resolution, may_write_any=_writes_any(principal),
                            now=uow.now)
        repo.save(correction)
        uow.audit("knowledge.correction_completed", "knowledge_correction", correction.id,
                  before={"status": CorrectionStatus.OPEN.value},
                  after={"status": correction.status.value, "resolution": correction.resolution})
        uow.commit()
    return correction
