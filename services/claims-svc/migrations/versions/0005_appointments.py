"""Injury-mediation appointment slots and bookings (no slot booked twice, one booking per claim).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment_slots",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("site_code", sa.String(32), nullable=False),
        sa.Column("site_name", sa.String(80), nullable=False),
        sa.Column("site_address", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("site_code", "starts_at", name="uq_appointment_slots_site_start"),
    )
    op.create_index("ix_appointment_slots_starts", "appointment_slots", ["starts_at", "id"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("claim_id", sa.Uuid, sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("member_id", sa.Uuid, nullable=False),
        sa.Column("slot_id", sa.Uuid, sa.ForeignKey("appointment_slots.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_appointments_member_id", "appointments", ["member_id"])
    op.create_index(
        "uq_appointments_booked_slot",
        "appointments",
        ["slot_id"],
        unique=True,
        postgresql_where=sa.text("status = 'booked'"),
    )
    op.create_index(
        "uq_appointments_booked_claim",
        "appointments",
        ["claim_id"],
        unique=True,
        postgresql_where=sa.text("status = 'booked'"),
    )


def downgrade() -> None:
    op.drop_table("appointments")
    op.drop_table("appointment_slots")
