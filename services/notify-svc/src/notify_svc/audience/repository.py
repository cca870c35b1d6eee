from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience.models import Recipient


async def upsert(session: AsyncSession, member_id: str, at: datetime, **values: Any) -> None:
    statement = insert(Recipient).values(member_id=member_id, updated_at=at, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Recipient.member_id],
            set_={**{key: statement.excluded[key] for key in values}, "updated_at": at},
        )
    )


async def count_activity(session: AsyncSession, member_id: str, at: datetime) -> None:
    statement = insert(Recipient).values(
        member_id=member_id, updated_at=at, activity_signups=1, last_activity_at=at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Recipient.member_id],
            set_={"activity_signups": Recipient.activity_signups + 1, "last_activity_at": at},
        )
    )


async def get(session: AsyncSession, member_id: str) -> Recipient | None:
    return await session.get(Recipient, member_id)


async def many(session: AsyncSession, member_ids: Sequence[str]) -> Sequence[Recipient]:
    if not member_ids:
        return []
    return (await session.scalars(select(Recipient).where(Recipient.member_id.in_(member_ids)))).all()
