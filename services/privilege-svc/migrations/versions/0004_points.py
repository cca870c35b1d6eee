"""Points: accounts, the ledger, lots with expiry, debit → lot allocations, earning rules (seeded).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code, description, reason, points, points per yuan, cap, cap period, validity days, tier-qualifying
RULES = [
    (
        "welcome",
        "Welcome points when a reviewer verifies the member",
        "welcome",
        100,
        None,
        None,
        None,
        730,
        False,
    ),
    (
        "policy_renewal",
        "Renewing a policy: 1 point per yuan of premium",
        "renewal",
        0,
        1,
        20000,
        "year",
        730,
        True,
    ),
    (
        "activity_attendance",
        "Attending a club activity (the activity may set its own amount)",
        "attendance",
        50,
        None,
        300,
        "month",
        730,
        False,
    ),
    (
        "order_completed",
        "A completed privilege service order",
        "order_reward",
        10,
        None,
        100,
        "month",
        730,
        False,
    ),
    ("order_rating", "Rating a completed service order", "order_rating", 5, None, 30, "month", 730, False),
    ("referral", "Referring a new member who is verified", "referral", 200, None, 1000, "year", 730, False),
]


def upgrade() -> None:
    op.create_table(
        "points_accounts",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("balance", sa.Integer(), server_default="0", nullable=False),
        sa.Column("qualifying_points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lifetime_earned", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("balance >= 0", name="ck_points_accounts_balance"),
    )
    op.create_table(
        "points_entries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("rule_code", sa.String(32), nullable=True),
        sa.Column("source_key", sa.String(200), nullable=True, unique=True),
        sa.Column("reference_id", sa.String(64), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), nullable=True, unique=True),
        sa.Column("qualifying", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points > 0", name="ck_points_entries_points"),
    )
    op.create_index("ix_points_entries_member", "points_entries", ["member_id", "created_at", "id"])
    op.create_index("ix_points_entries_rule", "points_entries", ["member_id", "rule_code", "created_at"])
    op.create_table(
        "points_lots",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("remaining >= 0 AND remaining <= points", name="ck_points_lots_remaining"),
    )
    op.create_index("ix_points_lots_member_expiry", "points_lots", ["member_id", "expires_at"])
    op.create_index("ix_points_lots_expiry", "points_lots", ["expires_at"])
    op.create_table(
        "points_allocations",
        sa.Column("debit_entry_id", sa.Uuid(), sa.ForeignKey("points_entries.id"), primary_key=True),
        sa.Column("lot_id", sa.Uuid(), sa.ForeignKey("points_lots.id"), primary_key=True),
        sa.Column("points", sa.Integer(), nullable=False),
    )
    rules = op.create_table(
        "earning_rules",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("points_per_yuan", sa.Integer(), nullable=True),
        sa.Column("cap_points", sa.Integer(), nullable=True),
        sa.Column("cap_period", sa.String(8), nullable=True),
        sa.Column("validity_days", sa.Integer(), nullable=False),
        sa.Column("qualifying", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.bulk_insert(
        rules,
        [
            {
                "code": code,
                "description": description,
                "reason": reason,
                "points": points,
                "points_per_yuan": per_yuan,
                "cap_points": cap,
                "cap_period": cap_period,
                "validity_days": validity,
                "qualifying": qualifying,
                "active": True,
                "updated_by": "seed",
                "updated_at": datetime(2026, 11, 25, tzinfo=UTC),
            }
            for code, description, reason, points, per_yuan, cap, cap_period, validity, qualifying in RULES
        ],
    )


def downgrade() -> None:
    op.drop_table("earning_rules")
    op.drop_table("points_allocations")
    op.drop_index("ix_points_lots_expiry", table_name="points_lots")
    op.drop_index("ix_points_lots_member_expiry", table_name="points_lots")
    op.drop_table("points_lots")
    op.drop_index("ix_points_entries_rule", table_name="points_entries")
    op.drop_index("ix_points_entries_member", table_name="points_entries")
    op.drop_table("points_entries")
    op.drop_table("points_accounts")
