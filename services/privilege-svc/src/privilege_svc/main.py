"""privilege-svc: the app factory (``uvicorn privilege_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.member import TierChanged
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import privilege_svc
from privilege_svc.config import Settings
from privilege_svc.members import handlers
from privilege_svc.members.router import router as members_router

HANDLERS: dict[str, Handler] = {
    TierChanged.event_type: handlers.on_tier_changed,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, routers=[members_router], handlers=HANDLERS, description=privilege_svc.__doc__ or ""
    )
