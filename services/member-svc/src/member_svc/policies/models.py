from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, String, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from member_svc.db import Base


class Policy(Base):
    """A policy as the core system last described it, linked to a member by the holder's ID hash once
    that member is verified (never before: an applicant sees no one's policies)."""

    __tablename__ = "policies"
    __table_args__ = (
        Index("ix_policies_unit_issued", "selling_unit", "issued_on"),
        # Managers' tasks: policies ending soon or lately, and whether one was renewed (built CONCURRENTLY
        # by migration 0009).
        Index("ix_policies_ends_on", "ends_on"),
        Index("ix_policies_previous_policy_no", "previous_policy_no"),
    )

    policy_no: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_no: Mapped[str] = mapped_column(String(64), index=True)
    previous_policy_no: Mapped[str | None] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(16))
    vehicle_kind: Mapped[str] = mapped_column(String(32))
    premium_fen: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    branch_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    holder_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    plate: Mapped[str | None] = mapped_column(String(16))
    vin: Mapped[str | None] = mapped_column(String(17))
    channel: Mapped[str | None] = mapped_column(String(32))
    selling_unit: Mapped[str | None] = mapped_column(String(64))
    selling_manager_id: Mapped[str | None] = mapped_column(String(64))
    issued_on: Mapped[date | None] = mapped_column(Date)
    holder_name_sealed: Mapped[str | None] = mapped_column(Text)
    """The holder's name as the insurer holds it, sealed as on the feed (``EVENTS_PII_KEY``)."""
    holder_phone_sealed: Mapped[str | None] = mapped_column(Text)
    """The holder's phone as the insurer holds it, sealed: the number the reviewer calls back."""


class SettledClaim(Base):
    """A settled claim of a member (from ``claims.events``): it counts against the contribution."""

    __tablename__ = "settled_claims"

    claim_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    settled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
