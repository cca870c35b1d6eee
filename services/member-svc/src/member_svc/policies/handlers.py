"""Kafka entry points for ``core.policy.events`` and ``claims.events`` (already deduplicated by the inbox)."""

from __future__ import annotations

from cheyou_events.catalogue.claims import ClaimSettled
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyEndorsed,
    PolicyIssued,
    PolicyLapsed,
    PolicyRenewed,
)
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.policies import service


async def on_policy_issued(session: AsyncSession, event: Envelope[PolicyIssued]) -> None:
    await service.record_issued(session, event.data)


async def on_policy_renewed(session: AsyncSession, event: Envelope[PolicyRenewed]) -> None:
    await service.record_issued(session, event.data)


async def on_policy_endorsed(session: AsyncSession, event: Envelope[PolicyEndorsed]) -> None:
    await service.record_endorsed(session, event.data)


async def on_policy_cancelled(session: AsyncSession, event: Envelope[PolicyCancelled]) -> None:
    await service.record_cancelled(session, event.data)


async def on_policy_lapsed(session: AsyncSession, event: Envelope[PolicyLapsed]) -> None:
    await service.record_lapsed(session, event.data)


async def on_claim_settled(session: AsyncSession, event: Envelope[ClaimSettled]) -> None:
    await service.record_claim_settled(session, event.data)
