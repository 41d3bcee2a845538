"""initial monitoring schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:09:31.980065
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
        "approvals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("system", sa.String(length=50), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("item_name", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("accepted_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("joint", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("promised_days", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("extended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("completed_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system", "external_id", name="uq_approvals_external"),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index("ix_approvals_department", ["department", "status"], unique=False)

    op.create_table(
        "clocks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_service", sa.String(length=30), nullable=False),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_ref", sa.String(length=100), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("started_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("limit_amount", sa.Integer(), nullable=False),
        sa.Column("limit_unit", sa.String(length=20), nullable=False),
        sa.Column("due_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("paused_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("paused_workdays", sa.Integer(), server_default="0", nullable=False),
        sa.Column("paused_seconds", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("stopped_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("next_fire_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.create_index("ix_clocks_department_state", ["department", "state"], unique=False)
        batch_op.create_index(
            "ix_clocks_next_fire",
            ["next_fire_at"],
            unique=False,
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        )
        batch_op.create_index(
            "ix_clocks_stopped",
            ["stopped_at"],
            unique=False,
            sqlite_where=sa.text("stopped_at IS NOT NULL"),
            postgresql_where=sa.text("stopped_at IS NOT NULL"),
        )
        batch_op.create_index("ix_clocks_subject", ["subject_service", "subject_id"], unique=False)

    op.create_table(
        "departments",
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "cards",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("color", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("subject_service", sa.String(length=30), nullable=True),
        sa.Column("subject_kind", sa.String(length=30), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("subject_ref", sa.String(length=100), nullable=True),
        sa.Column("clock_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledge_note", sa.Text(), server_default="", nullable=False),
        sa.Column("confirmed_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("cleared_at", shared.tables.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=100), nullable=True),
        sa.Column("clear_note", sa.Text(), nullable=True),
        sa.Column("escalated_to", sa.String(length=36), nullable=True),
        sa.Column("escalation_key", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["clocks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clock_id", "color", name="uq_cards_clock_color"),
        sa.UniqueConstraint("escalation_key", name="uq_cards_escalation_key"),
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index("ix_cards_department_issued", ["department", "issued_at"], unique=False)
        batch_op.create_index("ix_cards_issued", ["issued_at"], unique=False)

    op.create_table(
        "warnings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("clock_id", sa.String(length=36), nullable=False),
        sa.Column("department", sa.String(length=50), nullable=False),
        sa.Column("subject_service", sa.String(length=30), nullable=False),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("subject_ref", sa.String(length=100), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("due_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", shared.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clock_id"],
            ["clocks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("clock_id", name="uq_warnings_clock"),
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index("ix_warnings_department_issued", ["department", "issued_at"], unique=False)
        batch_op.create_index("ix_warnings_issued", ["issued_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_warnings_issued")
        batch_op.drop_index("ix_warnings_department_issued")

    op.drop_table("warnings")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_issued")
        batch_op.drop_index("ix_cards_department_issued")

    op.drop_table("cards")
    op.drop_table("departments")
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_clocks_subject")
        batch_op.drop_index(
            "ix_clocks_stopped",
            sqlite_where=sa.text("stopped_at IS NOT NULL"),
            postgresql_where=sa.text("stopped_at IS NOT NULL"),
        )
        batch_op.drop_index(
            "ix_clocks_next_fire",
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        )
        batch_op.drop_index("ix_clocks_department_state")

    op.drop_table("clocks")
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_approvals_department")

    op.drop_table("approvals")
    shared.migrations.drop_common_tables(op)
