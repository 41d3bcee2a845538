"""the category taxonomy, Open311 API keys, and a ticket's category, location and photo link

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.hotline.category_store import category_columns
from services.hotline.open311_keys import key_columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table("categories", *category_columns())
    op.create_table("open311_keys", *key_columns())
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("category", sa.String(40)))
        batch.add_column(sa.Column("lat", sa.Float))
        batch.add_column(sa.Column("long", sa.Float))
        batch.add_column(sa.Column("media_url", sa.String(500)))
        batch.create_index("ix_tickets_category_created", ["category", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_category_created")
        for column in ("media_url", "long", "lat", "category"):
            batch.drop_column(column)
    op.drop_table("open311_keys")
    op.drop_table("categories")
