"""claims-svc: the app factory (``uvicorn claims_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyRenewed
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import claims_svc
from claims_svc.config import Settings
from claims_svc.cover import handlers
from claims_svc.cover.router import router as cover_router

HANDLERS: dict[str, Handler] = {
    PolicyIssued.event_type: handlers.on_policy_issued,
    PolicyRenewed.event_type: handlers.on_policy_renewed,
    PolicyCancelled.event_type: handlers.on_policy_cancelled,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, routers=[cover_router], handlers=HANDLERS, description=claims_svc.__doc__ or ""
    )
