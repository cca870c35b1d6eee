from __future__ import annotations

import uuid
from datetime import datetime

from cheyou_kit.pagination import decode_cursor
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from merchant_svc.fulfilments.models import EarlyCancellation, Fulfilment, FulfilmentStatus, HistoryEntry


async def add_if_absent(session: AsyncSession, fulfilment: Fulfilment) -> bool:
    """Insert unless the order is already known; True when inserted."""
    values = {
        c.key: getattr(fulfilment, c.key)
        for c in Fulfilment.__table__.columns
        if getattr(fulfilment, c.key) is not None
    }
    result = await session.execute(
        insert(Fulfilment).values(**values).on_conflict_do_nothing().returning(Fulfilment.order_id)
    )
    return result.first() is not None


async def keep_early_cancellation(
    session: AsyncSession, *, order_id: str, member_id: str, reason: str, cancelled_at: datetime
) -> None:
    """Keep the first cancellation of an order not known yet (a redelivered one changes nothing)."""
    await session.execute(
        insert(EarlyCancellation)
        .values(order_id=order_id, member_id=member_id, reason=reason, cancelled_at=cancelled_at)
        .on_conflict_do_nothing()
    )


async def take_early_cancellation(session: AsyncSession, order_id: str) -> tuple[str, datetime] | None:
    """The reason and time of the order's early cancellation, which its request uses up."""
    result = await session.execute(
        delete(EarlyCancellation)
        .where(EarlyCancellation.order_id == order_id)
        .returning(EarlyCancellation.reason, EarlyCancellation.cancelled_at)
    )
    row = result.first()
    return None if row is None else (row.reason, row.cancelled_at)


async def get(session: AsyncSession, order_id: str, *, for_update: bool = False) -> Fulfilment | None:
    return await session.get(Fulfilment, order_id, with_for_update=for_update, populate_existing=for_update)


async def list_page(
    session: AsyncSession,
    *,
    merchant_id: uuid.UUID | None,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> list[Fulfilment]:
    query = select(Fulfilment).order_by(Fulfilment.created_at, Fulfilment.order_id).limit(limit + 1)
    if merchant_id is not None:
        query = query.where(Fulfilment.merchant_id == merchant_id)
    if status is not None:
        query = query.where(Fulfilment.status == status)
    if (after := decode_cursor(cursor, datetime.fromisoformat, str)) is not None:
        query = query.where(
            or_(
                Fulfilment.created_at > after[0],
                and_(Fulfilment.created_at == after[0], Fulfilment.order_id > after[1]),
            )
        )
    return list((await session.execute(query)).scalars())


async def overdue_for_accept(session: AsyncSession, now: datetime, limit: int) -> list[Fulfilment]:
    """Dispatched orders past their accept deadline, locked; rows another worker holds are skipped."""
    query = (
        select(Fulfilment)
        .where(Fulfilment.status == FulfilmentStatus.DISPATCHED, Fulfilment.accept_due_at <= now)
        .order_by(Fulfilment.accept_due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


async def add_history(session: AsyncSession, entry: HistoryEntry) -> None:
    session.add(entry)
    await session.flush()


async def history_of(session: AsyncSession, order_id: str) -> list[HistoryEntry]:
    query = select(HistoryEntry).where(HistoryEntry.order_id == order_id).order_by(HistoryEntry.id)
    return list((await session.execute(query)).scalars())
