"""Kafka entry points for ``core.policy.events`` and member-svc's ``member.policy_changed``."""

from __future__ import annotations

from cheyou_events.catalogue.member import MemberPolicyChanged
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyEndorsed, PolicyIssued, PolicyRenewed
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from claims_svc.cover import service


async def on_policy_issued(session: AsyncSession, event: Envelope[PolicyIssued]) -> None:
    await service.record_policy(session, event.data)


async def on_policy_renewed(session: AsyncSession, event: Envelope[PolicyRenewed]) -> None:
    await service.record_policy(session, event.data)


async def on_policy_endorsed(session: AsyncSession, event: Envelope[PolicyEndorsed]) -> None:
    await service.record_endorsement(session, event.data)


async def on_policy_cancelled(session: AsyncSession, event: Envelope[PolicyCancelled]) -> None:
    await service.record_cancellation(session, event.data)


async def on_member_policy_changed(session: AsyncSession, event: Envelope[MemberPolicyChanged]) -> None:
    await service.record_member_policy(session, event.data)
