"""A redemption whose coupon merchant-svc could not issue is refunded, with the reason.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("redemptions", sa.Column("refund_reason", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("redemptions", "refund_reason")
