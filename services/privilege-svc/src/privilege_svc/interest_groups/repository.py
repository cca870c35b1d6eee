from __future__ import annotations

import uuid
from collections.abc import Sequence

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from privilege_svc.interest_groups.models import InterestGroup, InterestGroupJoin


async def add(session: AsyncSession, group: InterestGroup) -> None:
    session.add(group)
    await session.flush()


async def get(
    session: AsyncSession, group_id: uuid.UUID, *, with_image: bool = False, for_update: bool = False
) -> InterestGroup | None:
    statement = select(InterestGroup).where(InterestGroup.id == group_id)
    if not with_image:
        statement = statement.options(defer(InterestGroup.qr_image))
    if for_update:
        statement = statement.with_for_update()
    return await session.scalar(statement.execution_options(populate_existing=True))


async def page(
    session: AsyncSession, *, interests: list[str] | None, cursor: str | None, limit: int
) -> Slice[InterestGroup]:
    """Groups, newest first; with ``interests``, the active ones sharing one of them."""
    statement = select(InterestGroup).options(defer(InterestGroup.qr_image))
    if interests is not None:
        statement = statement.where(
            InterestGroup.status == "active", InterestGroup.interests.overlap(interests)
        )
    return await paginate(
        session, statement, cursor, limit, by=(InterestGroup.created_at, InterestGroup.id), descending=True
    )


async def join_counts(session: AsyncSession, group_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    statement = (
        select(InterestGroupJoin.group_id, func.count())
        .where(InterestGroupJoin.group_id.in_(group_ids))
        .group_by(InterestGroupJoin.group_id)
    )
    return {group_id: int(n) for group_id, n in (await session.execute(statement)).all()}


async def joined(session: AsyncSession, group_ids: Sequence[uuid.UUID], member_id: str) -> set[uuid.UUID]:
    statement = select(InterestGroupJoin.group_id).where(
        InterestGroupJoin.group_id.in_(group_ids), InterestGroupJoin.member_id == member_id
    )
    return set(await session.scalars(statement))


async def record_join(session: AsyncSession, join: InterestGroupJoin) -> InterestGroupJoin:
    """The member's join, once: the first one is kept (and returned) however often they open the QR."""
    statement = (
        insert(InterestGroupJoin)
        .values(
            group_id=join.group_id,
            member_id=join.member_id,
            joined_at=join.joined_at,
            qr_version=join.qr_version,
        )
        .on_conflict_do_nothing(constraint="pk_interest_group_joins")
    )
    await session.execute(statement)
    found = select(InterestGroupJoin).where(
        InterestGroupJoin.group_id == join.group_id, InterestGroupJoin.member_id == join.member_id
    )
    return (await session.scalars(found.execution_options(populate_existing=True))).one()
