"""initial rectification schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 07:05:46.597289
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.migrations
import shared.tables
from shared.calendar_store import create_calendar_years
from shared.rules_store import create_rules_versions

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    shared.migrations.create_common_tables(op)
    create_calendar_years(op)
    create_rules_versions(op)
    op.create_table('departments',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('utility', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('notice_sequences',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('notices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.String(length=120), nullable=False),
    sa.Column('source_ref', sa.Text(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('requirements', sa.Text(), server_default='', nullable=False),
    sa.Column('deadline_workdays', sa.Integer(), nullable=False),
    sa.Column('issued_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('due_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('rounds', sa.Integer(), server_default='0', nullable=False),
    sa.Column('extension_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('history', sa.Text(), server_default='[]', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('source_kind', 'source_id', name='uq_notices_source')
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_department_status', ['department', 'status'], unique=False)


def downgrade() -> None:
    for table in ("notices", "notice_sequences", "departments", "rules_versions", "calendar_years"):
        op.drop_table(table)
    shared.migrations.drop_common_tables(op)
