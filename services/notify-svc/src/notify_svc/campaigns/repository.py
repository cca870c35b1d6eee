from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from cheyou_kit.pagination import Slice, paginate
from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience.models import Recipient
from notify_svc.campaigns.models import Campaign
from notify_svc.campaigns.schemas import Segment
from notify_svc.delivery.models import Message

S = TypeVar("S", bound=Select[Any])


def _where(statement: S, segment: Segment) -> S:
    if segment.tiers:
        statement = statement.where(Recipient.tier.in_(segment.tiers))
    if segment.interests:
        statement = statement.where(Recipient.interests.overlap(segment.interests))
    if segment.genders:
        statement = statement.where(Recipient.gender.in_(segment.genders))
    if segment.region_codes:
        statement = statement.where(or_(*(Recipient.region_code.startswith(c) for c in segment.region_codes)))
    if segment.join_channels:
        statement = statement.where(Recipient.join_channel.in_(segment.join_channels))
    if segment.min_activity_signups is not None:
        statement = statement.where(Recipient.activity_signups >= segment.min_activity_signups)
    if segment.active_since is not None:
        statement = statement.where(Recipient.last_activity_at >= segment.active_since)
    return statement


async def audience_size(session: AsyncSession, segment: Segment) -> int:
    statement = _where(select(Recipient), segment).with_only_columns(func.count())
    return int(await session.scalar(statement) or 0)


async def audience_chunk(
    session: AsyncSession, segment: Segment, after: str | None, limit: int
) -> Sequence[Recipient]:
    """The next ``limit`` members of the segment after ``after`` (keyset on member id)."""
    statement = _where(select(Recipient), segment).order_by(Recipient.member_id).limit(limit)
    if after is not None:
        statement = statement.where(Recipient.member_id > after)
    return (await session.scalars(statement)).all()


async def add(session: AsyncSession, campaign: Campaign) -> Campaign:
    session.add(campaign)
    await session.flush()
    return campaign


async def get(session: AsyncSession, campaign_id: uuid.UUID, lock: bool = False) -> Campaign | None:
    statement = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def due(session: AsyncSession, now: datetime) -> Sequence[Campaign]:
    """Campaigns to advance now, locked so one replica advances each."""
    statement = (
        select(Campaign)
        .where(Campaign.status.in_(("scheduled", "running")), Campaign.scheduled_at <= now)
        .order_by(Campaign.scheduled_at)
        .limit(10)
        .with_for_update(skip_locked=True)
    )
    return (await session.scalars(statement)).all()


async def message_counts(session: AsyncSession, campaign_id: uuid.UUID) -> dict[str, int]:
    rows = await session.execute(
        select(Message.status, func.count())
        .where(Message.campaign_id == campaign_id)
        .group_by(Message.status)
    )
    return {status: int(count) for status, count in rows.all()}


async def page(session: AsyncSession, cursor: str | None, limit: int) -> Slice[Campaign]:
    """Campaigns, newest first."""
    return await paginate(
        session, select(Campaign), cursor, limit, by=(Campaign.created_at, Campaign.id), descending=True
    )


async def message_counts_of(
    session: AsyncSession, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """``message_counts`` of several campaigns in one query (a page of the list)."""
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(Message.campaign_id, Message.status, func.count())
        .where(Message.campaign_id.in_(campaign_ids))
        .group_by(Message.campaign_id, Message.status)
    )
    counts: dict[uuid.UUID, dict[str, int]] = {campaign_id: {} for campaign_id in campaign_ids}
    for campaign_id, status, count in rows.all():
        if campaign_id is not None:  # always, by the filter; the column is nullable
            counts[campaign_id][status] = int(count)
    return counts
