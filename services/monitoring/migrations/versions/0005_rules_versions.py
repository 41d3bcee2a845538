"""published rules (rules_versions), replicated; the rules version each clock started under

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.rules_store import create_rules_versions

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_rules_versions(op)
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.drop_column("rules_version")
    op.drop_table("rules_versions")
