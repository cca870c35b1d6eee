"""Kafka entry points for ``core.policy.events`` and ``claims.events`` (already deduplicated by the inbox)."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.claims import ClaimSettled
from cheyou_events.catalogue.policy import (
    PolicyCancelled,
    PolicyEndorsed,
    PolicyIssued,
    PolicyLapsed,
    PolicyRenewed,
)

from member_svc.eventing import Context
from member_svc.policies import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(PolicyIssued)
async def on_policy_issued(ctx: Context, event: Envelope[PolicyIssued]) -> None:
    await service.record_issued(ctx.session, event.data)


@subscriptions.on(PolicyRenewed)
async def on_policy_renewed(ctx: Context, event: Envelope[PolicyRenewed]) -> None:
    await service.record_issued(ctx.session, event.data)


@subscriptions.on(PolicyEndorsed)
async def on_policy_endorsed(ctx: Context, event: Envelope[PolicyEndorsed]) -> None:
    await service.record_endorsed(ctx.session, event.data)


@subscriptions.on(PolicyCancelled)
async def on_policy_cancelled(ctx: Context, event: Envelope[PolicyCancelled]) -> None:
    await service.record_cancelled(ctx.session, event.data)


@subscriptions.on(PolicyLapsed)
async def on_policy_lapsed(ctx: Context, event: Envelope[PolicyLapsed]) -> None:
    await service.record_lapsed(ctx.session, event.data)


@subscriptions.on(ClaimSettled)
async def on_claim_settled(ctx: Context, event: Envelope[ClaimSettled]) -> None:
    await service.record_claim_settled(ctx.session, event.data)
