"""Kafka entry points for ``core.policy.events`` and member-svc's ``member.policy_changed``."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberPolicyChanged
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyEndorsed, PolicyIssued, PolicyRenewed

from claims_svc.cover import service
from claims_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(PolicyIssued)
async def on_policy_issued(ctx: Context, event: Envelope[PolicyIssued]) -> None:
    await service.record_policy(ctx.session, event.data)


@subscriptions.on(PolicyRenewed)
async def on_policy_renewed(ctx: Context, event: Envelope[PolicyRenewed]) -> None:
    await service.record_policy(ctx.session, event.data)


@subscriptions.on(PolicyEndorsed)
async def on_policy_endorsed(ctx: Context, event: Envelope[PolicyEndorsed]) -> None:
    await service.record_endorsement(ctx.session, event.data)


@subscriptions.on(PolicyCancelled)
async def on_policy_cancelled(ctx: Context, event: Envelope[PolicyCancelled]) -> None:
    await service.record_cancellation(ctx.session, event.data)


@subscriptions.on(MemberPolicyChanged)
async def on_member_policy_changed(ctx: Context, event: Envelope[MemberPolicyChanged]) -> None:
    await service.record_member_policy(ctx.session, event.data)
