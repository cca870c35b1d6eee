"""Quota usage per member, privilege and period (the row each booking locks).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_usage",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("privilege_code", sa.String(64), sa.ForeignKey("privileges.code"), primary_key=True),
        sa.Column("period_start", sa.Date(), primary_key=True),
        sa.Column("reserved", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("reserved >= 0 AND used >= 0", name="ck_quota_usage_non_negative"),
    )


def downgrade() -> None:
    op.drop_table("quota_usage")
