"""Initial schema: the outbox and inbox, and member_tiers.

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
        "member_tiers",
        sa.Column("member_id", sa.String(64), primary_key=True),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("member_tiers")
    drop_event_tables(op)
