"""Initial gateway schema: common tables, departments, users and their roles and departments.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_common_tables
from shared.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_common_tables(op)
    op.create_table(
        "departments",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("utility", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_departments_name"),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "user_roles",
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("role", sa.String(20), primary_key=True),
    )
    op.create_table(
        "user_departments",
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("department_code", sa.String(32), sa.ForeignKey("departments.code"), primary_key=True),
    )
    op.create_index("ix_user_departments_department", "user_departments", ["department_code"])


def downgrade() -> None:
    op.drop_index("ix_user_departments_department", table_name="user_departments")
    for table in ("user_departments", "user_roles", "users", "departments",
                  "idempotency_keys", "audit_head", "audit_log", "inbox", "outbox"):
        op.drop_table(table)
