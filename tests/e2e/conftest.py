"""The platform as real processes, started by the same launcher as ``make up``, on free ports.

``CHEYOU_E2E_PLATFORM=<state dir>`` runs the suite against a platform already started with that state
dir (its ports, infrastructure and ``MEMBER_PII_HASH_KEY`` in the environment) instead of starting one.
"""

import base64
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cheyou_devinfra import Infra
from cheyou_devinfra._process import free_port
from cheyou_devinfra.components import ApacheKafka, Tansu
from cheyou_devinfra.demo import Platform
from cheyou_devinfra.platform import FAKES, SERVICES, Service, start_platform, stop_services
from cheyou_devinfra.pytest_plugin import temporary_state_dir

# Test settings of the platform under test: demo staff to sign in with, and the per-address limits
# raised (every test client comes from 127.0.0.1; the limits have their own tests in the gateway).
PLATFORM_SETTINGS = {
    "GATEWAY_SEED_DEMO_STAFF": "true",
    "GATEWAY_RATE_LIMIT_PER_IP": "1000000",
    "GATEWAY_RATE_LIMIT_PER_PRINCIPAL": "1000000",
    "GATEWAY_LOGIN_RATE_LIMIT_PER_IP": "1000000",
    "GATEWAY_OTP_PER_IP_HOUR": "1000000",
    # Webhook retries in seconds, not minutes: a delivery that fails once on a loaded box comes again soon.
    "MERCHANT_WEBHOOK_RETRY_SCHEDULE_S": "[0, 1, 2, 3, 5, 8]",
}


@pytest.fixture(scope="session")
def platform_kafka(infra: Infra) -> Iterator[str]:
    """A broker of the platform's own. The services' suites leave their apps consuming the session's
    broker until the session ends; on a shared broker they would act on the platform's events (and it
    on theirs) — e.g. another merchant-svc declaring an e2e order unplaceable."""
    if running := os.environ.get("CHEYOU_E2E_KAFKA"):
        yield running
        return
    broker = (Tansu if infra.broker == "tansu" else ApacheKafka)(temporary_state_dir("platform-kafka"))
    try:
        yield broker.start()
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def platform(infra: Infra, platform_kafka: str) -> Iterator[Path]:
    """Every service running as its own uvicorn process against the session's Postgres (databases of
    its own names) and Redis (a database number of its own), and a broker of its own."""
    if running := os.environ.get("CHEYOU_E2E_PLATFORM"):
        yield Path(running)
        return
    state = temporary_state_dir("platform")
    saved = dict(os.environ)
    os.environ.update(infra.env())
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = platform_kafka
    # Databases of this run's own: a test infrastructure reused across runs keeps earlier runs' data.
    os.environ["CHEYOU_DATABASE_SUFFIX"] = f"_e2e_{secrets.token_hex(4)}"
    os.environ["REDIS_URL"] = infra.redis_url.rsplit("/", 1)[0] + "/1"
    os.environ.update({f"{service.env_prefix}PORT": str(free_port()) for service in SERVICES})
    os.environ.update({f"CHEYOU_FAKE_{fake.name.upper()}_PORT": str(free_port()) for fake in FAKES})
    os.environ.update(PLATFORM_SETTINGS)
    # The PII keys, as a deployment sets them; the hash key is shared with the core policy system,
    # which is how the feed's holder_id_hash links policies to members.
    os.environ["MEMBER_PII_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    os.environ["MEMBER_PII_HASH_KEY"] = base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        start_platform(state)
        yield state
    finally:
        stop_services(state)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def services(platform: Path) -> dict[str, Service]:
    return {service.name: service for service in SERVICES}


@pytest.fixture
async def cheyou(services: dict[str, Service]) -> AsyncIterator[Platform]:
    """The gateway, the fake providers and the feed, with helpers to sign in as anyone."""
    fakes = {fake.name: fake.url for fake in FAKES}
    hash_key = base64.b64decode(os.environ["MEMBER_PII_HASH_KEY"])
    driver = Platform(services["gateway"].url, fakes["wechat"], fakes["sms"], hash_key)
    try:
        yield driver
    finally:
        await driver.aclose()


@pytest.fixture
async def staff(cheyou: Platform) -> dict[str, httpx.AsyncClient]:
    """Each demo staff account, signed in."""
    names = ("admin", "ops1", "reviewer1", "reviewer2", "manager1", "manager2", "surveyor1")
    return {name: await cheyou.staff(name) for name in names}
