"""Kafka entry points for what notify-svc tells about invitations (already deduplicated by the inbox)."""

from __future__ import annotations

import uuid

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.notify import InvitationOptedOut

from member_svc.eventing import Context
from member_svc.invitations import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(InvitationOptedOut)
async def on_invitation_opted_out(ctx: Context, event: Envelope[InvitationOptedOut]) -> None:
    await service.record_opt_out(
        ctx.session, uuid.UUID(event.data.member_id), event.data.via, event.data.opted_out_at
    )
