"""Messages held until the member's contact is known: status ``waiting_for_contact`` (and
``undeliverable`` when it never comes), the notice's quiet-hours choice kept for the release, and the
partial index the expiry sweep walks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "messages", "status", type_=sa.String(24), existing_type=sa.String(12), existing_nullable=False
    )
    op.add_column("messages", sa.Column("quiet_hold", sa.Boolean()))
    op.create_index(
        "ix_messages_waiting_for_contact",
        "messages",
        ["created_at"],
        postgresql_where=sa.text("status = 'waiting_for_contact'"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_waiting_for_contact", table_name="messages")
    # The old statuses fit 12 characters: a held or undeliverable message is a failed one there.
    op.execute(
        "UPDATE messages SET status = 'failed', error = COALESCE(error, 'no_contact') "
        "WHERE status IN ('waiting_for_contact', 'undeliverable')"
    )
    op.drop_column("messages", "quiet_hold")
    op.alter_column(
        "messages", "status", type_=sa.String(12), existing_type=sa.String(24), existing_nullable=False
    )
