"""gateway: the app factory (``uvicorn gateway.main:create_app --factory``).

The kit builds the app (problem details, health, metrics, lifespan, the consumer of ``member.events`` and
``merchant.events``);
the gateway adds its runtime as a lifespan component, its own routes under ``/api/v1`` (``auth``, ``me``,
``reports``), then the catch-all that forwards everything else, and its middleware. FastAPI's
``/openapi.json`` and ``/docs`` serve the merged document the runtime keeps.
"""

import logging
from collections.abc import Sequence

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

import gateway
from gateway.accounts import handlers
from gateway.auth.router import router as auth_router
from gateway.config import Settings
from gateway.frontends.docs import serve_docs_offline
from gateway.frontends.static import default_web_root, mount_frontends
from gateway.me.router import router as me_router
from gateway.merchant_staff.router import router as merchant_staff_router
from gateway.merchants import handlers as merchant_handlers
from gateway.protection.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from gateway.proxy.router import router as proxy_router
from gateway.reports.router import router as reports_router
from gateway.runtime import Runtime
from gateway.wechat_jssdk.router import router as wechat_jssdk_router
from gateway.wechat_web.router import router as wechat_web_router

subscriptions = Subscriptions(handlers.subscriptions, merchant_handlers.subscriptions)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def components(resources: Resources) -> Sequence[Component]:
        runtime: Runtime = app.state.runtime
        return [runtime.bind(resources)]

    app = create_service_app(
        settings,
        routers=[
            auth_router,
            wechat_web_router,
            merchant_staff_router,
            wechat_jssdk_router,
            me_router,
            reports_router,
        ],
        subscriptions=subscriptions,
        components=components,
        description=gateway.__doc__ or "",
    )
    app.title = "Cheyou API"
    # httpx logs every request at INFO: a line per forwarded call, with URLs that may carry ids.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger().level))
    runtime = app.state.runtime = Runtime(app, settings)
    # FastAPI's documented way to serve another document at /openapi.json (and so at /docs).
    app.openapi = lambda: runtime.document or app.openapi_schema or {}  # type: ignore[method-assign]
    # After the gateway's own routes, so /api/v1/auth/…, /api/v1/me and /api/v1/reports/… are never forwarded.
    app.include_router(proxy_router, prefix="/api/v1")
    serve_docs_offline(app)
    mount_frontends(app, settings.web_root or default_web_root(), settings.frontend_image_origins)
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        max_anonymous_body_bytes=settings.max_anonymous_body_bytes,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Api-Key", "X-Request-ID"],
        expose_headers=["Retry-After", "X-Request-ID", "Idempotent-Replayed", "Location"],
        max_age=600,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    return app
