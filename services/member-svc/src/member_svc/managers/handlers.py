"""Kafka entry points that create managers' tasks from other services' events (inbox-deduplicated)."""

from __future__ import annotations

import uuid

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue.privilege import ActivityAttended

from member_svc.eventing import Context
from member_svc.managers import service

subscriptions = Subscriptions[Context]()


@subscriptions.on(ActivityAttended)
async def on_activity_attended(ctx: Context, event: Envelope[ActivityAttended]) -> None:
    data = event.data
    await service.create_activity_followup(
        ctx.session,
        uuid.UUID(data.member_id),
        data.signup_id,
        data.activity_id,
        data.activity_title,
        data.attended_at,
    )
