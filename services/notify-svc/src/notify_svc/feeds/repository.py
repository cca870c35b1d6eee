"""Every query of the feeds: items by provider id, pushes seen, pull cursors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.feeds.models import FeedCursor, FeedDelivery, FeedItem


async def add_delivery(
    session: AsyncSession, provider: str, delivery_id: str, items: int, at: datetime
) -> bool:
    """Record a push by its id; False when it was recorded before (the same push again)."""
    result = await session.execute(
        insert(FeedDelivery)
        .values(provider=provider, delivery_id=delivery_id, items=items, received_at=at)
        .on_conflict_do_nothing(index_elements=[FeedDelivery.provider, FeedDelivery.delivery_id])
        .returning(FeedDelivery.delivery_id)
    )
    return result.first() is not None


async def prune_deliveries(session: AsyncSession, provider: str, before: datetime) -> None:
    await session.execute(
        delete(FeedDelivery).where(FeedDelivery.provider == provider, FeedDelivery.received_at < before)
    )


async def existing_ids(session: AsyncSession, provider: str, item_ids: Sequence[str]) -> set[str]:
    rows = await session.scalars(
        select(FeedItem.provider_item_id).where(
            FeedItem.provider == provider, FeedItem.provider_item_id.in_(item_ids)
        )
    )
    return set(rows.all())


async def add_item(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Record an item once by ``(provider, provider_item_id)``; False when it was recorded before."""
    result = await session.execute(
        insert(FeedItem)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[FeedItem.provider, FeedItem.provider_item_id])
        .returning(FeedItem.id)
    )
    return result.first() is not None


async def page(
    session: AsyncSession,
    provider: str | None,
    status: str | None,
    subject: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[FeedItem]:
    """Newest first."""
    query = select(FeedItem)
    if provider is not None:
        query = query.where(FeedItem.provider == provider)
    if status is not None:
        query = query.where(FeedItem.status == status)
    if subject is not None:
        query = query.where(FeedItem.subject == subject)
    return await paginate(
        session, query, cursor, limit, by=(FeedItem.received_at, FeedItem.id), descending=True
    )


async def get(session: AsyncSession, item_id: uuid.UUID) -> FeedItem | None:
    return await session.get(FeedItem, item_id)


async def lock_items(session: AsyncSession, item_ids: Sequence[uuid.UUID]) -> Sequence[FeedItem]:
    statement = (
        select(FeedItem).where(FeedItem.id.in_(item_ids)).order_by(FeedItem.received_at, FeedItem.id)
    ).with_for_update()
    return (await session.scalars(statement)).all()


async def lock_window(
    session: AsyncSession,
    provider: str,
    status: str | None,
    received_from: datetime,
    received_to: datetime | None,
    limit: int,
) -> Sequence[FeedItem]:
    statement = select(FeedItem).where(FeedItem.provider == provider, FeedItem.received_at >= received_from)
    if received_to is not None:
        statement = statement.where(FeedItem.received_at < received_to)
    if status is not None:
        statement = statement.where(FeedItem.status == status)
    statement = statement.order_by(FeedItem.received_at, FeedItem.id).limit(limit).with_for_update()
    return (await session.scalars(statement)).all()


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(
        select(FeedItem.provider, FeedItem.status, func.count()).group_by(FeedItem.provider, FeedItem.status)
    )
    return {(provider, status): int(n) for provider, status, n in rows.all()}


async def cursors(session: AsyncSession) -> dict[str, FeedCursor]:
    return {c.provider: c for c in (await session.scalars(select(FeedCursor))).all()}


async def lock_cursor(session: AsyncSession, provider: str) -> FeedCursor:
    """The provider's pull cursor, locked (created on first use)."""
    await session.execute(
        insert(FeedCursor)
        .values(provider=provider, failures=0, items_pulled=0)
        .on_conflict_do_nothing(index_elements=[FeedCursor.provider])
    )
    statement = select(FeedCursor).where(FeedCursor.provider == provider).with_for_update()
    return (await session.scalars(statement)).one()
