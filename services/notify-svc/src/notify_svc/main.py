"""notify-svc: the app factory (``uvicorn notify_svc.main:create_app --factory``)."""

from collections.abc import Sequence

from cheyou_events import Handler
from cheyou_events.catalogue import claims, merchant, privilege
from cheyou_events.catalogue.member import (
    MemberContactChanged,
    MemberProfileChanged,
    MemberRegistered,
    MemberRejected,
    MemberVerified,
    TierChanged,
)
from cheyou_kit.app import Component, Resources, create_service_app
from fastapi import FastAPI

import notify_svc
from notify_svc.audience import handlers, pii
from notify_svc.audience.router import router as audience_router
from notify_svc.campaigns.router import router as campaigns_router
from notify_svc.campaigns.runner import CampaignRunner
from notify_svc.config import Settings
from notify_svc.delivery import rules
from notify_svc.delivery.dispatcher import Dispatcher
from notify_svc.delivery.router import router as delivery_router
from notify_svc.inbox.router import router as inbox_router
from notify_svc.preferences.router import router as preferences_router
from notify_svc.subscriptions import handlers as subscriptions
from notify_svc.templates.router import router as templates_router

ORDER_EVENTS = (
    privilege.PrivilegeOrderRequested,
    privilege.PrivilegeOrderCancelled,
    privilege.PrivilegeOrderClosed,
    merchant.MerchantOrderAccepted,
    merchant.MerchantOrderRejected,
    merchant.MerchantOrderInService,
    merchant.MerchantOrderCompleted,
    merchant.MerchantOrderUnplaceable,
)
CLAIM_EVENTS = (
    claims.ClaimReported,
    claims.LiabilityAssessed,
    claims.SurveyConfirmed,
    claims.ReshootRequested,
    claims.DocumentsCompleted,
    claims.ClaimSettled,
    claims.ClaimWithdrawn,
)

HANDLERS: dict[str, Handler] = {
    MemberRegistered.event_type: handlers.on_member_registered,
    TierChanged.event_type: handlers.on_tier_changed,
    MemberContactChanged.event_type: handlers.on_contact_changed,
    MemberProfileChanged.event_type: handlers.on_profile_changed,
    MemberVerified.event_type: subscriptions.on_member_verified,
    MemberRejected.event_type: subscriptions.on_member_rejected,
    privilege.EntitlementsChanged.event_type: subscriptions.on_entitlements_changed,
    privilege.PointsCredited.event_type: subscriptions.on_points_credited,
    privilege.ActivitySignedUp.event_type: subscriptions.on_activity_signed_up,
    **{event.event_type: subscriptions.on_order_event for event in ORDER_EVENTS},
    **{event.event_type: subscriptions.on_claim_event for event in CLAIM_EVENTS},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    pii.configure(settings.pii_key)
    rules.configure(
        rules.DeliveryRules(
            timezone=settings.timezone,
            quiet_start_hour=settings.quiet_start_hour,
            quiet_end_hour=settings.quiet_end_hour,
            member_daily_limit=settings.member_daily_limit,
        )
    )

    def components(resources: Resources) -> Sequence[Component]:
        if not settings.dispatch_enabled:
            return ()
        return [
            Dispatcher(settings, resources.session_factory, resources.redis),
            CampaignRunner(resources.session_factory, settings.campaign_tick_seconds),
        ]

    return create_service_app(
        settings,
        routers=[
            audience_router,
            campaigns_router,
            delivery_router,
            inbox_router,
            preferences_router,
            templates_router,
        ],
        handlers=HANDLERS,
        components=components,
        description=notify_svc.__doc__ or "",
    )
