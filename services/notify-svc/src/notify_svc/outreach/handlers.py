"""Kafka entry points of the outreach (already deduplicated by the inbox)."""

from __future__ import annotations

from datetime import UTC, datetime

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberInvited, MemberRegistered

from notify_svc.eventing import Context
from notify_svc.outreach import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberInvited)
async def on_member_invited(ctx: Context, event: Envelope[MemberInvited]) -> None:
    await service.record_invited(ctx.session, ctx.settings, event.data, event.id, datetime.now(UTC))


@subscriptions.on(MemberRegistered)
async def on_member_registered(ctx: Context, event: Envelope[MemberRegistered]) -> None:
    """An invitee who applies is no longer reminded (other registrations are no invitee's)."""
    await service.record_registered(ctx.session, event.data.member_id, datetime.now(UTC))
