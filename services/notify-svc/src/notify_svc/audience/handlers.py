"""Kafka entry points for ``member.events`` feeding the audience projection."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import (
    ManagerAssigned,
    MemberContactChanged,
    MemberProfileChanged,
    MemberRegistered,
    TierChanged,
)

from notify_svc.audience import service
from notify_svc.delivery import service as delivery
from notify_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberRegistered)
async def on_member_registered(ctx: Context, event: Envelope[MemberRegistered]) -> None:
    await service.record_registration(ctx.session, event.data)


@subscriptions.on(TierChanged)
async def on_tier_changed(ctx: Context, event: Envelope[TierChanged]) -> None:
    await service.record_tier(ctx.session, event.data)


@subscriptions.on(MemberContactChanged)
async def on_contact_changed(ctx: Context, event: Envelope[MemberContactChanged]) -> None:
    """Project the contact, and release the messages that waited for it, in one transaction."""
    await service.record_contact(ctx.session, event.data, ctx.settings.pii_cipher)
    await delivery.release_held(
        ctx.session, event.data.member_id, datetime.now(UTC), ctx.settings.delivery_rules
    )


@subscriptions.on(MemberProfileChanged)
async def on_profile_changed(ctx: Context, event: Envelope[MemberProfileChanged]) -> None:
    await service.record_profile(ctx.session, event.data)


@subscriptions.on(ManagerAssigned)
async def on_manager_assigned(ctx: Context, event: Envelope[ManagerAssigned]) -> None:
    await service.record_manager(ctx.session, event.data)
