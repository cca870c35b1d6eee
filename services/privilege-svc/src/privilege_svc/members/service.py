from __future__ import annotations

from cheyou_events.catalogue.member import TierChanged
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.members import repository
from privilege_svc.members.models import MemberTier


async def apply_tier_change(session: AsyncSession, event: TierChanged) -> None:
    await repository.set_tier(session, event.member_id, event.to_tier.value, event.changed_at)


async def get_tier(session: AsyncSession, member_id: str) -> MemberTier | None:
    return await repository.get(session, member_id)
