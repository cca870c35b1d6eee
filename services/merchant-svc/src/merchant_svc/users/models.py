from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, Uuid, func
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

    Name and phone are personal data: AES-GCM ciphertexts bound to the user's id (``users.pii``).
    """

    __tablename__ = "merchant_users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    name_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    phone_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
