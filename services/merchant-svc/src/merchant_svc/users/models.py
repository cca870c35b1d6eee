from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, UniqueConstraint, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base


class MerchantRole(StrEnum):
    MERCHANT_ADMIN = "merchant_admin"
    """Manages the merchant's users and their API keys; may do everything the others may."""
    DISPATCHER = "dispatcher"
    """Takes orders: accepts and rejects them, and reports on them."""
    TECHNICIAN = "technician"
    """Carries orders out: reports arrival, start, completion or failure; redeems coupons."""
    INTEGRATION = "integration"
    """The merchant's own server: what a dispatcher may do (keys issued without naming a user)."""


class MerchantUserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class MerchantUser(Base):
    """A person (or the merchant's server) acting for a merchant; API keys belong to one.

    Name and phone are personal data: AES-GCM ciphertexts bound to the user's id (``users.pii``); the
    phone is also kept as a keyed hash, to find the user when they sign in.
    """

    __tablename__ = "merchant_users"
    __table_args__ = (UniqueConstraint("phone_hash", name="uq_merchant_users_phone_hash"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    """Keyed hash of the phone (``MERCHANT_PII_HASH_KEY``): staff sign in by phone, one user per number."""
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
