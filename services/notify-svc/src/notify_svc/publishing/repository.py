from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from notify_svc.audience.models import Recipient
from notify_svc.publishing.models import Publication, Share


async def add(session: AsyncSession, publication: Publication) -> Publication:
    session.add(publication)
    await session.flush()
    return publication


async def get(session: AsyncSession, publication_id: uuid.UUID, lock: bool = False) -> Publication | None:
    statement = select(Publication).where(Publication.id == publication_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def page(
    session: AsyncSession,
    kind: str,
    statuses: Sequence[str] | None,
    category: str | None,
    cursor: str | None,
    limit: int,
) -> Slice[Publication]:
    """Newest first, keyset on (created_at, id)."""
    statement = select(Publication).where(Publication.kind == kind)
    if statuses is not None:
        statement = statement.where(Publication.status.in_(statuses))
    if category is not None:
        statement = statement.where(Publication.category == category)
    return await paginate(
        session, statement, cursor, limit, by=(Publication.created_at, Publication.id), descending=True
    )


async def managers_of(session: AsyncSession, member_ids: Sequence[str]) -> dict[str, str | None]:
    rows = await session.execute(
        select(Recipient.member_id, Recipient.manager_id).where(Recipient.member_id.in_(member_ids))
    )
    return {str(member_id): manager_id for member_id, manager_id in rows.all()}


async def add_shares(
    session: AsyncSession, publication_id: uuid.UUID, manager_id: str, member_ids: Sequence[str], at: datetime
) -> list[str]:
    """Log shares; a member the publication was already shared with is skipped. Returns the new ones."""
    if not member_ids:
        return []
    rows = [
        {"publication_id": publication_id, "manager_id": manager_id, "member_id": m, "shared_at": at}
        for m in member_ids
    ]
    # Rows as parameters (not ``.values(rows)``): the statement's SQL is compiled once and cached.
    result = await session.execute(_ADD_SHARES, rows)
    return [member_id for (member_id,) in result.all()]


_ADD_SHARES: ReturningInsert[tuple[Any]] = (
    insert(Share.metadata.tables[Share.__tablename__])
    .on_conflict_do_nothing(constraint="uq_shares_publication_member")
    .returning(column("member_id"))
)


async def shares(session: AsyncSession, publication_id: uuid.UUID, manager_id: str | None) -> Sequence[Share]:
    statement = select(Share).where(Share.publication_id == publication_id).order_by(Share.id)
    if manager_id is not None:
        statement = statement.where(Share.manager_id == manager_id)
    return (await session.scalars(statement)).all()
