from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Sequence,
    String,
    Text,
    Uuid,
    false,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from claims_svc.db import Base

claim_no_sequence = Sequence("claim_no_seq", metadata=Base.metadata)
"""Numbers the claims; with the branch and the report date it makes the claim number."""


class Claim(Base):
    """One reported loss of one member's vehicle, from the first notice to settlement or withdrawal."""

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_member_reported", "member_id", "reported_at", "id"),
        Index("ix_claims_policy_loss", "policy_no", "loss_at"),
        Index("ix_claims_plate_loss", "plate", "loss_at"),
        # the figures count claims reported in a period: with what they count included, an index-only scan
        Index(
            "ix_claims_reported_at",
            "reported_at",
            postgresql_include=["status", "handling", "settled_at", "on_site_reasons", "id"],
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    claim_no: Mapped[str] = mapped_column(String(32), unique=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    policy_no: Mapped[str] = mapped_column(String(64))
    plate: Mapped[str | None] = mapped_column(String(32))
    vin: Mapped[str | None] = mapped_column(String(17))
    status: Mapped[str] = mapped_column(String(32), index=True)
    handling: Mapped[str] = mapped_column(String(16), default="self_service")
    on_site_reasons: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    accident_type: Mapped[str] = mapped_column(String(16))
    loss_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200))
    city_code: Mapped[str] = mapped_column(String(16))
    loss_cause: Mapped[str | None] = mapped_column(String(32))
    weather: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    injury_or_death: Mapped[bool] = mapped_column(Boolean, server_default=false())
    vehicles_drivable: Mapped[bool] = mapped_column(Boolean, server_default=true())
    police_called: Mapped[bool] = mapped_column(Boolean, server_default=false())
    third_party_property: Mapped[bool] = mapped_column(Boolean, server_default=false())
    drink_driving_suspected: Mapped[bool] = mapped_column(Boolean, server_default=false())
    driver_licence_valid: Mapped[bool] = mapped_column(Boolean, server_default=true())
    plate_missing: Mapped[bool] = mapped_column(Boolean, server_default=false())
    other_party_left: Mapped[bool] = mapped_column(Boolean, server_default=false())
    estimated_loss_fen: Mapped[int | None] = mapped_column(BigInteger)
    catastrophe_code: Mapped[str | None] = mapped_column(String(32), index=True)
    other_party: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    driver: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    liability: Mapped[str | None] = mapped_column(String(16))
    confirmed_loss_fen: Mapped[int | None] = mapped_column(BigInteger)
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    paid_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the claim was first paid (a reopened claim paid again keeps its first settlement)."""
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ClaimStep(Base):
    """One entry of the claim's timeline, worded for the member."""

    __tablename__ = "claim_steps"
    __table_args__ = (Index("ix_claim_steps_claim", "claim_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("claims.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
