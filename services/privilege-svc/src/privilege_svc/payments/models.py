from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from privilege_svc.db import Base


class Payment(Base):
    """One attempt to collect a payable's price through WeChat Pay (``out_trade_no`` is its id in hex).

    ``status``: ``pending`` (placed at WeChat Pay, not paid), ``succeeded`` (WeChat Pay said so, verified),
    ``closed`` (closed unpaid). A payable may have several attempts (JSAPI in WeChat, H5 in a browser); the
    first to succeed pays it and any other that succeeds is refunded."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ck_payments_amount"),
        CheckConstraint("(order_id IS NULL) <> (redemption_id IS NULL)", name="ck_payments_one_payable"),
        Index("ix_payments_order", "order_id"),
        Index("ix_payments_redemption", "redemption_id"),
        Index("ix_payments_paid", "paid_at"),
        Index("ix_payments_pending", "status", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    out_trade_no: Mapped[str] = mapped_column(String(32), unique=True)
    member_id: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service_orders.id"), nullable=True)
    redemption_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("redemptions.id"), nullable=True)
    amount_fen: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(127))
    channel: Mapped[str] = mapped_column(String(8))
    """``jsapi`` (WeChat's in-app browser, the bridge) or ``h5`` (any other phone browser)."""
    status: Mapped[str] = mapped_column(String(16))
    prepay_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    h5_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """WeChat Pay's ``time_expire``: the payable's own deadline."""
    transaction_id: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    payer_openid: Mapped[str | None] = mapped_column(String(128), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    close_requested: Mapped[bool] = mapped_column(Boolean, server_default="false")
    """We decided to close it but WeChat Pay did not answer yet: the payments job tries again."""
    close_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


REFUND_OPEN = ("pending", "processing")
REFUND_FAILED = ("closed", "abnormal")


class PaymentRefund(Base):
    """Money going back for a succeeded payment. ``status``: ``pending`` (decided here, in the transaction
    that cancelled or refused; the payments job submits it — WeChat Pay's refund is idempotent on
    ``out_refund_no``), ``processing`` (accepted by WeChat Pay), then ``succeeded``, ``closed`` or
    ``abnormal`` (from the notification or a query)."""

    __tablename__ = "payment_refunds"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="ck_payment_refunds_amount"),
        Index("ix_payment_refunds_payment", "payment_id"),
        Index(
            "ix_payment_refunds_open", "status", postgresql_where=text("status IN ('pending', 'processing')")
        ),
        Index("ix_payment_refunds_accepted", "accepted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    out_refund_no: Mapped[str] = mapped_column(String(64), unique=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"))
    member_id: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(24))
    """``cancelled``, ``late_payment``, ``duplicate_payment``, ``ops`` (``cheyou.payment.*`` RefundCause)."""
    reason: Mapped[str] = mapped_column(String(80))
    """What WeChat Pay shows the member beside the refund."""
    status: Mapped[str] = mapped_column(String(16))
    refund_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """When WeChat Pay accepted it (its ``create_time``): the day its refund bill lists it."""
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaymentNotification(Base):
    """Every notification applied, by WeChat Pay's id: a redelivery (retries, duplicates) changes nothing."""

    __tablename__ = "payment_notifications"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    """The ``out_trade_no`` or ``out_refund_no`` it was about."""
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reconciliation(Base):
    """One day (Asia/Shanghai) matched line by line against WeChat Pay's trade and refund bills."""

    __tablename__ = "payment_reconciliations"

    bill_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    """``clean`` or ``differences``."""
    trade_lines: Mapped[int] = mapped_column(Integer)
    refund_lines: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    differences: Mapped[int] = mapped_column(Integer)
    run_by: Mapped[str] = mapped_column(String(64))
    reconciled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReconciliationDifference(Base):
    """One line that does not match: ``missing_ours`` (WeChat Pay has it, we do not), ``missing_theirs``
    (we have it, the bill does not) or ``amount_mismatch``; for a payment (``trade``) or a ``refund``."""

    __tablename__ = "payment_reconciliation_differences"
    __table_args__ = (Index("ix_payment_reconciliation_differences_day", "bill_date"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    bill_date: Mapped[date] = mapped_column(
        ForeignKey("payment_reconciliations.bill_date", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    out_trade_no: Mapped[str] = mapped_column(String(64))
    out_refund_no: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ours_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    theirs_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
