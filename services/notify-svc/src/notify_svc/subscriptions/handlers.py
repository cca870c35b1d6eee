"""Kafka entry points: facts of other services that the member is told about.

Handlers only write rows (inbox items, queued messages) through the session: the dispatcher sends.
"""

from __future__ import annotations

from typing import Any

from cheyou_events.catalogue.claims import ClaimsEvent
from cheyou_events.catalogue.member import MemberRejected, MemberVerified, TierDowngradeScheduled
from cheyou_events.catalogue.privilege import (
    ActivitySignedUp,
    EntitlementsChanged,
    PointsCredited,
    PointsExpiring,
)
from cheyou_events.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from notify_svc.audience import service as audience
from notify_svc.subscriptions import service


async def on_entitlements_changed(session: AsyncSession, event: Envelope[EntitlementsChanged]) -> None:
    await service.entitlements_changed(session, str(event.id), event.data)


async def on_order_event(session: AsyncSession, event: Envelope[Any]) -> None:
    await service.order_status(session, str(event.id), event.type, event.data.member_id, event.data.order_id)


async def on_claim_event(session: AsyncSession, event: Envelope[ClaimsEvent]) -> None:
    data: Any = event.data
    await service.claim_step(session, str(event.id), event.type, data.member_id, data.claim_id)


async def on_points_credited(session: AsyncSession, event: Envelope[PointsCredited]) -> None:
    data = event.data
    await service.points_credited(session, str(event.id), data.member_id, data.points, data.balance_after)


async def on_activity_signed_up(session: AsyncSession, event: Envelope[ActivitySignedUp]) -> None:
    data = event.data
    await audience.record_activity(session, data)
    await service.activity_signed_up(
        session, str(event.id), data.member_id, data.activity_id, data.party_size
    )


async def on_member_verified(session: AsyncSession, event: Envelope[MemberVerified]) -> None:
    await service.verification_outcome(
        session, str(event.id), event.data.member_id, True, "欢迎加入车友俱乐部"
    )


async def on_member_rejected(session: AsyncSession, event: Envelope[MemberRejected]) -> None:
    await service.verification_outcome(session, str(event.id), event.data.member_id, False, event.data.reason)


async def on_points_expiring(session: AsyncSession, event: Envelope[PointsExpiring]) -> None:
    await service.points_expiring(session, str(event.id), event.data)


async def on_tier_downgrade_scheduled(session: AsyncSession, event: Envelope[TierDowngradeScheduled]) -> None:
    await service.tier_downgrade_scheduled(session, str(event.id), event.data)
