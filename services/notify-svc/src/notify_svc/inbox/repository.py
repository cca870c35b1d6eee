from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import and_, column, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import ColumnElement

from notify_svc.inbox.models import InboxItem


async def add_items(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert inbox items; a fact already in a member's inbox is skipped. Returns how many were new."""
    if not rows:
        return 0
    # Rows as parameters (not ``.values(rows)``): the statement's SQL is compiled once and cached.
    result = await session.execute(_ADD_ITEMS, list(rows))
    return len(result.all())


_ADD_ITEMS: ReturningInsert[tuple[Any]] = (
    insert(InboxItem.metadata.tables[InboxItem.__tablename__])
    .on_conflict_do_nothing(constraint="uq_inbox_member_fact")
    .returning(column("id"))
)


def _view(member_id: str, view: str) -> ColumnElement[bool]:
    mine = InboxItem.member_id == member_id
    if view == "archived":
        return and_(mine, InboxItem.archived_at.is_not(None))
    if view == "unread":
        return and_(mine, InboxItem.archived_at.is_(None), InboxItem.read_at.is_(None))
    return and_(mine, InboxItem.archived_at.is_(None))


async def page(
    session: AsyncSession, member_id: str, view: str, cursor: str | None, limit: int
) -> Slice[InboxItem]:
    statement = select(InboxItem).where(_view(member_id, view))
    return await paginate(
        session, statement, cursor, limit, by=(InboxItem.created_at, InboxItem.id), descending=True
    )


async def get(session: AsyncSession, member_id: str, item_id: uuid.UUID) -> InboxItem | None:
    return await session.scalar(
        select(InboxItem).where(InboxItem.id == item_id, InboxItem.member_id == member_id)
    )


async def unread_count(session: AsyncSession, member_id: str) -> int:
    count = await session.scalar(select(func.count()).where(_view(member_id, "unread")))
    return int(count or 0)


async def mark(
    session: AsyncSession, member_id: str, item_ids: Sequence[uuid.UUID] | None, column: str, now: datetime
) -> int:
    """Set ``column`` (seen_at / read_at / archived_at) where unset; ``item_ids=None`` means all."""
    target = getattr(InboxItem, column)
    statement = update(InboxItem).where(InboxItem.member_id == member_id, target.is_(None))
    if item_ids is not None:
        statement = statement.where(InboxItem.id.in_(item_ids))
    values: dict[str, Any] = {column: now}
    if column == "read_at":
        values["seen_at"] = func.coalesce(InboxItem.seen_at, now)
    result = await session.execute(statement.values(values).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
