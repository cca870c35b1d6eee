"""Kafka entry points that create managers' tasks from other services' events (inbox-deduplicated)."""

from __future__ import annotations

import uuid

from cheyou_events.catalogue.privilege import ActivityAttended
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.managers import service


async def on_activity_attended(session: AsyncSession, event: Envelope[ActivityAttended]) -> None:
    data = event.data
    await service.create_activity_followup(
        session,
        uuid.UUID(data.member_id),
        data.signup_id,
        data.activity_id,
        data.activity_title,
        data.attended_at,
    )
