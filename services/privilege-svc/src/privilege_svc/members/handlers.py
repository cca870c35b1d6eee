"""Kafka entry points for ``member.events`` that only project (the earning ones are in ``points``)."""

from __future__ import annotations

from cheyou_events.catalogue.member import MemberContactChanged, MemberProfileChanged, TierChanged
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from privilege_svc.entitlements import service as entitlements
from privilege_svc.members import service


async def on_tier_changed(session: AsyncSession, event: Envelope[TierChanged]) -> None:
    """Project the tier; when it moved, recompute the entitlements and push them (granted, revoked)."""
    move = await service.apply_tier_change(session, event.data)
    if move is not None:
        await entitlements.announce_tier_change(session, move)


async def on_profile_changed(session: AsyncSession, event: Envelope[MemberProfileChanged]) -> None:
    """Keep the member's interests (activities can target them)."""
    await service.apply_profile(session, event.data)


async def on_contact_changed(session: AsyncSession, event: Envelope[MemberContactChanged]) -> None:
    """Keep the member's openid: a JSAPI payment names its payer."""
    await service.apply_contact(session, event.data)
