from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts.models import MemberAccount


async def set_status(session: AsyncSession, member_id: str, status: str, at: datetime) -> None:
    """Newest fact wins, so a late ``registered`` never reopens a verified or rejected account."""
    statement = insert(MemberAccount).values(member_id=member_id, status=status, updated_at=at)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MemberAccount.member_id],
            set_={"status": statement.excluded.status, "updated_at": statement.excluded.updated_at},
            where=MemberAccount.updated_at <= statement.excluded.updated_at,
        )
    )


async def get(session: AsyncSession, member_id: str) -> MemberAccount | None:
    return await session.get(MemberAccount, member_id)
