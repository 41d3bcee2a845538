"""approvals: the external key is (department, system, external_id)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint("uq_approvals_external", type_="unique")
        batch_op.create_unique_constraint("uq_approvals_department_external", ["department", "system", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_constraint("uq_approvals_department_external", type_="unique")
        batch_op.create_unique_constraint("uq_approvals_external", ["system", "external_id"])
