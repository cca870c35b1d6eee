from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class Reward(Base):
    """Something members buy with points. ``stock`` is decremented only by a conditional UPDATE in the
    redeeming transaction, so it can never go below zero however many redeem at once."""

    __tablename__ = "rewards"
    __table_args__ = (CheckConstraint("stock >= 0", name="ck_rewards_stock"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    """``goods`` (delivered), ``service`` or ``coupon`` (a merchant's)."""
    description: Mapped[str] = mapped_column(Text)
    merchant_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    coupon_batch_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """A coupon's merchant-svc batch: ``reward_redeemed`` names it and merchant-svc issues the coupon."""
    tier_prices: Mapped[dict[str, int]] = mapped_column(JSONB)
    """Points price per tier; a tier that is absent cannot redeem it (the tier decides what points buy)."""
    stock: Mapped[int] = mapped_column(Integer)
    initial_stock: Mapped[int] = mapped_column(Integer)
    per_member_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    visible_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    visible_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When redeeming opens (a flash sale's start instant)."""
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    flash_sale: Mapped[bool] = mapped_column(Boolean)
    cash_price_fen: Mapped[int] = mapped_column(Integer, server_default="0")
    """Cash paid with WeChat Pay on top of the points (points + cash); 0 for points only."""
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


GIVEN_BACK = ("cancelled", "refunded", "expired")
"""Redemption statuses whose points and unit were given back: they count toward no limit or statistic."""


class Redemption(Base):
    """One member's redemption: the stock unit and the points debit it paid with, in one transaction."""

    __tablename__ = "redemptions"
    __table_args__ = (
        UniqueConstraint("member_id", "idempotency_key", name="uq_redemptions_idempotency"),
        Index("ix_redemptions_reward_member", "reward_id", "member_id"),
        Index("ix_redemptions_member", "member_id", "created_at", "id"),
        Index("ix_redemptions_created", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rewards.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)
    debit_entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("points_entries.id"))
    status: Mapped[str] = mapped_column(String(16))
    """``redeemed``, then for goods ``shipped`` and ``delivered``; or ``cancelled`` (ops) or ``refunded``
    (merchant-svc could not issue the coupon), both with the points and the unit given back. A points +
    cash redemption starts ``awaiting_payment`` (points and unit held) and becomes ``redeemed`` when paid,
    or ``expired`` (points and unit given back) when ``payment_due_at`` passes unpaid."""
    refund_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """Why merchant-svc refused to issue the coupon (``batch_exhausted``, ``member_limit``, ...)."""
    delivery_address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tracking_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cash_fen: Mapped[int] = mapped_column(Integer, server_default="0")
    payment_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
