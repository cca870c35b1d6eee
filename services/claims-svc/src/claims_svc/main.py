"""claims-svc: the app factory (``uvicorn claims_svc.main:create_app --factory``)."""

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from cheyou_kit.auth import publish_audiences
from fastapi import FastAPI

import claims_svc
from claims_svc.appointments.router import router as appointments_router
from claims_svc.appointments.router import slots_router
from claims_svc.auth import GATEWAY_AUDIENCES
from claims_svc.claims.router import router as claims_router
from claims_svc.config import Settings
from claims_svc.contacts import handlers as contact_handlers
from claims_svc.cover import handlers as cover_handlers
from claims_svc.cover.router import router as cover_router
from claims_svc.documents.router import router as documents_router
from claims_svc.liability.router import router as liability_router
from claims_svc.liability.router import scenarios_router
from claims_svc.liability.sweep import overdue_liability_sweep
from claims_svc.reports.router import router as reports_router
from claims_svc.sms import SmsSender
from claims_svc.storage import FileStorage
from claims_svc.storage.local import LocalDirectoryStorage
from claims_svc.storage.s3 import S3Location, S3Storage
from claims_svc.surveys.router import member_router as survey_member_router
from claims_svc.surveys.router import router as surveys_router

subscriptions = Subscriptions(cover_handlers.subscriptions, contact_handlers.subscriptions)


def storage_for(settings: Settings) -> FileStorage:
    """The bucket when one is configured, else the local directory."""
    if settings.s3_bucket is None:
        return LocalDirectoryStorage(settings.storage_dir)
    secret = settings.s3_secret_access_key
    return S3Storage(
        S3Location(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
            key_prefix=settings.s3_key_prefix,
            path_style=settings.s3_path_style,
            max_connections=settings.s3_max_connections,
        )
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    storage = storage_for(settings)
    sms = SmsSender(settings)

    def components(resources: Resources) -> list[Component]:
        return [storage, sms, overdue_liability_sweep(settings, resources.session_factory)]

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
            reports_router,
        ],
        subscriptions=subscriptions,
        components=components,
        readiness=lambda _: {"storage": storage.check},
        description=claims_svc.__doc__ or "",
    )
    publish_audiences(app, GATEWAY_AUDIENCES)
    app.state.storage = storage
    app.state.sms = sms
    return app
