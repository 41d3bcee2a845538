"""initial echo schema

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.migrations

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    shared.migrations.create_common_tables(op)
    op.create_table("notes", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("text", sa.String(200), nullable=False))
    op.create_table("echoes", sa.Column("note_id", sa.String(36), primary_key=True),
                    sa.Column("text", sa.String(200), nullable=False))


def downgrade() -> None:
    op.drop_table("echoes")
    op.drop_table("notes")
    shared.migrations.drop_common_tables(op)
