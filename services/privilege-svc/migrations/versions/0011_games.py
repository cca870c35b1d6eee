"""Club games (博饼, the golden egg): games with their budgets, prizes, every play, daily play counts.

Revision ID: 0011
Revises: 0011_order_service_point
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0011_order_service_point"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "games",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plays_per_day", sa.Integer(), nullable=False),
        sa.Column("target_tiers", postgresql.ARRAY(sa.String(16)), nullable=False),
        sa.Column("rules", postgresql.JSONB(), nullable=True),
        sa.Column("rules_digest", sa.String(64), nullable=True),
        sa.Column("points_budget", sa.Integer(), nullable=False),
        sa.Column("points_left", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("points_left >= 0 AND points_left <= points_budget", name="ck_games_points_left"),
        sa.CheckConstraint("plays_per_day >= 1", name="ck_games_plays_per_day"),
    )
    op.create_table(
        "game_prizes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("game_id", sa.Uuid(), sa.ForeignKey("games.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=True),
        sa.Column("coupon_batch_id", sa.String(64), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("probability_ppm", sa.Integer(), nullable=True),
        sa.UniqueConstraint("game_id", "code", name="uq_game_prizes_code"),
        sa.CheckConstraint("remaining IS NULL OR remaining >= 0", name="ck_game_prizes_remaining"),
    )
    op.create_index("ix_game_prizes_game_id", "game_prizes", ["game_id"])
    op.create_table(
        "game_plays",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("game_id", sa.Uuid(), sa.ForeignKey("games.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=False),
        sa.Column("dice", sa.String(6), nullable=True),
        sa.Column("outcome_code", sa.String(32), nullable=False),
        sa.Column("outcome_name", sa.String(32), nullable=False),
        sa.Column("prize_id", sa.Uuid(), sa.ForeignKey("game_prizes.id"), nullable=True),
        sa.Column("prize_name", sa.String(64), nullable=True),
        sa.Column("prize_kind", sa.String(16), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("prize_status", sa.String(24), nullable=False),
        sa.Column("refusal_reason", sa.String(32), nullable=True),
        sa.Column("credit_entry_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), nullable=True),
        sa.Column("rules_digest", sa.String(64), nullable=True),
        sa.Column("prev_digest", sa.String(64), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member_id", "idempotency_key", name="uq_game_plays_idempotency"),
    )
    op.create_index("ix_game_plays_game_member", "game_plays", ["game_id", "member_id", "played_at", "id"])
    op.create_index("ix_game_plays_game", "game_plays", ["game_id", "played_at", "id"])
    op.create_table(
        "game_daily_plays",
        sa.Column("game_id", sa.Uuid(), sa.ForeignKey("games.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("plays", sa.Integer(), nullable=False),
        sa.Column("last_digest", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("game_id", "member_id", "day", name="pk_game_daily_plays"),
    )


def downgrade() -> None:
    op.drop_table("game_daily_plays")
    op.drop_index("ix_game_plays_game", table_name="game_plays")
    op.drop_index("ix_game_plays_game_member", table_name="game_plays")
    op.drop_table("game_plays")
    op.drop_index("ix_game_prizes_game_id", table_name="game_prizes")
    op.drop_table("game_prizes")
    op.drop_table("games")
