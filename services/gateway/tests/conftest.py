"""The gateway's suite: the real app (real Postgres, Redis, Kafka) in front of stand-in services and
the fake WeChat and SMS servers, each a real HTTP server on a free port."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cheyou_devinfra import Infra
from cheyou_events.topics import TOPICS, ensure_topics
from cheyou_fakes import running, sms, wechat
from cheyou_kit.testing import (
    Identities,
    app_client,
    migrated_database,
    rollback_session,
    stops_with_the_suite,
)
from gateway.config import Settings
from gateway.main import create_app
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from .sign_in import ADMIN_PASSWORD, STAFF_PASSWORD, wechat_sign_in
from .stand_ins import SEGMENTS, World, create_stand_in

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="session")
def identities(tmp_path_factory: pytest.TempPathFactory) -> Identities:
    return Identities(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def world() -> World:
    return World()


@pytest.fixture(scope="session")
def stand_ins(identities: Identities, world: World) -> Iterator[dict[str, str]]:
    """Every service the gateway routes to, as a stand-in: name → base URL."""
    public_key = identities.public_key_file.read_bytes()
    urls: dict[str, str] = {}
    servers = []
    try:
        for name in SEGMENTS:
            server = running(create_stand_in(name, public_key, world))
            urls[name] = server.__enter__()
            servers.append(server)
        yield urls
    finally:
        for server in reversed(servers):
            server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def wechat_url() -> Iterator[str]:
    with running(wechat.create_app(appid="wx-test", secret="wx-test-secret")) as url:
        yield url


@pytest.fixture(scope="session")
def sms_url() -> Iterator[str]:
    with running(sms.create_app(access_key_id="sms-test-key")) as url:
        yield url


@pytest.fixture(scope="session")
async def base_settings(
    infra: Infra, identities: Identities, stand_ins: dict[str, str], wechat_url: str, sms_url: str
) -> dict[str, Any]:
    await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))
    url = await migrated_database(infra, ROOT, "gateway_test")
    return {
        **infra.env(),
        "database_url": url,
        "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
        "INTERNAL_TOKEN_PRIVATE_KEY_FILE": str(identities.public_key_file.with_name("internal-token.key")),
        "LOG_JSON": False,
        "OTEL_ENABLED": False,
        "consumer_group": f"{Settings.service_name}.test-{uuid.uuid4().hex[:8]}",
        "MEMBER_URL": stand_ins["member-svc"],
        "PRIVILEGE_URL": stand_ins["privilege-svc"],
        "MERCHANT_URL": stand_ins["merchant-svc"],
        "CLAIMS_URL": stand_ins["claims-svc"],
        "NOTIFY_URL": stand_ins["notify-svc"],
        "WECHAT_API_BASE_URL": wechat_url,
        "WECHAT_APPID": "wx-test",
        "WECHAT_SECRET": "wx-test-secret",
        "SMS_API_BASE_URL": sms_url,
        "SMS_ACCESS_KEY_ID": "sms-test-key",
        "access_token_secret": "a-test-key-of-the-gateway-only-0123456789",
        "seed_demo_staff": True,
        "demo_staff_password": STAFF_PASSWORD,
        "demo_admin_password": ADMIN_PASSWORD,
        # Every test shares 127.0.0.1; limits are exercised on gateways of their own (``gateway`` fixture).
        "trusted_proxies": ["127.0.0.0/8", "::1/128"],
        "rate_limit_per_ip": 100_000,
        "rate_limit_per_principal": 100_000,
        "login_rate_limit_per_ip": 100_000,
        "otp_per_ip_hour": 100_000,
        "breaker_failure_threshold": 1_000,
        "upstream_timeout_seconds": 2.0,
        "me_part_timeout_seconds": 1.0,
    }


@pytest.fixture(scope="session")
def service_settings(base_settings: dict[str, Any]) -> Settings:
    return Settings.model_validate(base_settings)


@pytest.fixture(scope="package")
async def client(
    request: pytest.FixtureRequest, service_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway app for this suite only: it stops when the suite ends (``cheyou_kit.testing``)."""
    stops_with_the_suite(request)
    async with app_client(create_app(service_settings)) as http:
        yield http


GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def gateway(base_settings: dict[str, Any], client: httpx.AsyncClient) -> GatewayFactory:
    """Another gateway with some settings changed (limits, breaker), sharing the database and Redis
    (and the demo staff the main one seeded)."""

    @asynccontextmanager
    async def start(peer: str | None = None, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        """``peer``: the address the test client connects from (127.0.0.1 when not given)."""
        settings = Settings.model_validate(
            {**base_settings, "consumers_enabled": False, "seed_demo_staff": False, **overrides}
        )
        app = create_app(settings)
        if peer is None:
            async with app_client(app) as http:
                yield http
            return
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(peer, 50_000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http

    return start


@pytest.fixture
async def session(service_settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_async_engine(service_settings.sqlalchemy_url)
    async with rollback_session(engine) as rolled_back:
        yield rolled_back
    await engine.dispose()


@pytest.fixture
async def member(
    client: httpx.AsyncClient, wechat_url: str, world: World
) -> tuple[uuid.UUID, dict[str, str]]:
    """A signed-in member: (member id, Authorization header)."""
    member_id, tokens = await wechat_sign_in(client, wechat_url, world)
    return member_id, {"Authorization": f"Bearer {tokens['access_token']}"}
