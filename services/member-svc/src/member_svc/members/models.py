from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from member_svc.db import Base


class Member(Base):
    """A club member; name, ID number and phone only as ciphertext, masks and keyed hashes."""

    __tablename__ = "members"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16), server_default="prospective")
    contribution_fen: Mapped[int] = mapped_column(BigInteger, server_default="0")
    downgrade_due_on: Mapped[date | None] = mapped_column(Date)
    tier_floor: Mapped[str | None] = mapped_column(String(16))
    tier_floor_expires_on: Mapped[date | None] = mapped_column(Date)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name_masked: Mapped[str] = mapped_column(String(64))
    id_number_masked: Mapped[str] = mapped_column(String(18))
    phone_masked: Mapped[str] = mapped_column(String(11))
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    gender: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    interests: Mapped[list[str]] = mapped_column(ARRAY(String(32)), server_default="{}")
    needs: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list, server_default="{}")
    """Services the member said they want, from their answers to needs surveys (征集令)."""
    join_channel: Mapped[str] = mapped_column(String(16))
    invited_by_manager_id: Mapped[str | None] = mapped_column(String(64))
    join_unit: Mapped[str | None] = mapped_column(String(64))
    manager_id: Mapped[str | None] = mapped_column(String(64), index=True)
    referral_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    """Given on verification: a new member registering with it was referred by this one."""
    referred_by_member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    vehicles: Mapped[list[Vehicle]] = relationship(
        back_populates="member", lazy="selectin", cascade="all, delete-orphan", order_by="Vehicle.plate"
    )


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("member_id", "plate"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    plate: Mapped[str] = mapped_column(String(8))
    vin: Mapped[str | None] = mapped_column(String(17))
    registered_on: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24), server_default="household_car")

    member: Mapped[Member] = relationship(back_populates="vehicles")


class PiiRead(Base):
    """Audit trail: who read a member's full name, ID number or phone, and why."""

    __tablename__ = "pii_reads"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    fields: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
