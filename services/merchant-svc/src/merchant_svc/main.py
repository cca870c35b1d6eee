"""merchant-svc: the app factory (``uvicorn merchant_svc.main:create_app --factory``)."""

from __future__ import annotations

from collections.abc import Sequence

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from cheyou_kit.auth import publish_audiences
from fastapi import FastAPI

import merchant_svc
from merchant_svc.accountability import handlers as accountability_handlers
from merchant_svc.accountability.router import merchants_router as scorecard_router
from merchant_svc.accountability.router import router as accountability_router
from merchant_svc.auth import GATEWAY_AUDIENCES
from merchant_svc.config import Settings
from merchant_svc.coupons import handlers as coupons_handlers
from merchant_svc.coupons.router import merchant_api as coupons_merchant_api
from merchant_svc.coupons.router import router as coupons_router
from merchant_svc.fulfilments import handlers
from merchant_svc.fulfilments.jobs import accept_deadlines
from merchant_svc.fulfilments.router import merchant_api as orders_merchant_api
from merchant_svc.fulfilments.router import router as fulfilments_router
from merchant_svc.merchants.router import keys_router
from merchant_svc.merchants.router import router as merchants_router
from merchant_svc.merchants.seed import DemoSeed
from merchant_svc.pii import cipher_for
from merchant_svc.service_points.router import merchants_router as service_points_admin_router
from merchant_svc.service_points.router import router as service_points_router
from merchant_svc.users.router import router as users_router
from merchant_svc.users.router import staff_router as merchant_staff_router
from merchant_svc.webhooks.router import messages_router
from merchant_svc.webhooks.router import router as endpoints_router
from merchant_svc.webhooks.url_policy import Resolver, destinations_for
from merchant_svc.webhooks.worker import DeliveryWorker

subscriptions = Subscriptions(
    handlers.subscriptions, accountability_handlers.subscriptions, coupons_handlers.subscriptions
)


def create_app(settings: Settings | None = None, *, resolver: Resolver | None = None) -> FastAPI:
    """``resolver``: how webhook hosts are resolved (default: the system's; tests pass their own)."""
    settings = settings or Settings()
    destinations = destinations_for(settings.webhook_allowed_networks, resolver)

    def components(resources: Resources) -> Sequence[Component]:
        started: list[Component] = []
        if settings.seed_demo:
            started.append(DemoSeed(resources.session_factory, cipher_for(settings.pii_key)))
        if settings.delivery_worker_enabled:
            started.append(DeliveryWorker(settings, resources.session_factory, destinations))
        if settings.accept_deadline_worker_enabled:
            started.append(accept_deadlines(settings, resources.session_factory))
        return started

    app = create_service_app(
        settings,
        routers=[
            merchants_router,
            users_router,
            merchant_staff_router,
            scorecard_router,
            keys_router,
            fulfilments_router,
            orders_merchant_api,
            coupons_merchant_api,
            endpoints_router,
            messages_router,
            coupons_router,
            accountability_router,
            service_points_router,
            service_points_admin_router,
        ],
        subscriptions=subscriptions,
        components=components,
        description=merchant_svc.__doc__ or "",
    )
    publish_audiences(app, GATEWAY_AUDIENCES)
    app.state.webhook_destinations = destinations
    return app
