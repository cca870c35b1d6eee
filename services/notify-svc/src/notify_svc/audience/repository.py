from __future__ import annotations

from datetime import datetime
from typing import Any

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


async def get(session: AsyncSession, member_id: str) -> Recipient | None:
    return await session.get(Recipient, member_id)
