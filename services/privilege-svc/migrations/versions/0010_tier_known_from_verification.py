"""A member verified without any tier change announced is held as prospective, with no change time.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("member_tiers", "changed_at", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE member_tiers SET changed_at = '1970-01-01T00:00:00Z' WHERE changed_at IS NULL")
    op.alter_column("member_tiers", "changed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
