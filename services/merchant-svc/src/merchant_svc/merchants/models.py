from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base


class MerchantStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Category(StrEnum):
    DESIGNATED_DRIVING = "designated_driving"
    RESCUE = "rescue"
    CAR_WASH = "car_wash"
    CAR_AFFAIRS = "car_affairs"
    HOTEL_TRAVEL = "hotel_travel"
    RETAIL = "retail"
    OTHER = "other"


class Merchant(Base):
    """An alliance merchant: a partner company that fulfils orders and publishes coupons."""

    __tablename__ = "merchants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    contact_name_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    contact_phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The contact person's name and phone: AES-GCM ciphertexts bound to the merchant (``pii``)."""
    city_codes: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    score: Mapped[float] = mapped_column(Float, server_default="80")
    """Dispatch score 0–100 from the scorecard (satisfaction, SLA hits, complaints)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Contract(Base):
    """What a merchant is contracted for: services, regions, unit price, term and SLA."""

    __tablename__ = "merchant_contracts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    privilege_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    city_codes: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    accept_within_minutes: Mapped[int] = mapped_column(Integer)
    complete_within_minutes: Mapped[int] = mapped_column(Integer)
    max_open_orders: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiKey(Base):
    """A merchant user's API key: only a SHA-256 of the key is kept; the key is shown once."""

    __tablename__ = "merchant_api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    merchant_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("merchant_users.id"), index=True)
    """Whose key it is; ``None`` only for keys issued before merchant users existed (they keep working)."""
    label: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Candidate:
    """A merchant that could take an order: its contract in force for it and how many orders it has open."""

    merchant: Merchant
    contract: Contract
    open_orders: int
