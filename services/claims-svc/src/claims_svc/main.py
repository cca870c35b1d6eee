"""claims-svc: the app factory (``uvicorn claims_svc.main:create_app --factory``)."""

from cheyou_events import Handler
from cheyou_events.catalogue.policy import PolicyCancelled, PolicyEndorsed, PolicyIssued, PolicyRenewed
from cheyou_kit.app import create_service_app
from fastapi import FastAPI

import claims_svc
from claims_svc.appointments.router import router as appointments_router
from claims_svc.appointments.router import slots_router
from claims_svc.claims.router import router as claims_router
from claims_svc.config import Settings
from claims_svc.cover import handlers as cover_handlers
from claims_svc.cover.router import router as cover_router
from claims_svc.documents.router import router as documents_router
from claims_svc.liability.router import router as liability_router
from claims_svc.liability.router import scenarios_router
from claims_svc.storage import LocalDirectoryStorage
from claims_svc.surveys.router import member_router as survey_member_router
from claims_svc.surveys.router import router as surveys_router

HANDLERS: dict[str, Handler] = {
    PolicyIssued.event_type: cover_handlers.on_policy_issued,
    PolicyRenewed.event_type: cover_handlers.on_policy_renewed,
    PolicyEndorsed.event_type: cover_handlers.on_policy_endorsed,
    PolicyCancelled.event_type: cover_handlers.on_policy_cancelled,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings,
        routers=[
            claims_router,
            liability_router,
            scenarios_router,
            survey_member_router,
            surveys_router,
            documents_router,
            slots_router,
            appointments_router,
            cover_router,
        ],
        handlers=HANDLERS,
        description=claims_svc.__doc__ or "",
    )
    app.state.storage = LocalDirectoryStorage(settings.storage_dir)
    return app
