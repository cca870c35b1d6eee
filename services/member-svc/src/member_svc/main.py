"""member-svc: the app factory (``uvicorn member_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyIssued, PolicyRenewed
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import member_svc
from member_svc.config import Settings
from member_svc.policies import handlers
from member_svc.policies.router import router as policies_router

HANDLERS: dict[str, Handler] = {
    PolicyIssued.event_type: handlers.on_policy_issued,
    PolicyRenewed.event_type: handlers.on_policy_renewed,
    PolicyCancelled.event_type: handlers.on_policy_cancelled,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, routers=[policies_router], handlers=HANDLERS, description=member_svc.__doc__ or ""
    )
