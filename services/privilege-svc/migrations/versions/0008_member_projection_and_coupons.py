"""Members' policies, referrals and interests (projections of member.events); mall coupons name a batch.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_policies",
        sa.Column("policy_no", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("premium_fen", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_member_policies_member", "member_policies", ["member_id"])
    op.create_table(
        "member_profiles",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("referred_by_member_id", sa.String(64), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("interests", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("interests_changed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column("rewards", sa.Column("coupon_batch_id", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("rewards", "coupon_batch_id")
    op.drop_table("member_profiles")
    op.drop_index("ix_member_policies_member", table_name="member_policies")
    op.drop_table("member_policies")
