from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.members.models import MemberTier


async def set_tier(session: AsyncSession, member_id: str, tier: str, changed_at: datetime) -> bool:
    """Keep the newest tier: an older change arriving late never overwrites a newer one.

    Returns whether the change was applied.
    """
    statement = insert(MemberTier).values(
        member_id=member_id, tier=tier, changed_at=changed_at, year_starts_on=changed_at.date()
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[MemberTier.member_id],
        set_={"tier": statement.excluded.tier, "changed_at": statement.excluded.changed_at},
        where=MemberTier.changed_at <= statement.excluded.changed_at,
    ).returning(MemberTier.member_id)
    return (await session.execute(upsert)).first() is not None


async def get(session: AsyncSession, member_id: str) -> MemberTier | None:
    statement = select(MemberTier).where(MemberTier.member_id == member_id)
    return await session.scalar(statement.execution_options(populate_existing=True))
