import asyncio
import json
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cheyou_devinfra._process import free_port
from cheyou_events.catalogue.fields import Tier
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.testing import header_value, read_topic
from cheyou_fakes import running, wechatpay
from cheyou_kit.testing import eventually, service_fixtures
from privilege_svc.config import Settings
from privilege_svc.main import create_app
from privilege_svc.member_projection import service as members
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

# WeChat Pay: the fake (libs/fakes) on a port of its own with keys made for this run, and the app served
# over HTTP too (``notifications``) so the fake's notifications reach it as WeChat Pay's reach the gateway.
# The payments job is off: tests run its rounds themselves (``payments_job``).
WECHATPAY = wechatpay.DevCredentials.load_or_generate(Path(tempfile.mkdtemp(prefix="privilege-wechatpay-")))
WECHATPAY_PORT, NOTIFY_PORT = free_port(), free_port()
NOTIFY_URL = f"http://127.0.0.1:{NOTIFY_PORT}/api/v1/payments/wechatpay/notifications"
PAYMENT_SETTINGS = {
    "wechatpay_api_base_url": f"http://127.0.0.1:{WECHATPAY_PORT}",
    "wechatpay_mchid": WECHATPAY.mchid,
    "wechatpay_appid": WECHATPAY.appid,
    "wechatpay_merchant_serial": WECHATPAY.merchant_serial,
    "wechatpay_merchant_private_key_file": str(WECHATPAY.merchant_private_key_file),
    "wechatpay_platform_public_key_file": str(WECHATPAY.platform_public_key_file),
    "wechatpay_platform_key_serial": WECHATPAY.platform_key_serial,
    "wechatpay_apiv3_key": WECHATPAY.apiv3_key,
    "wechatpay_notify_url": NOTIFY_URL,
    "payment_job_interval_s": 0,
    "reconciliation_job_interval_s": 0,
}

identities, service_settings, client, session = service_fixtures(
    Settings, create_app, Path(__file__).parents[1], extra_settings=PAYMENT_SETTINGS
)


@pytest.fixture(scope="session")
def wechatpay_credentials() -> wechatpay.DevCredentials:
    """The merchant's keys and the fake's platform key of this run (tests sign notifications with them)."""
    return WECHATPAY


@pytest.fixture(scope="session")
async def wechatpay_fake() -> AsyncIterator[httpx.AsyncClient]:
    """The fake WeChat Pay, and a client for its test controls (``/_fake/...``)."""
    app = wechatpay.create_app(WECHATPAY, retry_scale=0.01)
    with running(app, port=WECHATPAY_PORT) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=10) as fake:
            yield fake


async def _started(server: uvicorn.Server) -> bool | None:
    return True if server.started else None


@pytest.fixture(scope="package")
async def notifications(client: httpx.AsyncClient) -> AsyncIterator[str]:
    """The suite's app (its lifespan run by ``client``) served over HTTP at ``NOTIFY_PORT`` as well."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    server = uvicorn.Server(
        uvicorn.Config(transport.app, host="127.0.0.1", port=NOTIFY_PORT, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), within=30)
    yield NOTIFY_URL
    server.should_exit = True
    await task


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
