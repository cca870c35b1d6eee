"""Interest groups with their WeChat group QR (replaced before it expires) and the members who joined.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interest_groups",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("interests", postgresql.ARRAY(sa.String(32)), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("qr_image", sa.LargeBinary(), nullable=True),
        sa.Column("qr_content_type", sa.String(16), nullable=True),
        sa.Column("qr_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("qr_version", sa.Integer(), nullable=False),
        sa.Column("qr_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("qr_updated_by", sa.String(64), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "interest_group_joins",
        sa.Column("group_id", sa.Uuid(), sa.ForeignKey("interest_groups.id"), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("qr_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_interest_group_joins"),
    )


def downgrade() -> None:
    op.drop_table("interest_group_joins")
    op.drop_table("interest_groups")
