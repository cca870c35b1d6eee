"""notify-svc's suite: its own migrated database, the real app served over HTTP (so the fake SMS provider
can push receipts to it), and the fake WeChat and SMS servers of ``cheyou_fakes``."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_devinfra import ensure_topics
from cheyou_events import TOPICS
from cheyou_fakes import running, sms, wechat
from cheyou_kit.testing import Identities, migrated_database, rollback_session
from notify_svc.config import Settings
from notify_svc.main import create_app
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
    url = await migrated_database(infra.postgres_dsn, ROOT, f"{Settings.database_name}_test")
    wechat_url, sms_url = fake_urls
    return Settings.model_validate(
        {
            **infra.env(),
            "database_url": url,
            "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
            "LOG_JSON": False,
            "OTEL_ENABLED": False,
            "consumer_group": f"{Settings.service_name}.test-{uuid.uuid4().hex[:8]}",
            "WECHAT_API_BASE_URL": wechat_url,
            "SMS_API_BASE_URL": sms_url,
            "sms_receipt_token": RECEIPT_TOKEN,
            "provider_timeout_seconds": 3.0,  # generous: the fakes share a loaded CI box
            "sms_receipt_wait_seconds": 1.0,
            "dispatch_idle_seconds": 0.05,
            "quiet_start_hour": 0,
            "quiet_end_hour": 0,
            "campaign_tick_seconds": 0.2,
        }
    )


@pytest.fixture(scope="session")
async def client(service_settings: Settings, fakes: Fakes) -> AsyncIterator[httpx.AsyncClient]:
    with running(create_app(service_settings)) as base_url:
        await fakes.sms.post(
            "/_fake/receipt-url", json={"url": f"{base_url}/api/v1/sms-receipts?token={RECEIPT_TOKEN}"}
        )
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
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
