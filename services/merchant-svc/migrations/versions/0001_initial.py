"""Initial schema: the outbox and inbox, and fulfilments.

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
        "fulfilments",
        sa.Column("order_id", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(64), nullable=False, index=True),
        sa.Column("privilege_id", sa.String(64), nullable=False),
        sa.Column("city_code", sa.String(16), nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("appointment_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fulfilments")
    drop_event_tables(op)
