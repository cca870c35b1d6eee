"""notify-svc's suite: its own migrated database, the real app served over HTTP (so the fake SMS provider
can push receipts to it), and the fake WeChat and SMS servers of ``cheyou_fakes``."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cheyou_devinfra import ensure_topics
from cheyou_events import TOPICS
from cheyou_fakes import running, sms, wechat
from cheyou_kit.identity import Role
from cheyou_kit.testing import (
    Identities,
    eventually,
    migrated_database,
    rollback_session,
    sign_identity,
    stops_with_the_suite,
)
from notify_svc.config import Settings
from notify_svc.main import create_app, subscriptions
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

ROOT = Path(__file__).parents[1]
RECEIPT_TOKEN = "test-receipt-token"


@dataclass(frozen=True)
class Fakes:
    wechat: httpx.AsyncClient
    sms: httpx.AsyncClient
    wechat_url: str
    sms_url: str


@pytest.fixture(scope="session", autouse=True)
async def platform_topics(infra: Any) -> None:
    """The topics ``make test`` provisions; created here too so the suite runs on its own."""
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))


HANDLED_TOPICS = subscriptions.topics()


async def start_at_the_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit the group's offsets at the end of every topic it reads.

    The test broker is shared by every suite running on the machine: a new group would otherwise
    replay all of their events (thousands of notices) before reaching this suite's own.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for topic in topics for p in range(TOPICS[topic])]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


@pytest.fixture(scope="session")
def identities(tmp_path_factory: pytest.TempPathFactory) -> Identities:
    return Identities(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def fake_urls() -> Iterator[tuple[str, str]]:
    with running(wechat.create_app()) as wechat_url, running(sms.create_app()) as sms_url:
        yield wechat_url, sms_url


@pytest.fixture(scope="session")
async def fakes(fake_urls: tuple[str, str]) -> AsyncIterator[Fakes]:
    wechat_url, sms_url = fake_urls
    async with httpx.AsyncClient(base_url=wechat_url) as wx, httpx.AsyncClient(base_url=sms_url) as sm:
        yield Fakes(wx, sm, wechat_url, sms_url)


@pytest.fixture(scope="session")
async def service_settings(
    infra: Any, platform_topics: None, identities: Identities, fake_urls: tuple[str, str]
) -> Settings:
    url = await migrated_database(infra, ROOT, f"{Settings.database_name}_test")
    wechat_url, sms_url = fake_urls
    group = f"{Settings.service_name}.test-{uuid.uuid4().hex[:8]}"
    await start_at_the_end(infra.kafka_bootstrap, group, HANDLED_TOPICS)
    return Settings.model_validate(
        {
            **infra.env(),
            "database_url": url,
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
            "LOG_JSON": False,
            "OTEL_ENABLED": False,
            "consumer_group": group,
            "WECHAT_API_BASE_URL": wechat_url,
            "SMS_API_BASE_URL": sms_url,
            "sms_receipt_token": RECEIPT_TOKEN,
            "provider_timeout_seconds": 3.0,  # generous: the fakes share a loaded CI box
            "sms_receipt_wait_seconds": 1.0,
            "send_idle_seconds": 0.05,
            "quiet_start_hour": 0,
            "quiet_end_hour": 0,
            "campaign_tick_seconds": 0.2,
            "alert_tick_seconds": 0.2,
            "reminder_chunk": 3,  # several chunks even with a handful of rows
            "reminder_interval_seconds": 24 * 3600.0,  # once at start-up; the tests run the jobs themselves
        }
    )


@pytest.fixture(scope="package")
async def client(
    service_settings: Settings, fakes: Fakes, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    """The app, served until the suite's last test (its consumers must not outlive the suite)."""
    stops_with_the_suite(request)
    with running(create_app(service_settings)) as base_url:
        await fakes.sms.post(
            "/_fake/receipt-url",
            json={"url": f"{base_url}/api/v1/sms-receipts", "headers": {"X-Receipt-Token": RECEIPT_TOKEN}},
        )
        async with httpx.AsyncClient(
            base_url=base_url, timeout=10, event_hooks={"request": [sign_identity]}
        ) as http:
            yield http


@pytest.fixture
async def session(service_settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(service_settings.sqlalchemy_url)
    async with rollback_session(engine) as rolled_back:
        yield rolled_back
    await engine.dispose()


@pytest.fixture(scope="session")
async def sessions(service_settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that commit, to set up data the app reads over HTTP."""
    engine = create_async_engine(service_settings.sqlalchemy_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def until_known(client: httpx.AsyncClient, identities: Identities, member: str) -> None:
    """Wait until the audience projection has the member: ``member.events`` and the other topics are
    not ordered with each other, so a test that needs the contact first waits for it."""
    ops = identities.headers("notify-svc", Role.OPS)

    async def known() -> bool | None:
        return (await client.get(f"/api/v1/audience/{member}", headers=ops)).status_code == 200 or None

    await eventually(known)
