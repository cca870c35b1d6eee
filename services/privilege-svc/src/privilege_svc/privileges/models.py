from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class Privilege(Base):
    """One benefit of the catalogue (代办年检, 酒后代驾, 机场贵宾, ...)."""

    __tablename__ = "privileges"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    """As members see it, in Chinese."""
    name_en: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32))
    fulfilment: Mapped[str] = mapped_column(String(16))
    """``in_house`` or ``merchant`` (then ``merchant_category`` says which kind of merchant)."""
    merchant_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    list_price_fen: Mapped[int] = mapped_column(Integer)
    required_fields: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    """What a booking must carry (``appointment_at``, ``pickup_address``, ``flight_no``, ...)."""
    bookable: Mapped[bool] = mapped_column(Boolean)
    """False for privileges used without an order (points privileges, the owner's secretary SMS)."""
    sort_order: Mapped[int] = mapped_column(Integer)


class PrivilegeTerms(Base):
    """A tier's terms for a privilege. Rows are never updated except to supersede them: an edit inserts
    the next version (who, when, why), so the history is the audit trail."""

    __tablename__ = "privilege_terms"
    __table_args__ = (
        UniqueConstraint("privilege_code", "tier", "version", name="uq_privilege_terms_version"),
        Index(
            "ux_privilege_terms_current",
            "privilege_code",
            "tier",
            unique=True,
            postgresql_where=text("superseded_at IS NULL"),
        ),
        CheckConstraint("quota IS NULL OR quota >= 0", name="ck_privilege_terms_quota"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    privilege_code: Mapped[str] = mapped_column(ForeignKey("privileges.code"))
    tier: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))
    """``not_offered``, ``free``, ``discount`` or ``fixed_price``."""
    discount_pct: Mapped[int | None] = mapped_column(Integer, nullable=True)
    price_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Uses per period; NULL is unlimited (roadside rescue)."""
    period: Mapped[str] = mapped_column(String(8))
    """``year`` (the member's privilege year), ``month`` or ``once``."""
    points_price: Mapped[int] = mapped_column(Integer, server_default="0")
    """Points held when booking, spent when the order completes, released when it is cancelled."""
    refund_after_acceptance_pct: Mapped[int] = mapped_column(Integer, server_default="100")
    """A paid order cancelled after a merchant accepted it gets this share of its price back (before
    acceptance it is always 100 %; once the service started it cannot be cancelled)."""
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def price_for(self, list_price_fen: int) -> int:
        """What the member pays, in fen."""
        if self.mode == "free":
            return 0
        if self.mode == "discount":
            return list_price_fen * (100 - (self.discount_pct or 0)) // 100
        return self.price_fen or 0
