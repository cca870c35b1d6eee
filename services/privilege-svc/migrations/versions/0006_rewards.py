"""The rewards mall and flash sales: rewards and redemptions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("tier_prices", postgresql.JSONB(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("initial_stock", sa.Integer(), nullable=False),
        sa.Column("per_member_limit", sa.Integer(), nullable=True),
        sa.Column("visible_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("visible_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flash_sale", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_rewards_stock"),
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("reward_id", sa.Uuid(), sa.ForeignKey("rewards.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("debit_entry_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("delivery_address", sa.String(200), nullable=True),
        sa.Column("tracking_no", sa.String(64), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member_id", "idempotency_key", name="uq_redemptions_idempotency"),
    )
    op.create_index("ix_redemptions_reward_member", "redemptions", ["reward_id", "member_id"])
    op.create_index("ix_redemptions_member", "redemptions", ["member_id", "created_at", "id"])
    op.create_index("ix_redemptions_created", "redemptions", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_redemptions_created", table_name="redemptions")
    op.drop_index("ix_redemptions_member", table_name="redemptions")
    op.drop_index("ix_redemptions_reward_member", table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_table("rewards")
