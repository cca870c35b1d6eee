from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import TierChanged
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.members import repository
from privilege_svc.members.models import MemberTier


@dataclass(frozen=True, slots=True)
class TierMove:
    """A tier change the projection accepted: what the member held before and holds now."""

    member_id: str
    from_tier: Tier
    to_tier: Tier
    at: datetime


async def apply_tier_change(session: AsyncSession, event: TierChanged) -> TierMove | None:
    """Project the change; None when it is older than what we hold (nothing to announce)."""
    current = await repository.get(session, event.member_id)
    previous = Tier(current.tier) if current is not None else event.from_tier
    applied = await repository.set_tier(session, event.member_id, event.to_tier.value, event.changed_at)
    if not applied:
        return None
    return TierMove(event.member_id, previous, event.to_tier, event.changed_at)


async def get_tier(session: AsyncSession, member_id: str) -> MemberTier | None:
    return await repository.get(session, member_id)


async def project_tier(session: AsyncSession, member_id: str, tier: Tier, at: datetime) -> None:
    """Set the projected tier directly (imports of historical data; events go through apply_tier_change)."""
    await repository.set_tier(session, member_id, tier.value, at)
