import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.testing import header_value, read_topic
from cheyou_kit.testing import eventually, service_fixtures
from privilege_svc.config import Settings
from privilege_svc.main import create_app
from privilege_svc.members import service as members
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

identities, service_settings, client, session = service_fixtures(
    Settings, create_app, Path(__file__).parents[1]
)


@pytest.fixture(scope="session")
async def committed(service_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that commit, for arranging state the app (another connection) must see."""
    engine = create_async_engine(service_settings.sqlalchemy_url, pool_size=5)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


Emitted = Callable[..., Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def emitted(service_settings: Settings) -> Emitted:
    """``await emitted(event_type, key, count=1)``: the payloads of that type and key privilege-svc has
    put on ``privilege.events`` so far, waiting until there are at least ``count``."""

    async def read(event_type: str, key: str, count: int = 1) -> list[dict[str, Any]]:
        async def probe() -> list[dict[str, Any]] | None:
            records = await read_topic(service_settings.kafka_bootstrap_servers, "privilege.events")
            found = [
                json.loads(r.value)
                for r in records
                if r.key == key.encode() and header_value(r, "ce_type") == event_type
            ]
            return found if len(found) >= count else None

        return await eventually(probe, within=30)

    return read


NewMember = Callable[..., Awaitable[str]]


@pytest.fixture
def new_member(committed: async_sessionmaker[AsyncSession]) -> NewMember:
    """``await new_member(Tier.THREE_STAR)``: a member privilege-svc knows at that tier, as if member-svc
    had announced it a day ago."""

    async def make(tier: Tier = Tier.ORDINARY, member_id: str | None = None) -> str:
        member_id = member_id or str(uuid.uuid4())
        async with committed() as session, session.begin():
            await members.apply_tier_change(
                session,
                TierChanged(
                    member_id=member_id,
                    from_tier=Tier.PROSPECTIVE,
                    to_tier=tier,
                    contribution_fen=100_000,
                    reason="policy_issued",
                    changed_at=datetime.now(UTC) - timedelta(days=1),
                ),
            )
        return member_id

    return make
