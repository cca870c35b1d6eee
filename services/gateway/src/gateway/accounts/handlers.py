"""Kafka entry points for ``member.events``."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberRegistered, MemberRejected, MemberVerified

from gateway.accounts import service
from gateway.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberRegistered, MemberVerified, MemberRejected)
async def on_member_event(
    ctx: Context,
    event: Envelope[MemberRegistered] | Envelope[MemberVerified] | Envelope[MemberRejected],
) -> None:
    await service.record(ctx.session, event.data)
