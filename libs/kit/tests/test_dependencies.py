"""Kafka and Redis are not readiness conditions, and the database settings of production take effect.

Real Postgres (the session's); Kafka and Redis "down" are addresses where nothing listens.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar

import httpx
import pytest
from cheyou_devinfra.manager import Infra
from cheyou_events import Subscriptions
from cheyou_events.relay import asyncpg_dsn
from cheyou_kit.app import create_service_app
from cheyou_kit.dependencies import DependencyUnavailable
from cheyou_kit.eventing import event_components
from cheyou_kit.settings import ServiceSettings
from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY
from pydantic_settings import SettingsConfigDict
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "demo-svc"
    database_name: ClassVar[str] = "postgres"
    default_port: ClassVar[int] = 8999


def nothing_listens() -> int:
    """A port on this machine where nothing listens (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gauge(service: str, dependency: str) -> float | None:
    return REGISTRY.get_sample_value("cheyou_dependency_up", {"service": service, "dependency": dependency})


def degraded_count(feature: str, outcome: str) -> float:
    labels = {"service": "demo-svc", "feature": feature, "outcome": outcome}
    return REGISTRY.get_sample_value("cheyou_degraded_total", labels) or 0.0


@pytest.fixture
def down(infra: Infra, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session's Postgres; Kafka and Redis where nothing answers."""
    monkeypatch.setenv("POSTGRES_DSN", infra.postgres_dsn)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{nothing_listens()}")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{nothing_listens()}/0")
    monkeypatch.setenv("REDIS_SOCKET_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("OTEL_ENABLED", "false")


@asynccontextmanager
async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http,
    ):
        yield http


class TestReadiness:
    @pytest.mark.usefixtures("down")
    async def test_kafka_and_redis_down_leave_the_service_ready_and_show_in_the_metrics(self) -> None:
        router = APIRouter()

        @router.get("/needs-redis")
        async def needs_redis() -> None:
            raise DependencyUnavailable("no codes without Redis", feature="demo_codes")

        app = create_service_app(DemoSettings(consumers_enabled=False), routers=[router])
        async with _client(app) as http:
            ready = await http.get("/readyz")
            refused = await http.get("/api/v1/needs-redis")

            assert ready.status_code == 200
            assert ready.json() == {"ready": True, "checks": {"database": "ok"}}
            assert gauge("demo-svc", "kafka") == 0.0
            assert gauge("demo-svc", "redis") == 0.0
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "5"
            assert refused.json()["type"].endswith("/dependency-unavailable")
            assert degraded_count("demo_codes", "refused") >= 1

    @pytest.mark.usefixtures("down")
    async def test_an_unhandled_redis_error_is_a_503_problem_not_a_500(self) -> None:
        router = APIRouter()

        @router.get("/counter")
        async def counter() -> None:
            redis = Redis.from_url(DemoSettings().redis_url, socket_connect_timeout=0.5)
            try:
                await redis.incr("demo")
            finally:
                await redis.aclose()

        app = create_service_app(DemoSettings(consumers_enabled=False), routers=[router])
        async with _client(app) as http:
            answer = await http.get("/api/v1/counter")

        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/problem+json"
        assert "127.0.0.1" not in answer.text  # the driver's message stays in the log
        # counted under the route's template (a bounded label), never the raw path
        assert (
            degraded_count("GET /counter", "refused") + degraded_count("GET /api/v1/counter", "refused") >= 1
        )

    async def test_the_probes_see_kafka_and_redis_when_they_answer(
        self, infra: Infra, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("POSTGRES_DSN", infra.postgres_dsn)
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
        monkeypatch.setenv("KAFKA_BROKER_KIND", infra.broker)
        monkeypatch.setenv("REDIS_URL", infra.redis_url)
        monkeypatch.setenv("OTEL_ENABLED", "false")

        class UpSettings(DemoSettings):
            service_name: ClassVar[str] = "demo-up-svc"

        app = create_service_app(UpSettings(consumers_enabled=False), routers=[])
        async with _client(app) as http:
            assert (await http.get("/readyz")).status_code == 200
            assert gauge("demo-up-svc", "kafka") == 1.0
            assert gauge("demo-up-svc", "redis") == 1.0


class TestDatabaseSettings:
    @pytest.fixture
    def settings(self, infra: Infra, monkeypatch: pytest.MonkeyPatch) -> DemoSettings:
        direct = make_url(infra.postgres_dsn).set(database="template1").render_as_string(hide_password=False)
        monkeypatch.setenv("POSTGRES_DSN", infra.postgres_dsn)
        monkeypatch.setenv("DEMO_DATABASE_POOL_SIZE", "3")
        monkeypatch.setenv("DEMO_DATABASE_MAX_OVERFLOW", "2")
        monkeypatch.setenv("DEMO_DATABASE_STATEMENT_CACHE_SIZE", "0")
        monkeypatch.setenv("DEMO_DATABASE_DIRECT_URL", direct)
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
        monkeypatch.setenv("REDIS_URL", infra.redis_url)
        monkeypatch.setenv("OTEL_ENABLED", "false")
        return DemoSettings()

    async def test_pool_sizes_and_the_statement_cache_take_effect(self, settings: DemoSettings) -> None:
        app = create_service_app(settings, routers=[])
        async with app.router.lifespan_context(app):
            engine: AsyncEngine = app.state.resources.engine
            assert engine.pool.size() == 3  # type: ignore[attr-defined]
            assert engine.pool._max_overflow == 2  # type: ignore[attr-defined]
            async with engine.connect() as connection:
                for _ in range(2):  # the same statement twice: with a cache it would be prepared once
                    await connection.execute(text("SELECT 1 WHERE 1 = 1"))
                names = (await connection.execute(text("SELECT name FROM pg_prepared_statements"))).scalars()
                prepared = [n for n in names if n.startswith("__asyncpg")]
                adapted = (await connection.get_raw_connection()).driver_connection
                assert adapted is not None
        # Unique names (not asyncpg's numbered __asyncpg_stmt_N__), none kept for reuse.
        assert prepared
        assert all(len(n) == len("__asyncpg___") + 32 for n in prepared), prepared

    async def test_the_relay_connects_to_the_direct_url(self, settings: DemoSettings) -> None:
        app = create_service_app(settings, routers=[])
        async with app.router.lifespan_context(app):
            _, workers = event_components(settings, app.state.resources, Subscriptions())
            relay = workers[0]

        assert relay._dsn == asyncpg_dsn(settings.direct_sqlalchemy_url)  # type: ignore[union-attr]
        assert make_url(relay._dsn).database == "template1"  # type: ignore[union-attr]
        assert make_url(settings.sqlalchemy_url).database == "postgres"
        assert settings.migration_sqlalchemy_url == settings.sqlalchemy_url  # unset: the same database
