from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from merchant_svc.db import Base


class CouponKind(StrEnum):
    AMOUNT_OFF = "amount_off"
    PERCENT_OFF = "percent_off"
    FREE_SERVICE = "free_service"


class CouponStatus(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"


class CouponBatch(Base):
    """A merchant offer: what it is worth, when it is valid, how many, how many per member."""

    __tablename__ = "coupon_batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("merchants.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    amount_off_fen: Mapped[int | None] = mapped_column(BigInteger)
    percent_off: Mapped[int | None] = mapped_column(Integer)
    service: Mapped[str | None] = mapped_column(String(120))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    quantity: Mapped[int] = mapped_column(Integer)
    issued_count: Mapped[int] = mapped_column(Integer, server_default="0")
    per_member_limit: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Coupon(Base):
    """One coupon held by a member; its code (also shown as a QR) is redeemed once at the merchant."""

    __tablename__ = "coupons"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coupon_batches.id"), index=True)
    merchant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class MallRedemption(Base):
    """A coupon reward redeemed in the points mall, handled once: the coupon issued, or why not."""

    __tablename__ = "coupon_mall_redemptions"

    redemption_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    batch_id: Mapped[str] = mapped_column(String(64))
    """As privilege-svc sent it (it may name no batch of ours)."""
    coupon_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coupons.id"))
    refused: Mapped[str | None] = mapped_column(String(32))
    """Why no coupon was issued: unknown_batch, batch_closed, batch_exhausted or member_limit."""
    redeemed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GamePrizeAward(Base):
    """A coupon a member won in a club game (privilege-svc's ``game_prize_won``), handled once: the
    coupon issued, or why not (then ``merchant.coupon_prize_refused`` told privilege-svc)."""

    __tablename__ = "coupon_game_awards"

    play_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    game_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[str] = mapped_column(String(64), index=True)
    batch_id: Mapped[str] = mapped_column(String(64))
    """As privilege-svc sent it (it may name no batch of ours)."""
    coupon_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coupons.id"))
    refused: Mapped[str | None] = mapped_column(String(32))
    won_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
