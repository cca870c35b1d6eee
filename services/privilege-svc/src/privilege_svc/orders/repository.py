from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.orders.models import OrderComplaint, ServiceOrder


async def lock_idempotency_key(session: AsyncSession, member_id: str, key: str) -> None:
    """Serialise requests carrying the same key, so the second waits and then finds the first's order."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:scope), hashtext(:key))"),
        {"scope": "service_orders", "key": f"{member_id}:{key}"},
    )


async def by_idempotency_key(session: AsyncSession, member_id: str, key: str) -> ServiceOrder | None:
    statement = select(ServiceOrder).where(
        ServiceOrder.member_id == member_id, ServiceOrder.idempotency_key == key
    )
    return await session.scalar(statement)


async def add(session: AsyncSession, order: ServiceOrder) -> None:
    session.add(order)
    await session.flush()


async def get(session: AsyncSession, order_id: uuid.UUID, *, for_update: bool = False) -> ServiceOrder | None:
    statement = select(ServiceOrder).where(ServiceOrder.id == order_id)
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def list_orders(
    session: AsyncSession,
    member_id: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[ServiceOrder]:
    statement = select(ServiceOrder)
    if member_id is not None:
        statement = statement.where(ServiceOrder.member_id == member_id)
    if status is not None:
        statement = statement.where(ServiceOrder.status == status)
    return await paginate(
        session, statement, cursor, limit, by=(ServiceOrder.created_at, ServiceOrder.id), descending=True
    )


async def add_complaint(session: AsyncSession, complaint: OrderComplaint) -> None:
    session.add(complaint)
    await session.flush()


async def due_for_expiry(session: AsyncSession, now: datetime, limit: int) -> list[ServiceOrder]:
    statement = (
        select(ServiceOrder)
        .where(ServiceOrder.status == "awaiting_payment", ServiceOrder.payment_due_at <= now)
        .order_by(ServiceOrder.payment_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())
