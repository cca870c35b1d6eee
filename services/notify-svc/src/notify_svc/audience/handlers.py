"""Kafka entry points for ``member.events``."""

from __future__ import annotations

from cheyou_events.catalogue.member import MemberRegistered, TierChanged
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import service


async def on_member_registered(session: AsyncSession, event: Envelope[MemberRegistered]) -> None:
    await service.record_registration(session, event.data)


async def on_tier_changed(session: AsyncSession, event: Envelope[TierChanged]) -> None:
    await service.record_tier(session, event.data)
