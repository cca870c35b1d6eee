from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.members.models import MemberTier


async def set_tier(session: AsyncSession, member_id: str, tier: str, changed_at: datetime) -> None:
    """Keep the newest tier: an older change arriving late never overwrites a newer one."""
    statement = insert(MemberTier).values(member_id=member_id, tier=tier, changed_at=changed_at)
    statement = statement.on_conflict_do_update(
        index_elements=[MemberTier.member_id],
        set_={"tier": statement.excluded.tier, "changed_at": statement.excluded.changed_at},
        where=MemberTier.changed_at <= statement.excluded.changed_at,
    )
    await session.execute(statement)


async def get(session: AsyncSession, member_id: str) -> MemberTier | None:
    return await session.get(MemberTier, member_id)
