"""initial spotcheck schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 06:59:04.303706
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
    op.create_table('inspectors',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=False),
    sa.Column('certificate_no', sa.String(length=50), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('qualifications', sa.Text(), server_default='[]', nullable=False),
    sa.Column('conflicts', sa.Text(), server_default='[]', nullable=False),
    sa.Column('previous_targets', sa.Text(), server_default='[]', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('certificate_no')
    )
    with op.batch_alter_table('inspectors', schema=None) as batch_op:
        batch_op.create_index('ix_inspectors_department', ['department'], unique=False)

    op.create_table('plans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('departments', sa.Text(), nullable=False),
    sa.Column('check_items', sa.Text(), nullable=False),
    sa.Column('population_filter', sa.Text(), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('population', sa.Text(), nullable=True),
    sa.Column('population_sha256', sa.String(length=64), nullable=True),
    sa.Column('draw', sa.Text(), nullable=True),
    sa.Column('draw_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('published_at', shared.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('draw_id')
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index('ix_plans_status', ['status'], unique=False)

    op.create_table('targets',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('industry', sa.String(length=50), nullable=False),
    sa.Column('risk_class', sa.String(length=1), nullable=False),
    sa.Column('abnormal', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('complaints', sa.Integer(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('uscc')
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index('ix_targets_class', ['risk_class'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    for table in ("targets", "plans", "inspectors", "departments", "rules_versions", "calendar_years"):
        op.drop_table(table)
    shared.migrations.drop_common_tables(op)
