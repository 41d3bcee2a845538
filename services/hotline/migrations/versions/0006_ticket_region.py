"""tickets.region: the district code (GB/T 2260) of where the matter is

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("region", sa.String(12)))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("region")
