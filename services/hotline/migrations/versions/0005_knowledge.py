"""the knowledge base (知识库): articles, versions, search terms, uses and corrections

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.hotline.knowledge_tables import add_knowledge_tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Built from their definition, as shared.rules_store's replicas are; whoever changes the definition
    # freezes this revision's copy here and adds a revision of their own.
    tables = add_knowledge_tables(sa.MetaData())
    bind = op.get_bind()
    for table in (tables.articles, tables.versions, tables.terms, tables.uses, tables.corrections):
        table.create(bind)


def downgrade() -> None:
    for name in ("knowledge_corrections", "knowledge_uses", "knowledge_terms", "knowledge_versions",
                 "knowledge_articles"):
        op.drop_table(name)
