"""The platform as real processes, started by the same launcher as ``make up``, on free ports.

The platform gets a Kafka broker, a Postgres server and a Redis server of its own (so the fault and
outage tests can restart or stop them without disturbing the other packages' suites, which share the
session's infrastructure), and databases of this run's own names.

``CHEYOU_E2E_PLATFORM=<state dir>`` runs the suite against a platform already started with that state
dir (its ports, infrastructure and ``MEMBER_PII_HASH_KEY`` in the environment) instead of starting one;
the fault tests then need ``CHEYOU_E2E_KAFKA`` and ``CHEYOU_E2E_POSTGRES`` too and can restart only
the services (not the infrastructure), so they fail rather than pretend.
"""

import asyncio
import base64
import io
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

import httpx
import pytest
from cheyou_demo import Member, Platform
from cheyou_devinfra import Infra
from cheyou_devinfra._process import free_port
from cheyou_devinfra.components import ApacheKafka, KafkaBroker, Postgres, Tansu
from cheyou_devinfra.components import Redis as RedisServer
from cheyou_devinfra.components import Service as InfraService
from cheyou_devinfra.platform import (
    FAKES,
    ONE_CLIENT_LIMITS,
    SERVICES,
    Service,
    running_broker,
    start_platform,
    stop_platform,
    stop_services,
)
from cheyou_devinfra.pytest_plugin import temporary_state_dir
from cheyou_fakes import sms, wechat
from cheyou_fakes.server import running
from cheyou_kit.testing import eventually
from PIL import ExifTags, Image


def _quiet_hours() -> dict[str, str]:
    """Marketing quiet hours that hold for the whole run: from this hour (Asia/Shanghai) for six hours.

    Flow 5 checks that marketing waits for the morning while a reminder goes out at once; with the
    default 21:00–08:00 which of the two it sees would depend on when the suite runs."""
    hour = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    return {"NOTIFY_QUIET_START_HOUR": str(hour), "NOTIFY_QUIET_END_HOUR": str((hour + 6) % 24)}


