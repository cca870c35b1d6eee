"""A service order may name the merchant service point the member chose (issue 21, service points).

Revision ID: 0011_order_service_point
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_order_service_point"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("service_orders", sa.Column("service_point_id", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("service_orders", "service_point_id")
