"""gateway: the app factory (``uvicorn gateway.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.member import MemberRegistered, MemberRejected, MemberVerified
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import gateway
from gateway.accounts import handlers
from gateway.config import Settings

HANDLERS: dict[str, Handler] = {
    MemberRegistered.event_type: handlers.on_member_event,
    MemberVerified.event_type: handlers.on_member_event,
    MemberRejected.event_type: handlers.on_member_event,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(settings, routers=[], handlers=HANDLERS, description=gateway.__doc__ or "")
