"""published rules (rules_versions), replicated

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

from shared.rules_store import create_rules_versions

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_rules_versions(op)


def downgrade() -> None:
    op.drop_table("rules_versions")
