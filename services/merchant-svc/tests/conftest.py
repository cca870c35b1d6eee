"""Fixtures of merchant-svc's suite: its own migrated database, the real app, a real webhook receiver.

The suite runs with settings of its own (retry delays of seconds, webhooks allowed to loopback for the
local receiver, as the local platform sets it; production allows no private network); ``sessions``
commits, for the restart tests' second app on the same database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_kit.testing import Identities, service_fixtures
from merchant_svc.config import Settings
from merchant_svc.main import create_app
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from .receiver import Receiver
from .world import World

ROOT = Path(__file__).parents[1]

TEST_SETTINGS: dict[str, Any] = {
    "webhook_allowed_networks": ["127.0.0.0/8", "::1/128"],
    "webhook_retry_schedule_s": [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    "webhook_retry_jitter": 0.1,
    "webhook_timeout_s": 2.0,
    "webhook_poll_interval_s": 0.2,
    "webhook_endpoint_max_in_flight": 2,
    "accept_deadline_poll_interval_s": 0.3,
}


identities, service_settings, client, session = service_fixtures(Settings, create_app, ROOT, TEST_SETTINGS)


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
