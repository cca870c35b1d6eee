from __future__ import annotations

from cheyou_events.catalogue.member import MemberRegistered, TierChanged
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import repository
from notify_svc.audience.models import Recipient


async def record_registration(session: AsyncSession, event: MemberRegistered) -> None:
    await repository.upsert(session, event.member_id, event.registered_at, join_channel=event.channel)


async def record_tier(session: AsyncSession, event: TierChanged) -> None:
    await repository.upsert(session, event.member_id, event.changed_at, tier=event.to_tier.value)


async def get(session: AsyncSession, member_id: str) -> Recipient | None:
    return await repository.get(session, member_id)
