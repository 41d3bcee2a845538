"""entered holiday years (calendar_years): the replica

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from shared.calendar_store import create_calendar_years

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_calendar_years(op)


def downgrade() -> None:
    op.drop_table("calendar_years")
