"""Kafka entry points of the outreach (already deduplicated by the inbox)."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events.catalogue.member import MemberInvited, MemberRegistered
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.outreach import service


async def on_member_invited(session: AsyncSession, event: Envelope[MemberInvited]) -> None:
    await service.record_invited(session, event.data, event.id, datetime.now(UTC))


async def on_member_registered(session: AsyncSession, event: Envelope[MemberRegistered]) -> None:
    """An invitee who applies is no longer reminded (other registrations are no invitee's)."""
    await service.record_registered(session, event.data.member_id, datetime.now(UTC))
