"""merchant-svc: the app factory (``uvicorn merchant_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.privilege import PrivilegeOrderRequested
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import merchant_svc
from merchant_svc.config import Settings
from merchant_svc.fulfilments import handlers
from merchant_svc.fulfilments.router import router as fulfilments_router

HANDLERS: dict[str, Handler] = {
    PrivilegeOrderRequested.event_type: handlers.on_order_requested,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, routers=[fulfilments_router], handlers=HANDLERS, description=merchant_svc.__doc__ or ""
    )
