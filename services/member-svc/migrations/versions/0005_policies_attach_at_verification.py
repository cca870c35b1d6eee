"""Policies belong to a member only once the member is verified; the insurer's contact for the holder.

A policy used to be linked to whoever registered with the holder's ID number, before any reviewer had
looked (security issue 17, High 1). From now on it is linked at verification, by the ID hash the
reviewer verified; this migration takes away every link to a member who is not verified, or whose ID
hash is not the policy's holder's any more.

The core feed may now carry the holder's name and phone as the insurer holds them (sealed under
``EVENTS_PII_KEY``, bound to the customer number); they are kept sealed, for the reviewer's callback.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("policies", sa.Column("holder_name_sealed", sa.Text))
    op.add_column("policies", sa.Column("holder_phone_sealed", sa.Text))
    op.execute(
        """
        UPDATE policies p SET member_id = NULL
        WHERE p.member_id IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM members m
            WHERE m.id = p.member_id AND m.status = 'verified' AND m.id_hash = p.holder_id_hash
          )
        """
    )


def downgrade() -> None:
    op.drop_column("policies", "holder_phone_sealed")
    op.drop_column("policies", "holder_name_sealed")
