"""Kafka entry points for ``member.events``."""

from __future__ import annotations

from cheyou_events.catalogue.member import MemberRegistered, MemberRejected, MemberVerified
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.accounts import service


async def on_member_event(
    session: AsyncSession,
    event: Envelope[MemberRegistered] | Envelope[MemberVerified] | Envelope[MemberRejected],
) -> None:
    await service.record(session, event.data)
