"""Kafka entry points for ``core.policy.events``: the inbox has already deduplicated the event."""

from __future__ import annotations

from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyRenewed
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.policies import service


async def on_policy_issued(session: AsyncSession, event: Envelope[PolicyIssued]) -> None:
    await service.record_issued(session, event.data)


async def on_policy_renewed(session: AsyncSession, event: Envelope[PolicyRenewed]) -> None:
    await service.record_issued(session, event.data)


async def on_policy_cancelled(session: AsyncSession, event: Envelope[PolicyCancelled]) -> None:
    await service.record_cancelled(session, event.data)
