"""member_policies: which member holds which policy, from member-svc's member.policy_changed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_policies",
        sa.Column("member_id", sa.Uuid, primary_key=True),
        sa.Column("policy_no", sa.String(64), primary_key=True),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("plate", sa.String(32)),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_member_policies_policy_no", "member_policies", ["policy_no"])


def downgrade() -> None:
    op.drop_index("ix_member_policies_policy_no", table_name="member_policies")
    op.drop_table("member_policies")
