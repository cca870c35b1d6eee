"""Kafka entry points for ``member.events`` feeding the audience projection."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events.catalogue.member import (
    ManagerAssigned,
    MemberContactChanged,
    MemberProfileChanged,
    MemberRegistered,
    TierChanged,
)
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import service
from notify_svc.delivery import service as delivery


async def on_member_registered(session: AsyncSession, event: Envelope[MemberRegistered]) -> None:
    await service.record_registration(session, event.data)


async def on_tier_changed(session: AsyncSession, event: Envelope[TierChanged]) -> None:
    await service.record_tier(session, event.data)


async def on_contact_changed(session: AsyncSession, event: Envelope[MemberContactChanged]) -> None:
    """Project the contact, and release the messages that waited for it, in one transaction."""
    await service.record_contact(session, event.data)
    await delivery.release_held(session, event.data.member_id, datetime.now(UTC))


async def on_profile_changed(session: AsyncSession, event: Envelope[MemberProfileChanged]) -> None:
    await service.record_profile(session, event.data)


async def on_manager_assigned(session: AsyncSession, event: Envelope[ManagerAssigned]) -> None:
    await service.record_manager(session, event.data)
