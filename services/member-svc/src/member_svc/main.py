"""member-svc: the app factory (``uvicorn member_svc.main:create_app --factory``)."""

from collections.abc import Sequence

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from cheyou_kit.auth import publish_audiences
from cheyou_kit.periodic import PeriodicJob
from fastapi import FastAPI

import member_svc
from member_svc.auth import GATEWAY_AUDIENCES
from member_svc.config import Settings
from member_svc.invitations import handlers as invitations_handlers
from member_svc.invitations.router import invitations_router
from member_svc.invitations.router import router as imports_router
from member_svc.managers import handlers as managers_handlers
from member_svc.managers.jobs import generate_tasks
from member_svc.managers.router import member_router as member_managers_router
from member_svc.managers.router import router as managers_router
from member_svc.managers.router import targets_router, visits_router
from member_svc.members.router import router as members_router
from member_svc.pii import PiiCipher
from member_svc.policies import handlers
from member_svc.policies.router import feed_router
from member_svc.policies.router import router as policies_router
from member_svc.reports.router import router as reports_router
from member_svc.surveys.router import router as surveys_router
from member_svc.tiers.jobs import tier_evaluations
from member_svc.tiers.router import member_router as member_tiers_router
from member_svc.tiers.router import router as tiers_router
from member_svc.verification.router import router as verification_router

subscriptions = Subscriptions(
    handlers.subscriptions, managers_handlers.subscriptions, invitations_handlers.subscriptions
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def components(resources: Resources) -> Sequence[Component]:
        # Managers' work from the projection: renewals due, win-backs, downgrade warnings, overdue visits.
        return [
            PeriodicJob(
                "member-manager-tasks",
                generate_tasks,
                sessions=resources.session_factory,
                interval_s=settings.tasks_interval_seconds,
                single_replica=True,
            ),
            # Batch re-evaluations of every member's tier, chunk by chunk (started over HTTP).
            tier_evaluations(
                resources.session_factory,
                settings.tier_evaluation_poll_seconds,
                settings.direct_sqlalchemy_url,
            ),
        ]

    app = create_service_app(
        settings,
        routers=[
            imports_router,
            invitations_router,
            members_router,
            member_tiers_router,
            verification_router,
            policies_router,
            feed_router,
            tiers_router,
            managers_router,
            member_managers_router,
            visits_router,
            targets_router,
            reports_router,
            surveys_router,
        ],
        subscriptions=subscriptions,
        components=components,
        description=member_svc.__doc__ or "",
    )
    publish_audiences(app, GATEWAY_AUDIENCES)
    app.state.pii = PiiCipher.from_settings(settings)
    return app
