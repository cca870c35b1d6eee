"""Kafka entry points for what notify-svc tells about invitations (already deduplicated by the inbox)."""

from __future__ import annotations

import uuid

from cheyou_events.catalogue.notify import InvitationOptedOut
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from member_svc.imports import service


async def on_invitation_opted_out(session: AsyncSession, event: Envelope[InvitationOptedOut]) -> None:
    await service.record_opt_out(
        session, uuid.UUID(event.data.member_id), event.data.via, event.data.opted_out_at
    )
