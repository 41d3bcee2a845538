"""initial search schema: case documents, their departments, the FTS5 index (SQLite)

Revision ID: 0001
Revises:
Create Date: 2026-11-29 08:31:32.483042
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.migrations
import shared.tables
from shared.calendar_store import create_calendar_years

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The embedded backend's index; the same statement as services.search.fts.create_statement(), spelled out
# here because a migration must not change when the code does.
FTS = ("CREATE VIRTUAL TABLE IF NOT EXISTS case_text USING fts5(title, body, extra, "
       "tokenize = 'unicode61 remove_diacritics 0')")


def upgrade() -> None:
    shared.migrations.create_common_tables(op)
    create_calendar_years(op)
    op.create_table('departments',
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('utility', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('cases',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=60), server_default='', nullable=False),
    sa.Column('title', sa.String(length=300), server_default='', nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('address', sa.String(length=300), server_default='', nullable=False),
    sa.Column('region', sa.String(length=12), nullable=True),
    sa.Column('status', sa.String(length=30), server_default='', nullable=False),
    sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('tags', sa.Text(), server_default='[]', nullable=False),
    sa.Column('departments', sa.Text(), server_default='[]', nullable=False),
    sa.Column('caller_key', sa.String(length=64), nullable=True),
    sa.Column('at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status_at', shared.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', shared.tables.UtcDateTime(timezone=True), nullable=True),
    sa.Column('memo', sa.Text(), server_default='{}', nullable=False),
    sa.Column('indexed_at', shared.tables.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_at', ['at'], unique=False)
        batch_op.create_index('ix_cases_caller_key', ['caller_key', 'at'], unique=False)
        batch_op.create_index('ix_cases_indexed_at', ['indexed_at'], unique=False)
        batch_op.create_index('ix_cases_kind_at', ['kind', 'at'], unique=False)
        batch_op.create_index('ix_cases_region', ['region'], unique=False)
        batch_op.create_index('ix_cases_status', ['status'], unique=False)

    op.create_table('case_departments',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['cases.seq'], ),
    sa.PrimaryKeyConstraint('seq', 'department')
    )
    with op.batch_alter_table('case_departments', schema=None) as batch_op:
        batch_op.create_index('ix_case_departments_department', ['department', 'seq'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS case_text")
    op.drop_table('case_departments')
    op.drop_table('cases')
    op.drop_table('departments')
    op.drop_table('calendar_years')
    shared.migrations.drop_common_tables(op)
