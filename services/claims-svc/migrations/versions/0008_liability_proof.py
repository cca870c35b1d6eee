"""The other party proves their answer to a liability split: SMS codes (hashed), members' phones,
the deadline and how the other party answered; the last four digits of their phone are forgotten.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("liability_assessments", sa.Column("confirm_by", sa.DateTime(timezone=True)))
    op.add_column("liability_assessments", sa.Column("confirmation_requested_at", sa.DateTime(timezone=True)))
    op.add_column("liability_assessments", sa.Column("other_confirmed_by", sa.String(16)))
    op.add_column("liability_assessments", sa.Column("other_party_member_id", sa.Uuid))
    # splits proposed before: the deadline runs from their proposal
    op.execute(
        "UPDATE liability_assessments SET confirm_by = proposed_at + interval '1 day' WHERE confirm_by IS NULL"
    )
    op.create_table(
        "liability_codes",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("phone_index", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_reason", sa.String(16)),
    )
    op.create_index("ix_liability_codes_claim", "liability_codes", ["claim_id", "sent_at"])
    op.create_index("ix_liability_codes_phone", "liability_codes", ["phone_index", "sent_at"])
    op.create_table(
        "member_contacts",
        sa.Column("member_id", sa.Uuid, primary_key=True),
        sa.Column("phone_encrypted", sa.Text),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    # the self-attested proof is gone: so is the copy of the last four digits it compared
    op.execute(
        "UPDATE claims SET other_party = other_party - 'phone_last4' WHERE other_party ? 'phone_last4'"
    )


def downgrade() -> None:
    op.drop_table("member_contacts")
    op.drop_index("ix_liability_codes_phone", table_name="liability_codes")
    op.drop_index("ix_liability_codes_claim", table_name="liability_codes")
    op.drop_table("liability_codes")
    for column in ("other_party_member_id", "other_confirmed_by", "confirmation_requested_at", "confirm_by"):
        op.drop_column("liability_assessments", column)
