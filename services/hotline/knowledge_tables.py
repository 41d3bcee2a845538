"""The knowledge base's tables (知识库), added to the hotline's metadata by ``services.hotline.store``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from shared.tables import UtcDateTime


@dataclass(frozen=True)
class KnowledgeTables:
    articles: sa.Table
    versions: sa.Table
    terms: sa.Table
    uses: sa.Table
    corrections: sa.Table


def add_knowledge_tables(metadata: sa.MetaData) -> KnowledgeTables:
    articles = sa.Table(
        "knowledge_articles", metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),  # the article's: draft, published or retired
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Index("ix_knowledge_articles_department", "department", "status"),
    )
    versions = sa.Table(
        "knowledge_versions", metadata,
        sa.Column("article_id", sa.String(36), sa.ForeignKey("knowledge_articles.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("question", sa.String(300), nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("category", sa.String(50), nullable=False, server_default=""),
        sa.Column("legal_basis", sa.String(500), nullable=False, server_default=""),
        sa.Column("document_number", sa.String(100), nullable=False, server_default=""),
        sa.Column("effective_from", sa.Date),
        sa.Column("review_by", sa.Date, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False, server_default="[]"),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("published_at", UtcDateTime()),
        sa.Column("published_by", sa.String(100)),
        sa.Column("retired_at", UtcDateTime()),
        sa.Column("changes", sa.Text, nullable=False, server_default="[]"),
        # Lists filter on status (and on review_by for the overdue flag and the freshness figures).
        sa.Index("ix_knowledge_versions_status_review", "status", "review_by"),
    )
    # The embedded full-text index: one row per (term, version) with the term's best field weight. A
    # plain table works the same on SQLite and PostgreSQL (services.hotline.knowledge_search).
    terms = sa.Table(
        "knowledge_terms", metadata,
        sa.Column("term", sa.String(40), primary_key=True),
        sa.Column("article_id", sa.String(36), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("weight", sa.Integer, nullable=False),
        sa.Index("ix_knowledge_terms_version", "article_id", "number"),
    )
    # Which article version a direct answer used (one per ticket): the first-call figures read it.
    uses = sa.Table(
        "knowledge_uses", metadata,
        sa.Column("ticket_id", sa.String(36), primary_key=True),
        sa.Column("article_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=False),
        sa.Index("ix_knowledge_uses_department", "department", "used_at"),
        sa.Index("ix_knowledge_uses_article", "article_id", "number"),
    )
    corrections = sa.Table(
        "knowledge_corrections", metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("article_id", sa.String(36), nullable=False),
        sa.Column("article_version", sa.Integer, nullable=False),
        sa.Column("department", sa.String(50), nullable=False),
        sa.Column("ticket_id", sa.String(36), nullable=False),
        sa.Column("ticket_number", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", UtcDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("due_at", UtcDateTime()),
        sa.Column("completed_at", UtcDateTime()),
        sa.Column("completed_by", sa.String(100)),
        sa.Column("resolution", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Index("ix_knowledge_corrections_department", "department", "status", "opened_at"),
    )
    return KnowledgeTables(articles, versions, terms, uses, corrections)
