"""Initial schema: the outbox and inbox, and policies.

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
        "policies",
        sa.Column("policy_no", sa.String(64), primary_key=True),
        sa.Column("customer_no", sa.String(64), nullable=False, index=True),
        sa.Column("previous_policy_no", sa.String(64)),
        sa.Column("line", sa.String(16), nullable=False),
        sa.Column("vehicle_kind", sa.String(32), nullable=False),
        sa.Column("premium_fen", sa.BigInteger, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("branch_code", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("policies")
    drop_event_tables(op)
