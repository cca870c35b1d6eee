"""notify-svc: the app factory (``uvicorn notify_svc.main:create_app --factory``)."""

from collections.abc import Sequence

from cheyou_events import Subscriptions
from cheyou_kit.app import Component, Resources, create_service_app
from cheyou_kit.auth import publish_audiences
from fastapi import FastAPI

import notify_svc
from notify_svc.audience import handlers
from notify_svc.audience.router import router as audience_router
from notify_svc.auth import GATEWAY_AUDIENCES
from notify_svc.campaigns.router import router as campaigns_router
from notify_svc.campaigns.runner import campaign_runner
from notify_svc.config import Settings
from notify_svc.delivery.router import router as delivery_router
from notify_svc.delivery.sender import Sender
from notify_svc.event_notices import handlers as event_notices
from notify_svc.feeds.polling import FeedPullers, PullSource
from notify_svc.feeds.router import router as feeds_router
from notify_svc.feeds.router import webhooks_router as feed_webhooks_router
from notify_svc.inbox.router import router as inbox_router
from notify_svc.outreach import handlers as outreach
from notify_svc.outreach.jobs import invitation_reminders
from notify_svc.outreach.router import router as outreach_router
from notify_svc.preferences.router import router as preferences_router
from notify_svc.publishing.router import articles_router, publications_router
from notify_svc.reminders import handlers as reminders
from notify_svc.reminders.jobs import DailyReminders, weather_alert_fanout
from notify_svc.reminders.router import router as reminders_router
from notify_svc.templates.router import router as templates_router

subscriptions = Subscriptions(
    handlers.subscriptions,  # a registration first reaches the audience, then the outreach
    outreach.subscriptions,
    reminders.subscriptions,
    event_notices.subscriptions,
)


def _pulled_feeds(settings: Settings) -> list[PullSource]:
    """The outside feeds with a pull URL configured (the others only push)."""
    configured = [
        ("violations", settings.feed_violations_pull_url, settings.feed_violations_pull_token),
        ("weather", settings.feed_weather_pull_url, settings.feed_weather_pull_token),
    ]
    return [
        PullSource(
            provider=provider,  # type: ignore[arg-type]
            url=url,
            token=token.get_secret_value(),
            page=settings.feed_poll_page,
            interval=settings.feed_poll_seconds,
            backoff_ceiling=settings.feed_backoff_max_seconds,
            timeout=settings.provider_timeout_seconds,
        )
        for provider, url, token in configured
        if url
    ]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # What the settings make (config.py) is built now, once: a bad NOTIFY_PII_KEY stops the start-up.
    _ = settings.pii_cipher, settings.approved_templates

    def components(resources: Resources) -> Sequence[Component]:
        running: list[Component] = []
        if settings.send_enabled:
            running += [
                Sender(settings, resources.session_factory, resources.redis),
                campaign_runner(resources.session_factory, settings),
                invitation_reminders(resources.session_factory, settings),
            ]
        if settings.reminders_enabled:
            running += [
                DailyReminders(
                    resources.session_factory,
                    resources.redis,
                    settings,
                    settings.reminder_interval_seconds,
                ),
                weather_alert_fanout(resources.session_factory, settings),
            ]
        pulled = _pulled_feeds(settings)
        if pulled:
            pullers = FeedPullers(resources.session_factory, pulled)
            app.state.feed_pullers = pullers
            running.append(pullers)
        return running

    app = create_service_app(
        settings,
        routers=[
            audience_router,
            campaigns_router,
            delivery_router,
            feeds_router,
            feed_webhooks_router,
            inbox_router,
            outreach_router,
            preferences_router,
            publications_router,
            articles_router,
            reminders_router,
            templates_router,
        ],
        subscriptions=subscriptions,
        components=components,
        description=notify_svc.__doc__ or "",
    )
    publish_audiences(app, GATEWAY_AUDIENCES)
    return app
