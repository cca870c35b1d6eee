from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.payments.models import (
    REFUND_FAILED,
    Payment,
    PaymentNotification,
    PaymentRefund,
    Reconciliation,
    ReconciliationDifference,
)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def get(session: AsyncSession, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment | None:
    statement = select(Payment).where(Payment.id == payment_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def by_out_trade_no(
    session: AsyncSession, out_trade_no: str, *, for_update: bool = False
) -> Payment | None:
    statement = select(Payment).where(Payment.out_trade_no == out_trade_no)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def of_payable(
    session: AsyncSession, *, order_id: uuid.UUID | None = None, redemption_id: uuid.UUID | None = None
) -> Sequence[Payment]:
    statement = select(Payment).order_by(Payment.created_at)
    if order_id is not None:
        statement = statement.where(Payment.order_id == order_id)
    else:
        statement = statement.where(Payment.redemption_id == redemption_id)
    return (
        await session.scalars(statement.with_for_update().execution_options(populate_existing=True))
    ).all()


async def of_orders(session: AsyncSession, order_ids: Sequence[uuid.UUID]) -> Sequence[Payment]:
    if not order_ids:
        return []
    return (await session.scalars(select(Payment).where(Payment.order_id.in_(order_ids)))).all()


async def of_redemptions(session: AsyncSession, redemption_ids: Sequence[uuid.UUID]) -> Sequence[Payment]:
    if not redemption_ids:
        return []
    return (await session.scalars(select(Payment).where(Payment.redemption_id.in_(redemption_ids)))).all()


async def refunds_of(session: AsyncSession, payment_ids: Sequence[uuid.UUID]) -> Sequence[PaymentRefund]:
    if not payment_ids:
        return []
    statement = (
        select(PaymentRefund)
        .where(PaymentRefund.payment_id.in_(payment_ids))
        .order_by(PaymentRefund.requested_at)
    )
    return (await session.scalars(statement)).all()


async def refunded_or_owed(session: AsyncSession, payment_id: uuid.UUID) -> int:
    """Fen refunded or on the way back for this payment (failed refunds do not count)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(PaymentRefund.amount_fen), 0)).where(
            PaymentRefund.payment_id == payment_id, PaymentRefund.status.not_in(REFUND_FAILED)
        )
    )
    return int(total or 0)


async def refund_by_out_no(
    session: AsyncSession, out_refund_no: str, *, for_update: bool = False
) -> PaymentRefund | None:
    statement = select(PaymentRefund).where(PaymentRefund.out_refund_no == out_refund_no)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def record_notification(
    session: AsyncSession, notification_id: str, event_type: str, subject: str, at: datetime
) -> bool:
    """Remember a notification by WeChat Pay's id; False when it was already applied (a redelivery)."""
    statement = (
        insert(PaymentNotification)
        .values(id=notification_id, event_type=event_type, subject=subject, received_at=at)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(PaymentNotification.id)
    )
    return (await session.scalar(statement)) is not None


async def ids_to_close(session: AsyncSession, limit: int) -> Sequence[uuid.UUID]:
    """Pending payments we decided to close (their payable ended) whose close WeChat Pay has not confirmed."""
    statement = (
        select(Payment.id)
        .where(Payment.status == "pending", Payment.close_requested.is_(True))
        .order_by(Payment.updated_at)
        .limit(limit)
    )
    return (await session.scalars(statement)).all()


async def refunds_to_submit(session: AsyncSession, limit: int) -> Sequence[PaymentRefund]:
    statement = (
        select(PaymentRefund)
        .where(PaymentRefund.status == "pending")
        .order_by(PaymentRefund.requested_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def refunds_to_follow(
    session: AsyncSession, accepted_before: datetime, limit: int
) -> Sequence[PaymentRefund]:
    """Refunds WeChat Pay accepted a while ago and has not settled (a notification may be lost)."""
    statement = (
        select(PaymentRefund)
        .where(PaymentRefund.status == "processing", PaymentRefund.accepted_at < accepted_before)
        .order_by(PaymentRefund.accepted_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def paid_between(session: AsyncSession, start: datetime, end: datetime) -> Sequence[Payment]:
    statement = select(Payment).where(
        Payment.paid_at >= start, Payment.paid_at < end, Payment.transaction_id.is_not(None)
    )
    return (await session.scalars(statement)).all()


async def refunds_accepted_between(
    session: AsyncSession, start: datetime, end: datetime
) -> Sequence[tuple[PaymentRefund, str]]:
    statement = (
        select(PaymentRefund, Payment.out_trade_no)
        .join(Payment, Payment.id == PaymentRefund.payment_id)
        .where(PaymentRefund.accepted_at >= start, PaymentRefund.accepted_at < end)
    )
    return [(refund, out_trade_no) for refund, out_trade_no in (await session.execute(statement)).all()]


async def payments_by_out_nos(session: AsyncSession, out_trade_nos: Sequence[str]) -> Sequence[Payment]:
    if not out_trade_nos:
        return []
    return (await session.scalars(select(Payment).where(Payment.out_trade_no.in_(out_trade_nos)))).all()


async def reconciliation(session: AsyncSession, day: date) -> Reconciliation | None:
    return await session.get(Reconciliation, day, populate_existing=True)


async def replace_reconciliation(
    session: AsyncSession, run: Reconciliation, differences: Sequence[ReconciliationDifference]
) -> None:
    """A day reconciled again replaces what the last run found."""
    existing = await session.get(Reconciliation, run.bill_date)
    if existing is not None:
        await session.delete(existing)
        await session.flush()
    session.add(run)
    await session.flush()
    session.add_all(differences)
    await session.flush()


async def differences_of(session: AsyncSession, day: date) -> Sequence[ReconciliationDifference]:
    statement = (
        select(ReconciliationDifference)
        .where(ReconciliationDifference.bill_date == day)
        .order_by(
            ReconciliationDifference.subject,
            ReconciliationDifference.kind,
            ReconciliationDifference.out_trade_no,
        )
    )
    return (await session.scalars(statement)).all()


async def reconciliations(session: AsyncSession, start: date, end: date) -> Sequence[Reconciliation]:
    statement = (
        select(Reconciliation)
        .where(Reconciliation.bill_date >= start, Reconciliation.bill_date <= end)
        .order_by(Reconciliation.bill_date.desc())
    )
    return (await session.scalars(statement)).all()


async def unsettled_for(session: AsyncSession, payment_ids: Sequence[uuid.UUID]) -> int:
    """How many of these payments' refunds are still open (for summaries)."""
    if not payment_ids:
        return 0
    total = await session.scalar(
        select(func.count()).where(
            PaymentRefund.payment_id.in_(payment_ids),
            or_(PaymentRefund.status == "pending", PaymentRefund.status == "processing"),
        )
    )
    return int(total or 0)
