"""Initial schema: the outbox and inbox, and policy_cover.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cheyou_events.outbox import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_tables(op)
    op.create_table(
        "policy_cover",
        sa.Column("policy_no", sa.String(64), primary_key=True),
        sa.Column("customer_no", sa.String(64), nullable=False, index=True),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("policy_cover")
    drop_event_tables(op)
