"""Kafka entry points: facts of other services that the member is told about.

Handlers only write rows (inbox items, queued messages) through the session: the sender sends.
"""

from __future__ import annotations

from typing import Any

from cheyou_events import Envelope, Subscriptions
from cheyou_events.catalogue import claims, merchant, privilege
from cheyou_events.catalogue.claims import ClaimsEvent
from cheyou_events.catalogue.member import MemberRejected, MemberVerified, TierDowngradeScheduled
from cheyou_events.catalogue.privilege import (
    ActivitySignedUp,
    EntitlementsChanged,
    PointsCredited,
    PointsExpiring,
)

from notify_svc.audience import service as audience
from notify_svc.event_notices import service
from notify_svc.eventing import Context

subscriptions = Subscriptions[Context]()


@subscriptions.on(EntitlementsChanged)
async def on_entitlements_changed(ctx: Context, event: Envelope[EntitlementsChanged]) -> None:
    await service.entitlements_changed(ctx.session, ctx.settings, str(event.id), event.data)


@subscriptions.on(
    privilege.PrivilegeOrderRequested,
    privilege.PrivilegeOrderCancelled,
    privilege.PrivilegeOrderClosed,
    merchant.MerchantOrderAccepted,
    merchant.MerchantOrderRejected,
    merchant.MerchantOrderInService,
    merchant.MerchantOrderCompleted,
    merchant.MerchantOrderUnplaceable,
)
async def on_order_event(ctx: Context, event: Envelope[Any]) -> None:
    await service.order_status(
        ctx.session, ctx.settings, str(event.id), event.type, event.data.member_id, event.data.order_id
    )


@subscriptions.on(
    claims.ClaimReported,
    claims.LiabilityAssessed,
    claims.SurveyConfirmed,
    claims.ReshootRequested,
    claims.DocumentsCompleted,
    claims.ClaimSettled,
    claims.ClaimWithdrawn,
)
async def on_claim_event(ctx: Context, event: Envelope[ClaimsEvent]) -> None:
    await service.claim_step(
        ctx.session, ctx.settings, str(event.id), event.type, event.data.member_id, event.data.claim_id
    )


@subscriptions.on(PointsCredited)
async def on_points_credited(ctx: Context, event: Envelope[PointsCredited]) -> None:
    data = event.data
    await service.points_credited(
        ctx.session, ctx.settings, str(event.id), data.member_id, data.points, data.balance_after
    )


@subscriptions.on(ActivitySignedUp)
async def on_activity_signed_up(ctx: Context, event: Envelope[ActivitySignedUp]) -> None:
    data = event.data
    await audience.record_activity(ctx.session, data)
    await service.activity_signed_up(
        ctx.session, ctx.settings, str(event.id), data.member_id, data.activity_id, data.party_size
    )


@subscriptions.on(MemberVerified)
async def on_member_verified(ctx: Context, event: Envelope[MemberVerified]) -> None:
    await service.verification_outcome(
        ctx.session, ctx.settings, str(event.id), event.data.member_id, True, "欢迎加入车友俱乐部"
    )


@subscriptions.on(MemberRejected)
async def on_member_rejected(ctx: Context, event: Envelope[MemberRejected]) -> None:
    await service.verification_outcome(
        ctx.session, ctx.settings, str(event.id), event.data.member_id, False, event.data.reason
    )


@subscriptions.on(PointsExpiring)
async def on_points_expiring(ctx: Context, event: Envelope[PointsExpiring]) -> None:
    await service.points_expiring(ctx.session, ctx.settings, str(event.id), event.data)


@subscriptions.on(TierDowngradeScheduled)
async def on_tier_downgrade_scheduled(ctx: Context, event: Envelope[TierDowngradeScheduled]) -> None:
    await service.tier_downgrade_scheduled(ctx.session, ctx.settings, str(event.id), event.data)
