from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class ServiceOrder(Base):
    """A member's use of a privilege, priced and quota-checked at booking, fulfilled in-house or by a
    merchant. ``status``: requested → accepted → in_service → completed, or cancelled / unplaceable; an
    order with a price starts ``awaiting_payment`` and becomes ``requested`` when WeChat Pay's verified
    notification says it is paid, or ``expired`` when ``payment_due_at`` passes first."""

    __tablename__ = "service_orders"
    __table_args__ = (
        UniqueConstraint("member_id", "idempotency_key", name="uq_service_orders_idempotency"),
        Index("ix_service_orders_member", "member_id", "created_at", "id"),
        Index("ix_service_orders_completed", "completed_at", "privilege_code", "tier"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    privilege_code: Mapped[str] = mapped_column(ForeignKey("privileges.code"))
    tier: Mapped[str] = mapped_column(String(16))
    terms_id: Mapped[int] = mapped_column(ForeignKey("privilege_terms.id"))
    status: Mapped[str] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(Integer)
    points_held: Mapped[int] = mapped_column(Integer)
    hold_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("points_entries.id"), nullable=True)
    quota_period_start: Mapped[date] = mapped_column(Date)
    city_code: Mapped[str] = mapped_column(String(16))
    appointment_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pickup_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    destination_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    vehicle_plate: Mapped[str | None] = mapped_column(String(16), nullable=True)
    flight_no: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    service_point_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The merchant service point the member chose (merchant-svc prefers it when dispatching)."""
    merchant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_rejection: Mapped[str | None] = mapped_column(Text, nullable=True)
    service_record_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating_stars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    payment_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """A priced order: when it expires unless paid (``PRIVILEGE_PAYMENT_WINDOW_S`` after booking)."""
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OrderComplaint(Base):
    """A member's complaint about a service order, handed to merchant-svc's accountability process."""

    __tablename__ = "order_complaints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_orders.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(64))
    merchant_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
