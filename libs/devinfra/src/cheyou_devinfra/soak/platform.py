"""The platform a soak runs against: a Postgres, a Redis and a broker of its own, the six services and
the fakes started by the launcher of ``make up`` (``cheyou_devinfra.platform``) under a state dir of its
own, on free ports — and the handles to crash and restart each of them.

Nothing here is shared with ``make dev``'s platform (``.dev/``) or with another test session: the soak
kills its own processes only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from cheyou_devinfra._process import free_port
from cheyou_devinfra.components import ApacheKafka, KafkaBroker, ObjectStore, Postgres, Redis, Tansu
from cheyou_devinfra.platform import (
    FAKES,
    ONE_CLIENT_LIMITS,
    SERVICES,
    Service,
    start_platform,
    stop_services,
)
from cheyou_devinfra.provisioning import database_dsn

SHANGHAI = ZoneInfo("Asia/Shanghai")


def platform_settings(webhook_retry_schedule: str) -> dict[str, str]:
    """The settings of the platform under soak: the per-address limits of one test client raised (every
    request comes from 127.0.0.1), staff tokens that outlive the run, webhook retries in seconds."""
    hour = datetime.now(SHANGHAI).hour
    return {
        "GATEWAY_SEED_DEMO_STAFF": "true",
        **ONE_CLIENT_LIMITS,
        "MERCHANT_WEBHOOK_RETRY_SCHEDULE_S": webhook_retry_schedule,
        # Quiet hours far from now: marketing is not held during the run (the campaign is a reminder anyway).
        "NOTIFY_QUIET_START_HOUR": str((hour + 12) % 24),
        "NOTIFY_QUIET_END_HOUR": str((hour + 13) % 24),
    }


@dataclass
class Restartable:
    """A service or fake process of the launcher: killed with SIGKILL, started again with the command
    line and environment it ran with (read from ``/proc`` while it runs), logging to the same file."""

    name: str
    state: Path
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def pid_file(self) -> Path:
        return self.state / "run" / f"{self.name}.pid"

    def remember(self) -> int:
        pid = int(self.pid_file.read_text())
        proc = Path(f"/proc/{pid}")
        argv = proc.joinpath("cmdline").read_bytes().rstrip(b"\0").split(b"\0")
        pairs = (item.partition(b"=") for item in proc.joinpath("environ").read_bytes().split(b"\0") if item)
        self.argv = [a.decode() for a in argv]
        self.env = {k.decode(): v.decode() for k, _, v in pairs}
        return pid

    def kill(self) -> None:
        """SIGKILL of the process group: no graceful shutdown, the relay and consumers die mid-batch."""
        pid = int(self.pid_file.read_text())
        if not self.argv:
            self.remember()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self) -> None:
        with (self.state / "logs" / f"{self.name}.log").open("ab") as log:
            process = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid_file.write_text(str(process.pid))


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class SoakPlatform:
    """Starts (``start()``) and stops (``stop()``) everything under ``state``; ``broker`` is
    ``apache-kafka`` or ``tansu``."""

    def __init__(self, state: Path, broker: str = "apache-kafka", webhook_retry_schedule: str = "") -> None:
        self.state = state
        self.broker_kind = broker
        self.postgres = Postgres(state / "postgres")
        self.redis = Redis(state / "redis")
        # Tansu keeps its topics in a local S3 here: the soak kills the broker, and a broker that forgets
        # what it acknowledged (memory storage) would lose events no producer can know to send again.
        self.store = ObjectStore(state / "s3") if broker == "tansu" else None
        self.broker: KafkaBroker = (
            Tansu(state / "kafka", store=self.store) if broker == "tansu" else ApacheKafka(state / "kafka")
        )
        self.hash_key = secrets.token_bytes(32)
        self.suffix = f"_soak_{secrets.token_hex(3)}"
        self.retry_schedule = webhook_retry_schedule or "[0, 1, 2, 3, 5, 8, 13, 21, 34, 55]"
        self.processes: dict[str, Restartable] = {}
        self._saved_env: dict[str, str] | None = None

    # --- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.redis.start()
        if self.store is not None:
            self.store.start()
        self.broker.start()
        self._saved_env = dict(os.environ)
        for name in (
            "POSTGRES_DSN",
            "KAFKA_BOOTSTRAP_SERVERS",
            "KAFKA_BROKER_KIND",
            "REDIS_URL",
            "CHEYOU_BROKER",
        ):
            os.environ.pop(name, None)
        os.environ.update(
            {
                "POSTGRES_DSN": self.postgres.url,
                "REDIS_URL": self.redis.url,
                "KAFKA_BOOTSTRAP_SERVERS": self.broker.url,
                "KAFKA_BROKER_KIND": self.broker.kind,
                "CHEYOU_DATABASE_SUFFIX": self.suffix,
                **{f"{service.env_prefix}PORT": str(free_port()) for service in SERVICES},
                **{f"CHEYOU_FAKE_{fake.name.upper()}_PORT": str(free_port()) for fake in FAKES},
                **platform_settings(self.retry_schedule),
                "MEMBER_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                "MEMBER_PII_HASH_KEY": base64.b64encode(self.hash_key).decode(),
            }
        )
        start_platform(self.state / "platform")
        for name in [*(s.name for s in SERVICES), *(f"fake-{f.name}" for f in FAKES)]:
            process = Restartable(name, self.state / "platform")
            process.remember()
            self.processes[name] = process

    def stop(self) -> None:
        stop_services(self.state / "platform")
        for component in (self.broker, self.store, self.redis, self.postgres):
            if component is None:
                continue
            with contextlib.suppress(Exception):
                component.stop()
        if self._saved_env is not None:
            os.environ.clear()
            os.environ.update(self._saved_env)

    # --- where things are --------------------------------------------------------------------------------

    @property
    def services(self) -> dict[str, Service]:
        return {service.name: service for service in SERVICES}

    @property
    def gateway(self) -> str:
        return self.services["gateway"].url

    def fake(self, name: str) -> str:
        return next(fake.url for fake in FAKES if fake.name == name)

    def database(self, service: str) -> str:
        """The superuser's DSN of a service's database (the checks read the tables directly)."""
        return database_dsn(self.postgres.url, self.services[service].database_name)

    async def fetch(self, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.database(service))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    # --- faults ---------------------------------------------------------------------------------------------

    async def wait_ready(self, name: str, within: float = 240) -> float:
        """Seconds until ``name``'s ``/readyz`` answers 200 (a fake: until it answers at all)."""
        started = time.monotonic()
        if name.startswith("fake-"):
            url = self.fake(name.removeprefix("fake-")) + "/_fake/messages"
        else:
            url = self.services[name].url + "/readyz"
        async with httpx.AsyncClient(timeout=3) as http:
            while time.monotonic() - started < within:
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(url)).status_code == 200:
                        return time.monotonic() - started
                await asyncio.sleep(0.5)
        raise TimeoutError(f"{name} not ready {within:.0f}s after its restart")

    def postgres_immediate_restart(self) -> None:
        """``pg_ctl stop -m immediate``: SIGQUIT to the postmaster (every backend quits without a
        checkpoint; crash recovery at the next start), then start it again on the same port."""
        record = self.postgres.record()
        pid = record.pid if record is not None else None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 30
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        self.postgres.kill()  # whatever is left of the group; forgets the record
        self.postgres.start()

    def broker_crash_restart(self) -> None:
        self.broker.kill()
        self.broker.start()

    def redis_restart(self) -> None:
        self.redis.restart()

    async def fake_post(self, fake: str, path: str, body: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            (await http.post(self.fake(fake) + path, json=body)).raise_for_status()

    async def fake_get(self, fake: str, path: str, **params: Any) -> Any:
        async with httpx.AsyncClient(timeout=60) as http:
            response = await http.get(self.fake(fake) + path, params=params)
            response.raise_for_status()
            return response.json()


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n")
