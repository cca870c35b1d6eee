from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ARRAY, BigInteger, DateTime, ForeignKey, Index, String, Text, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base


class FulfilmentStatus(StrEnum):
    AWAITING_DISPATCH = "awaiting_dispatch"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    ARRIVED = "arrived"
    IN_SERVICE = "in_service"
    COMPLETED = "completed"
    FAILED = "failed"
    UNPLACEABLE = "unplaceable"
    CANCELLED = "cancelled"


OPEN_STATUSES = (
    FulfilmentStatus.DISPATCHED,
    FulfilmentStatus.ACCEPTED,
    FulfilmentStatus.ARRIVED,
    FulfilmentStatus.IN_SERVICE,
)


class Fulfilment(Base):
    """One privilege order to be carried out by an alliance merchant, with its timeline."""

    __tablename__ = "fulfilments"
    __table_args__ = (
        Index("ix_fulfilments_merchant_status", "merchant_id", "status"),
        Index("ix_fulfilments_status_accept_due", "status", "accept_due_at"),
    )

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    privilege_id: Mapped[str] = mapped_column(String(64))
    city_code: Mapped[str] = mapped_column(String(16))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    appointment_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(24))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    """What the member gave for the service (pick-up address, plate, flight number, ...)."""
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service_point_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """Where the merchant serves the order: the member's chosen point, or the nearest capable one."""
    contract_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    unit_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    rejected_by: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), server_default="{}")
    expired_for: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), server_default="{}")
    """Merchants that let the accept window pass; like those that rejected, never offered it again."""
    reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accept_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    complete_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class EarlyCancellation(Base):
    """A cancellation that arrived before its order's request.

    A request whose first handling failed goes to the retry topic, and the order's cancellation can
    overtake it. The cancellation is kept here so that the request, when it comes, records the order as
    cancelled instead of dispatching it, and deletes the row.
    """

    __tablename__ = "early_cancellations"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    cancelled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HistoryEntry(Base):
    """One step of an order's history: what happened, when, at which merchant, and who did it.

    ``actor`` is ``system`` for what merchant-svc did itself, else the caller's subject; for a merchant's
    callback ``merchant_user_id`` and ``api_key_id`` name the user whose key acted (when known).
    """

    __tablename__ = "fulfilment_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    """Insertion order: steps taken in one transaction share their time."""
    order_id: Mapped[str] = mapped_column(ForeignKey("fulfilments.order_id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    merchant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    merchant_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
