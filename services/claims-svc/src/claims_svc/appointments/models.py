from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base


class AppointmentSlot(Base):
    """A time at a mediation site that one claim can book."""

    __tablename__ = "appointment_slots"
    __table_args__ = (
        UniqueConstraint("site_code", "starts_at", name="uq_appointment_slots_site_start"),
        Index("ix_appointment_slots_starts", "starts_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    site_code: Mapped[str] = mapped_column(String(32))
    site_name: Mapped[str] = mapped_column(String(80))
    site_address: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Appointment(Base):
    """A claim's booking of a slot; the partial unique indexes forbid double booking."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index(
            "uq_appointments_booked_slot", "slot_id", unique=True, postgresql_where=text("status = 'booked'")
        ),
        Index(
            "uq_appointments_booked_claim",
            "claim_id",
            unique=True,
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("claims.id", ondelete="CASCADE"))
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    slot_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("appointment_slots.id"))
    status: Mapped[str] = mapped_column(String(16))  # booked | cancelled
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
