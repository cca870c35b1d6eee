"""A service's subscriptions in its app: the consumer the lifespan starts hands each handler an
``EventContext`` (the consumer's session, the service's settings, the app's resources), and what the
handler writes commits with the inbox row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from cheyou_devinfra import ensure_database, ensure_topics
from cheyou_devinfra.manager import Infra
from cheyou_events import TOPICS, Envelope, Subscriptions, event_inbox, events_metadata
from cheyou_events.catalogue.member import MemberVerified
from cheyou_kit.app import Resources, create_service_app
from cheyou_kit.eventing import EventContext
from cheyou_kit.settings import ServiceSettings
from cheyou_kit.testing import eventually, publish
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, MetaData, Table, Text, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


class ClubSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLUB_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "club-svc"
    database_name: ClassVar[str] = "club"
    default_port: ClassVar[int] = 8998
    greeting: str = "welcome"


seen_metadata = MetaData()
seen = Table("seen", seen_metadata, Column("member_id", Text), Column("greeting", Text))

Context = EventContext[ClubSettings]
subscriptions = Subscriptions[Context]()
resources_seen: list[Resources] = []


@subscriptions.on(MemberVerified)
async def on_member_verified(ctx: Context, event: Envelope[MemberVerified]) -> None:
    await ctx.session.execute(
        insert(seen).values(member_id=event.data.member_id, greeting=ctx.settings.greeting)
    )
    resources_seen.append(ctx.resources)


@pytest.fixture
async def settings(infra: Infra) -> ClubSettings:
    dsn = await ensure_database(infra.postgres_dsn, f"club_{uuid.uuid4().hex[:10]}")
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(events_metadata.create_all)
        await connection.run_sync(seen_metadata.create_all)
    await engine.dispose()
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    return ClubSettings.model_validate(
        {
            **infra.env(),
            "database_url": url,
            "OTEL_ENABLED": False,
            "LOG_JSON": False,
            "consumer_group": f"club-svc.test-{uuid.uuid4().hex[:8]}",
            "greeting": "欢迎",
        }
    )


class TestSubscriptionsInTheApp:
    async def test_the_consumer_hands_each_handler_the_session_settings_and_resources(
        self, settings: ClubSettings
    ) -> None:
        member_id = f"M-{uuid.uuid4().hex[:8]}"
        event = Envelope.new(
            MemberVerified(member_id=member_id, reviewer_id="r1", verified_at=datetime.now(UTC)),
            source="member-svc",
        )
        app = create_service_app(settings, routers=[], subscriptions=subscriptions)

        async with app.router.lifespan_context(app):
            await publish(settings.kafka_bootstrap_servers, event, event)
            engine = app.state.resources.engine

            async def handled() -> list[tuple[str, str]] | None:
                async with engine.connect() as connection:
                    rows = (
                        await connection.execute(
                            select(seen.c.member_id, seen.c.greeting).where(seen.c.member_id == member_id)
                        )
                    ).all()
                return [(row[0], row[1]) for row in rows] or None

            # the group reads member.events from its start: earlier tests' events are handled too
            assert await eventually(handled) == [(member_id, "欢迎")]
            async with engine.connect() as connection:
                inbox = await connection.scalar(
                    select(func.count())
                    .select_from(event_inbox)
                    .where(
                        event_inbox.c.consumer_group == settings.group_id, event_inbox.c.event_id == event.id
                    )
                )
            assert inbox == 1
            assert resources_seen[-1] is app.state.resources
