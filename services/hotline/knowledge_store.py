"""Repositories of the knowledge base: whole articles with their versions, and correction tasks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from services.hotline.knowledge_model import (
    Article,
    ArticleContent,
    ArticleStatus,
    ArticleVersion,
    Correction,
    CorrectionStatus,
)
from services.hotline.knowledge_search import KnowledgeSearch, TermIndex
from services.hotline.store import knowledge as K
from shared.errors import NotFound
from shared.jsonutil import dumps
from shared.repository import Repository

_NOT_FOUND = "知识条目不存在 / article not found"


def default_search() -> KnowledgeSearch:
    """The embedded index (a search service replaces it by implementing ``KnowledgeSearch``)."""
    return TermIndex(K)


def content_of(m: Any) -> ArticleContent:
    return ArticleContent(
        question=m["question"], answer=m["answer"], review_by=m["review_by"], category=m["category"],
        legal_basis=m["legal_basis"], document_number=m["document_number"], effective_from=m["effective_from"],
        keywords=tuple(json.loads(m["keywords"])), public=m["public"])


def version_from_row(row: Row[Any]) -> ArticleVersion:
    m = row._mapping
    return ArticleVersion(number=m["number"], content=content_of(m), status=ArticleStatus(m["status"]),
                          created_at=m["created_at"], created_by=m["created_by"], published_at=m["published_at"],
                          published_by=m["published_by"], retired_at=m["retired_at"],
                          changes=json.loads(m["changes"]))


def _version_values(article_id: str, v: ArticleVersion) -> dict[str, Any]:
    c = v.content
    return {"article_id": article_id, "number": v.number, "status": v.status.value, "question": c.question,
            "answer": c.answer, "category": c.category, "legal_basis": c.legal_basis,
            "document_number": c.document_number, "effective_from": c.effective_from, "review_by": c.review_by,
            "keywords": dumps(list(c.keywords)), "public": c.public, "created_at": v.created_at,
            "created_by": v.created_by, "published_at": v.published_at, "published_by": v.published_by,
            "retired_at": v.retired_at, "changes": dumps(v.changes)}


class ArticleRepository(Repository):
    """Loads and saves whole articles; keeps the search index in step with their versions."""

    def __init__(self, conn: Connection, *, search: KnowledgeSearch, seen: Callable[..., None] | None = None) -> None:
        super().__init__(conn, seen=seen)
        self.search = search

    def get(self, article_id: str) -> Article:
        row = self.conn.execute(sa.select(K.articles).where(K.articles.c.id == article_id)).first()
        if row is None:
            raise NotFound(_NOT_FOUND, {"id": [article_id]})
        versions = [version_from_row(r) for r in self.conn.execute(
            sa.select(K.versions).where(K.versions.c.article_id == article_id).order_by(K.versions.c.number))]
        return self.seen(Article(id=row.id, department=row.department, created_at=row.created_at,
                                 created_by=row.created_by, versions=versions, version=row.version))

    def add(self, article: Article) -> None:
        self.seen(article)
        article.version = 1
        self.conn.execute(K.articles.insert().values(
            id=article.id, department=article.department, status=article.status.value,
            created_at=article.created_at, created_by=article.created_by, updated_at=article.created_at, version=1))
        self._write_versions(article, stored=set())

    def save(self, article: Article, now: datetime) -> None:
        """Write the article back; fails if someone else saved it since it was loaded."""
        stored = set(self.conn.execute(sa.select(K.versions.c.number)
                                       .where(K.versions.c.article_id == article.id)).scalars())
        self.save_versioned(K.articles, article, {"status": article.status.value, "updated_at": now},
                            "知识条目已被他人修改，请刷新后重试 / the article changed meanwhile; retry")
        self._write_versions(article, stored)

    def _write_versions(self, article: Article, stored: set[int]) -> None:
        for v in article.versions:
            values = _version_values(article.id, v)
            if v.number in stored:
                self.conn.execute(K.versions.update().where(K.versions.c.article_id == article.id,
                                                            K.versions.c.number == v.number).values(values))
            else:
                self.conn.execute(K.versions.insert().values(values))
            # Retired versions leave the index; drafts and the published version are searchable.
            if v.status is ArticleStatus.RETIRED:
                self.search.remove(self.conn, article.id, v.number)
            else:
                self.search.index(self.conn, article.id, v.number, v.content)

    def record_use(self, *, ticket_id: str, article: Article, number: int, at: datetime) -> None:
        self.conn.execute(K.uses.insert().values(ticket_id=ticket_id, article_id=article.id, number=number,
                                                 department=article.department, used_at=at))


def _correction(row: Row[Any]) -> Correction:
    m = dict(row._mapping)
    m["status"] = CorrectionStatus(m["status"])
    return Correction(**m)


_CORRECTION_COLUMNS = ("article_id", "article_version", "department", "ticket_id", "ticket_number", "note",
                       "opened_at", "opened_by", "due_at", "completed_at", "completed_by", "resolution")


class CorrectionRepository(Repository):
    def get(self, correction_id: str) -> Correction:
        row = self.conn.execute(sa.select(K.corrections).where(K.corrections.c.id == correction_id)).first()
        if row is None:
            raise NotFound("纠错任务不存在 / correction not found", {"id": [correction_id]})
        return self.seen(_correction(row))

    def _values(self, c: Correction) -> dict[str, Any]:
        return {**{name: getattr(c, name) for name in _CORRECTION_COLUMNS}, "status": c.status.value}

    def add(self, correction: Correction) -> None:
        self.seen(correction)
        correction.version = 1
        self.conn.execute(K.corrections.insert().values(id=correction.id, version=1, **self._values(correction)))

    def save(self, correction: Correction) -> None:
        self.save_versioned(K.corrections, correction, self._values(correction),
                            "纠错任务已被他人修改，请刷新后重试 / the correction changed meanwhile; retry")
