"""initial hotline schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 17:59:04.595396
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.migrations
import shared.tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    shared.migrations.create_common_tables(op)
    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("utility", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "ticket_sequences",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("query_code", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("caller_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("caller_phone", sa.String(length=30), server_default="", nullable=False),
        sa.Column("address", sa.String(length=300), server_default="", nullable=False),
        sa.Column("confidential", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("utility", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lead_department", sa.String(length=50), nullable=True),
        sa.Column("co_departments", sa.Text(), server_default="[]", nullable=False),
        sa.Column("created_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("dispatched_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sign_due_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("handle_due_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("return_due_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("callback_due_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("signed_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("replied_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.Column("closed_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("satisfaction", sa.String(length=30), nullable=True),
        sa.Column("extension_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("urge_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("return_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("details", sa.Text(), server_default="{}", nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_caller_phone", ["caller_phone"], unique=False)
        batch_op.create_index("ix_tickets_created", ["created_at"], unique=False)
        batch_op.create_index("ix_tickets_lead_status", ["lead_department", "status"], unique=False)
        batch_op.create_index("ix_tickets_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "ticket_departments",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("ticket_id", "department"),
    )
    with op.batch_alter_table("ticket_departments", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_departments_department", ["department"], unique=False)

    op.create_table(
        "ticket_keywords",
        sa.Column("keyword", sa.String(length=40), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("keyword", "ticket_id"),
    )
    with op.batch_alter_table("ticket_keywords", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_keywords_recent", ["keyword", "created_at"], unique=False)

    op.create_table(
        "ticket_timeline",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("data", sa.Text(), server_default="{}", nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_timeline_action_department", ["action", "department", "at"], unique=False)
        batch_op.create_index("ix_timeline_ticket", ["ticket_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_ticket")
        batch_op.drop_index("ix_timeline_action_department")

    op.drop_table("ticket_timeline")
    with op.batch_alter_table("ticket_keywords", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_keywords_recent")

    op.drop_table("ticket_keywords")
    with op.batch_alter_table("ticket_departments", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_departments_department")

    op.drop_table("ticket_departments")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_status_created")
        batch_op.drop_index("ix_tickets_lead_status")
        batch_op.drop_index("ix_tickets_created")
        batch_op.drop_index("ix_tickets_caller_phone")

    op.drop_table("tickets")
    op.drop_table("ticket_sequences")
    op.drop_table("departments")
    shared.migrations.drop_common_tables(op)
