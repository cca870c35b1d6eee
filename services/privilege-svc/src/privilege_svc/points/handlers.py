"""Kafka entry points that earn points."""

from __future__ import annotations

from cheyou_events.catalogue.member import MemberVerified
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.points import service


async def on_member_verified(session: AsyncSession, event: Envelope[MemberVerified]) -> None:
    """Welcome points, once per member whatever the number of deliveries."""
    member_id = event.data.member_id
    await service.award(session, "welcome", member_id, f"welcome:{member_id}", now=event.data.verified_at)
