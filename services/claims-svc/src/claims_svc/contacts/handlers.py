"""Kafka entry point for member-svc's ``member.contact_changed``."""

from __future__ import annotations

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.member import MemberContactChanged

from claims_svc.contacts import service
from claims_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(MemberContactChanged)
async def on_member_contact_changed(ctx: Context, event: Envelope[MemberContactChanged]) -> None:
    """The phone is encrypted under the key of the service's settings."""
    await service.record_contact(ctx.session, event.data, ctx.settings)
