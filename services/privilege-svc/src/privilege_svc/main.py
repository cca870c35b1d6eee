"""privilege-svc: the app factory (``uvicorn privilege_svc.main:create_app --factory``)."""

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from cheyou_kit.auth import publish_audiences
from fastapi import FastAPI

import privilege_svc
from privilege_svc.activities.router import router as activities_router
from privilege_svc.auth import GATEWAY_AUDIENCES
from privilege_svc.config import Settings
from privilege_svc.entitlements.router import router as entitlements_router
from privilege_svc.games import handlers as games_handlers
from privilege_svc.games.router import router as games_router
from privilege_svc.interest_groups.router import router as interest_groups_router
from privilege_svc.member_projection import handlers as member_projection_handlers
from privilege_svc.member_projection.router import router as member_projection_router
from privilege_svc.orders import handlers as orders_handlers
from privilege_svc.orders.router import router as orders_router
from privilege_svc.payments.jobs import payment_jobs
from privilege_svc.payments.router import router as payments_router
from privilege_svc.payments.wechatpay import WechatPay
from privilege_svc.points import handlers as points_handlers
from privilege_svc.points.jobs import points_maintenance
from privilege_svc.points.router import router as points_router
from privilege_svc.privileges.catalogue import CatalogueCache
from privilege_svc.privileges.router import router as privileges_router
from privilege_svc.rewards import handlers as rewards_handlers
from privilege_svc.rewards.gate import StockGate
from privilege_svc.rewards.router import flash_sales_router
from privilege_svc.rewards.router import router as rewards_router
from privilege_svc.usage.router import router as usage_router

subscriptions = Subscriptions(
    member_projection_handlers.subscriptions,
    points_handlers.subscriptions,
    orders_handlers.subscriptions,
    rewards_handlers.subscriptions,
    games_handlers.subscriptions,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    gate = StockGate(settings.redis_url)
    wechatpay = WechatPay(settings)

    def components(resources: Resources) -> list[Component]:
        return [
            gate,
            points_maintenance(resources, settings.points_job_interval_s, settings.points_reminder_days),
            wechatpay,
            *payment_jobs(resources, settings, wechatpay),
        ]

    app = create_service_app(
        settings,
        routers=[
            usage_router,
            privileges_router,
            member_projection_router,
            entitlements_router,
            orders_router,
            payments_router,
            points_router,
            rewards_router,
            flash_sales_router,
            activities_router,
            games_router,
            interest_groups_router,
        ],
        subscriptions=subscriptions,
        components=components,
        description=privilege_svc.__doc__ or "",
    )
    publish_audiences(app, GATEWAY_AUDIENCES)
    app.state.stock_gate = gate
    app.state.catalogue = CatalogueCache(settings.catalogue_cache_seconds)
    app.state.wechatpay = wechatpay
    return app
