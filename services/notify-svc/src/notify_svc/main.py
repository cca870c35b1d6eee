"""notify-svc: the app factory (``uvicorn notify_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.member import MemberRegistered, TierChanged
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import notify_svc
from notify_svc.audience import handlers
from notify_svc.audience.router import router as audience_router
from notify_svc.config import Settings

HANDLERS: dict[str, Handler] = {
    MemberRegistered.event_type: handlers.on_member_registered,
    TierChanged.event_type: handlers.on_tier_changed,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings, routers=[audience_router], handlers=HANDLERS, description=notify_svc.__doc__ or ""
    )