# Test settings of the platform under test: demo staff to sign in with, and the per-address limits
# raised (every test client comes from 127.0.0.1; the limits have their own tests in the gateway).
PLATFORM_SETTINGS = {
    "GATEWAY_SEED_DEMO_STAFF": "true",
    **ONE_CLIENT_LIMITS,
    # Webhook retries in seconds, not minutes: a delivery that fails once on a loaded box comes again soon.
    "MERCHANT_WEBHOOK_RETRY_SCHEDULE_S": "[0, 1, 2, 3, 5, 8]",
    # Payments: refunds submitted and unpaid orders expired every 2 s, not every 30 s.
    "PRIVILEGE_PAYMENT_JOB_INTERVAL_S": "2",
    # Invitation reminders queued every 2 s, not every minute (the invitations flow moves time on).
    "NOTIFY_INVITATION_TICK_SECONDS": "2",
    **_quiet_hours(),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a fault-injection scenario (runs in `make test` too)")


def _platform_environment(infra: Infra, *, redis_db: int) -> dict[str, str]:
    """What a platform under test gets besides its Postgres and broker: a Redis database of its own,
    free ports for every service and fake, the test settings and fresh PII keys."""
    return {
        "REDIS_URL": infra.redis_url.rsplit("/", 1)[0] + f"/{redis_db}",
        **{f"{service.env_prefix}PORT": str(free_port()) for service in SERVICES},
        **{f"CHEYOU_FAKE_{fake.name.upper()}_PORT": str(free_port()) for fake in FAKES},
        **PLATFORM_SETTINGS,
        # The PII keys, as a deployment sets them; the hash key is shared with the core policy system,
        # which is how the feed's holder_id_hash links policies to members.
        "MEMBER_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "MEMBER_PII_HASH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


@pytest.fixture(scope="session")
def platform_broker(infra: Infra) -> Iterator[KafkaBroker | None]:
    """A broker of the platform's own (None when ``CHEYOU_E2E_KAFKA`` names a running one): the fault
    tests restart it without disturbing the session's broker, and the services' suites (whose apps read
    the session's topics from the start) never see the platform's events, nor it theirs."""
    if os.environ.get("CHEYOU_E2E_KAFKA"):
        yield None
        return
    broker = (Tansu if infra.broker == "tansu" else ApacheKafka)(temporary_state_dir("platform-kafka"))
    try:
        broker.start()
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def platform_kafka(platform_broker: KafkaBroker | None) -> str:
    return platform_broker.url if platform_broker is not None else os.environ["CHEYOU_E2E_KAFKA"]


@pytest.fixture(scope="session")
def platform_postgres() -> Iterator[Postgres | None]:
    """A Postgres server of the platform's own, so that restarting it touches no other suite."""
    if os.environ.get("CHEYOU_E2E_PLATFORM"):
        yield None
        return
    server = Postgres(temporary_state_dir("platform-postgres"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def platform_postgres_dsn(platform_postgres: Postgres | None) -> str:
    """The server-level DSN of the platform's Postgres."""
    return platform_postgres.url if platform_postgres is not None else os.environ["CHEYOU_E2E_POSTGRES"]


@pytest.fixture(scope="session")
def platform_redis() -> Iterator[RedisServer | None]:
    """A Redis of the platform's own, so that the outage test can stop it without touching any other
    suite's (None against a running platform: that test then fails rather than pretend)."""
    if os.environ.get("CHEYOU_E2E_PLATFORM"):
        yield None
        return
    server = RedisServer(temporary_state_dir("platform-redis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def platform(
    infra: Infra,
    platform_kafka: str,
    platform_postgres_dsn: str,
    platform_postgres: Postgres | None,
    platform_redis: RedisServer | None,
) -> Iterator[Path]:
    """Every service running as its own uvicorn process (the launcher of ``make up``)."""
    if running := os.environ.get("CHEYOU_E2E_PLATFORM"):
        yield Path(running)
        return
    state = temporary_state_dir("platform")
    saved = dict(os.environ)
    os.environ.update(infra.env())
    os.environ["POSTGRES_DSN"] = platform_postgres_dsn
    os.environ["KAFKA_BOOTSTRAP_SERVERS"] = platform_kafka
    # Databases of this run's own names (the platform's server is new each run; the names also keep
    # a platform pointed at a long-lived server by CHEYOU_E2E_POSTGRES apart from earlier runs).
    os.environ["CHEYOU_DATABASE_SUFFIX"] = f"_e2e_{secrets.token_hex(4)}"
    os.environ.update(_platform_environment(infra, redis_db=1))
    if platform_redis is not None:
        os.environ["REDIS_URL"] = platform_redis.url
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


class Processes:
    """Kill and start single platform processes (the launcher starts and stops only all of them).

    A process is started again with the command line and environment it ran with (read from
    ``/proc`` before it goes), logging to the same file, its pid recorded where ``stop_services``
    finds it at the end of the session."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self._launch: dict[str, tuple[list[str], dict[str, str]]] = {}

    def _pid_file(self, name: str) -> Path:
        return self.state / "run" / f"{name}.pid"

    def _remember(self, name: str) -> int:
        pid = int(self._pid_file(name).read_text())
        proc = Path(f"/proc/{pid}")
        argv = proc.joinpath("cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        pairs = (item.partition(b"=") for item in proc.joinpath("environ").read_bytes().split(b"\0") if item)
        self._launch[name] = ([a.decode() for a in argv], {k.decode(): v.decode() for k, _, v in pairs})
        return pid

    def kill(self, name: str) -> None:
        """SIGKILL the process group: a crash, no graceful shutdown."""
        pid = self._remember(name)
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self, name: str) -> None:
        argv, env = self._launch[name]
        log = (self.state / "logs" / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._pid_file(name).write_text(str(process.pid))

    async def wait_ready(self, service: Service, within: float = 60) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                try:
                    if (await http.get(f"{service.url}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"{service.name} not ready {within:.0f}s after its restart")


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie: the launcher's Popen objects are gone, so we reap it)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="session")
def processes(platform: Path) -> Processes:
    return Processes(platform)


# --- a second platform, on Tansu, run by the launcher as `make up` runs it (the Tansu recovery rehearsal)


@dataclass(frozen=True)
class LaunchedPlatform:
    """A platform the launcher runs for ``state`` as ``make up`` runs ``.dev``: its Postgres and broker
    recorded under ``state/infra``, its services under ``state/run``. ``up()`` is ``make up``, ``down()``
    is ``make down``; the fake WeChat and SMS providers are not the launcher's and outlive both."""

    state: Path
    wechat: str
    sms: str
    hash_key: bytes
    processes: Processes

    @property
    def infra(self) -> Infra:
        """What the launcher recorded in ``state/infra/infra.json`` (the runbook reads it too)."""
        return Infra(**json.loads((self.state / "infra" / "infra.json").read_text()))

    def driver(self) -> Platform:
        gateway = next(service for service in SERVICES if service.name == "gateway")
        return Platform(gateway.url, self.wechat, self.sms, self.hash_key)

    def up(self) -> None:
        start_platform(self.state)

    def down(self) -> None:
        stop_platform(self.state)

    def broker(self) -> InfraService:
        """The running broker, to crash and start again (``kill()``, ``start()``)."""
        return running_broker(self.state)


@pytest.fixture(scope="module")
def tansu_platform(infra: Infra) -> Iterator[LaunchedPlatform]:
    """A second platform, on Tansu (``CHEYOU_BROKER=tansu``), apart from the session's: the launcher
    starts a Tansu and a Postgres of its own under its state dir; Redis database 2, ports of its own.
    The fake WeChat and SMS run in this process, outside the launcher, as the real providers would:
    ``make down`` does not wipe the messages they received.

    ``os.environ`` is this platform's for the module (the launcher and ``Service.url`` read it)."""
    state = temporary_state_dir("tansu-platform")
    saved = dict(os.environ)
    for name in ("POSTGRES_DSN", "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BROKER_KIND", "CHEYOU_DATABASE_SUFFIX"):
        os.environ.pop(name, None)  # else the launcher would use the session's Postgres, and its databases
    environment = _platform_environment(infra, redis_db=2)
    os.environ.update(environment)
    os.environ["CHEYOU_BROKER"] = "tansu"
    os.environ["CHEYOU_KAFKA_PORT"] = str(free_port())
    os.environ["CHEYOU_POSTGRES_PORT"] = str(free_port())
    try:
        with running(wechat.create_app()) as wechat_url, running(sms.create_app()) as sms_url:
            os.environ["WECHAT_API_BASE_URL"], os.environ["SMS_API_BASE_URL"] = wechat_url, sms_url
            launched = LaunchedPlatform(
                state,
                wechat_url,
                sms_url,
                base64.b64decode(environment["MEMBER_PII_HASH_KEY"]),
                Processes(state),
            )
            try:
                launched.up()
                yield launched
            finally:
                launched.down()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(state, ignore_errors=True)


# --- what a member of flow 1 sees ------------------------------------------------------------------------


async def _get(http: httpx.AsyncClient, url: str, **params: Any) -> Any:
    response = await http.get(url, params=params)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text}"
    return response.json()


async def _member_end_state(cheyou: Platform, member: Member) -> dict[str, Any]:
    me, http = member.member_id, member.http
    tier = await _get(http, f"/members/{me}/tier")
    history = await _get(http, f"/members/{me}/tier-history")
    entitlements = await _get(http, f"/entitlements/{me}", limit=100)
    points = await _get(http, f"/points/{me}/entries", limit=100)
    inbox = await _get(http, f"/inbox/{me}", limit=100)
    messages = await cheyou.wechat_messages(member.openid)
    return {
        "tier": (tier["tier"], tier["contribution_fen"]),
        "tier history": [(h["from_tier"], h["to_tier"]) for h in history],
        "entitlements": (
            entitlements["tier"],
            sorted((e["privilege_code"], e["mode"], e["quota"], e["used"]) for e in entitlements["items"]),
        ),
        "points": sorted((e["direction"], e["reason"], e["rule_code"], e["points"]) for e in points["items"]),
        "inbox": Counter((i["template_code"], i["title"]) for i in inbox["items"]),
        "wechat": Counter(m["template_id"] for m in messages),
    }


@pytest.fixture(scope="session")
def member_end_state() -> Callable[[Platform, Member], Awaitable[dict[str, Any]]]:
    """``await member_end_state(cheyou, member)``: what the member (and their WeChat) can see after
    flow 1 — tier, tier history, entitlements, points ledger, inbox, WeChat messages — without ids and
    timestamps, so two members' states compare equal."""
    return _member_end_state


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


STAFF_NAMES = ("admin", "ops1", "reviewer1", "reviewer2", "manager1", "manager2", "surveyor1")


@pytest.fixture(scope="session")
async def staff_tokens(services: dict[str, Service]) -> dict[str, str]:
    """One sign-in per demo staff account for the whole session."""
    fakes = {fake.name: fake.url for fake in FAKES}
    driver = Platform(services["gateway"].url, fakes["wechat"], fakes["sms"], b"")
    try:
        return {name: (await driver.staff(name)).headers["Authorization"] for name in STAFF_NAMES}
    finally:
        await driver.aclose()


@pytest.fixture
async def staff(cheyou: Platform, staff_tokens: dict[str, str]) -> dict[str, httpx.AsyncClient]:
    """Each demo staff account, signed in."""
    return {name: cheyou.client(Authorization=token) for name, token in staff_tokens.items()}


# --- claims: the photo a phone takes at the loss, and the one-click report -----------------------------


class Location(TypedDict):
    latitude: float
    longitude: float
    address: str


WUSI_ROAD = Location(latitude=26.0745, longitude=119.2965, address="福州市鼓楼区五四路与东街口交叉口")


def _photo() -> bytes:
    """A small real JPEG with the EXIF a phone camera writes: capture time now, GPS at the loss."""
    image = Image.new("RGB", (64, 48), (180, 40, 40))
    exif = Image.Exif()
    taken = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken

    def dms(value: float) -> tuple[float, float, float]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: dms(WUSI_ROAD["latitude"]), 3: "E", 4: dms(WUSI_ROAD["longitude"])})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def _report(member: Member, policy_no: str, **details: Any) -> dict[str, Any]:
    """The one-click report, as soon as claims-svc has the policy's cover (it comes through the feed)."""
    body = {
        "policy_no": policy_no,
        "loss_at": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
        "location": WUSI_ROAD,
        "accident_type": "two_vehicle",
        "loss_cause": "collision",
        "weather": "sunny",
        **details,
    }

    async def reported() -> dict[str, Any] | None:
        response = await member.http.post("/claims", json=body)
        if response.status_code in (403, 422) and response.json()["type"].endswith(
            ("/no-cover", "/not-policy-holder")
        ):
            return None  # claims-svc has not yet learnt the policy or its holder; nothing was written
        assert response.status_code == 201, response.text
        claim: dict[str, Any] = response.json()
        return claim

    return await eventually(reported, within=30)


@pytest.fixture
def claim_photo() -> Callable[[], bytes]:
    """Makes a photo for a survey slot (fixtures, not imports: test modules cannot import each other)."""
    return _photo


@pytest.fixture
def report() -> Callable[..., Awaitable[dict[str, Any]]]:
    """``await report(member, policy_no, **details)``: the member's one-click report."""
    return _report
