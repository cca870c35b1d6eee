"""Vehicles' first registration date and kind, referral codes, and recorded downgrade notices.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as member_svc.members.service.new_referral_code


def upgrade() -> None:
    op.add_column("vehicles", sa.Column("registered_on", sa.Date))
    op.add_column(
        "vehicles", sa.Column("kind", sa.String(24), server_default="household_car", nullable=False)
    )
    op.add_column("members", sa.Column("referral_code", sa.String(12)))
    op.add_column("members", sa.Column("referred_by_member_id", sa.Uuid))
    op.create_unique_constraint("members_referral_code_key", "members", ["referral_code"])
    op.create_index("ix_members_referred_by_member_id", "members", ["referred_by_member_id"])
    # Members verified before referrals existed get their code now (new ones get it on verification).
    connection = op.get_bind()
    verified = connection.execute(sa.text("SELECT id FROM members WHERE status = 'verified'")).scalars()
    codes = [
        {"id": member_id, "code": "R" + "".join(secrets.choice(ALPHABET) for _ in range(8))}
        for member_id in verified
    ]
    if codes:
        connection.execute(sa.text("UPDATE members SET referral_code = :code WHERE id = :id"), codes)
    op.create_table(
        "tier_downgrade_notices",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("member_id", sa.Uuid, nullable=False, index=True),
        sa.Column("from_tier", sa.String(16), nullable=False),
        sa.Column("to_tier", sa.String(16), nullable=False),
        sa.Column("contribution_fen", sa.BigInteger, nullable=False),
        sa.Column("contribution_needed_fen", sa.BigInteger),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("rules_version", sa.Integer, nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tier_downgrade_notices")
    op.drop_index("ix_members_referred_by_member_id", "members")
    op.drop_constraint("members_referral_code_key", "members")
    op.drop_column("members", "referred_by_member_id")
    op.drop_column("members", "referral_code")
    op.drop_column("vehicles", "kind")
    op.drop_column("vehicles", "registered_on")
