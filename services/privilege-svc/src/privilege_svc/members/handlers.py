"""Kafka entry points for ``member.events``."""

from __future__ import annotations

from cheyou_events.catalogue.member import TierChanged
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.members import service


async def on_tier_changed(session: AsyncSession, event: Envelope[TierChanged]) -> None:
    await service.apply_tier_change(session, event.data)
