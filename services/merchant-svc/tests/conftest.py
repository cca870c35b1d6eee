"""Fixtures of merchant-svc's suite: its own migrated database, the real app, a real webhook receiver.

The kit's ``service_fixtures`` is spelled out here because this suite needs settings of its own
(retry delays of seconds, private webhook URLs allowed for the local receiver) and a second app on
the same database for the restart tests.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_events import TOPICS
from cheyou_kit.testing import Identities, app_client, migrated_database, rollback_session
from merchant_svc.config import Settings
from merchant_svc.main import create_app
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from .receiver import Receiver
from .world import World

ROOT = Path(__file__).parents[1]

TEST_SETTINGS: dict[str, Any] = {
    "allow_private_webhooks": True,
    "webhook_retry_schedule_s": [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "webhook_retry_jitter": 0.1,
    "webhook_timeout_s": 2.0,
    "webhook_poll_interval_s": 0.2,
    "webhook_endpoint_max_in_flight": 2,
    "accept_deadline_poll_interval_s": 0.3,
}


@pytest.fixture(scope="session")
def identities(tmp_path_factory: pytest.TempPathFactory) -> Identities:
    return Identities(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
async def service_settings(infra: Any, identities: Identities) -> Settings:
    from cheyou_devinfra import ensure_topics

    # Outside `make test` nobody has created the platform's topics on this fresh broker yet.
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    url = await migrated_database(infra.postgres_dsn, ROOT, f"{Settings.database_name}_test")
    return Settings.model_validate(
        {
            **infra.env(),
            "database_url": url,
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
            "LOG_JSON": False,
            "OTEL_ENABLED": False,
            "consumer_group": f"{Settings.service_name}.test-{uuid.uuid4().hex[:8]}",
            **TEST_SETTINGS,
        }
    )


@pytest.fixture(scope="session")
async def client(service_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(service_settings)) as http:
        yield http


@pytest.fixture
async def session(service_settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(service_settings.sqlalchemy_url)
    async with rollback_session(engine) as rolled_back:
        yield rolled_back
    await engine.dispose()


@pytest.fixture(scope="session")
async def sessions(service_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Committing sessions, to read what the running app wrote or to set up a scenario's state."""
    engine = create_async_engine(service_settings.sqlalchemy_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def world(
    client: httpx.AsyncClient,
    identities: Identities,
    service_settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> World:
    return World(client, identities, service_settings, sessions)
