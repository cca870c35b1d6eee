"""Coupons won in club games (privilege-svc's game_prize_won), each handled once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_game_awards",
        sa.Column("play_id", sa.String(length=64), nullable=False),
        sa.Column("game_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("refused", sa.String(length=32), nullable=True),
        sa.Column("won_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"]),
        sa.PrimaryKeyConstraint("play_id"),
    )
    op.create_index(
        op.f("ix_coupon_game_awards_member_id"), "coupon_game_awards", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coupon_game_awards_member_id"), table_name="coupon_game_awards")
    op.drop_table("coupon_game_awards")
