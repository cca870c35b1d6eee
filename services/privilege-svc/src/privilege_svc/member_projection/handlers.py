"""Kafka entry points for ``member.events`` that only project (the earning ones are in ``points``)."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberContactChanged, MemberProfileChanged, TierChanged

from privilege_svc.entitlements import service as entitlements
from privilege_svc.eventing import Context
from privilege_svc.member_projection import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(TierChanged)
async def on_tier_changed(ctx: Context, event: Envelope[TierChanged]) -> None:
    """Project the tier; when it moved, recompute the entitlements and push them (granted, revoked)."""
    move = await service.apply_tier_change(ctx.session, event.data)
    if move is not None:
        await entitlements.announce_tier_change(ctx.session, move)


@subscriptions.on(MemberProfileChanged)
async def on_profile_changed(ctx: Context, event: Envelope[MemberProfileChanged]) -> None:
    """Keep the member's interests (activities can target them)."""
    await service.apply_profile(ctx.session, event.data)


@subscriptions.on(MemberContactChanged)
async def on_contact_changed(ctx: Context, event: Envelope[MemberContactChanged]) -> None:
    """Keep the member's openid: a JSAPI payment names its payer."""
    await service.apply_contact(ctx.session, event.data)
