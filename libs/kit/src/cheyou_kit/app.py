"""``create_service_app``: one FastAPI app built the same way for every service.

The lifespan opens the engine and Redis, loads the identity verifier, then starts the service's
background components (the outbox relay and the Kafka consumers) and stops them in reverse order.

Kafka and Redis are not readiness conditions (:mod:`cheyou_kit.dependencies`): ``/readyz`` checks the
database only, and a process that starts while the broker is down serves all the same — its writes
land in the outbox — and starts its producer, relay and consumers as soon as the broker answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from aiokafka import AIOKafkaProducer
from cheyou_events import Subscriptions
from fastapi import APIRouter, FastAPI
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cheyou_kit.db import create_engine, create_session_factory
from cheyou_kit.dependencies import DependencyProbes, install_dependency_handlers, set_service_name
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.eventing import EventContext, event_components
from cheyou_kit.health import router as health_router
from cheyou_kit.identity import IdentityVerifier
from cheyou_kit.observability import configure_logging, configure_tracing, install_request_context
from cheyou_kit.production import refuse_unsafe_production
from cheyou_kit.settings import ServiceSettings

log = logging.getLogger(__name__)


class Component(Protocol):
    """Something that runs beside the HTTP server for the app's lifetime (relay, consumer…)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Resources:
    """What the lifespan opened; handed to the service's component factory."""

    def __init__(self, settings: ServiceSettings, engine: AsyncEngine, redis: Redis) -> None:
        self.settings = settings
        self.engine = engine
        self.session_factory: async_sessionmaker[AsyncSession] = create_session_factory(engine)
        self.redis = redis
        self.producer: AIOKafkaProducer | None = None


ComponentFactory = Callable[[Resources], Sequence[Component]]
ReadinessCheck = Callable[[], Awaitable[object]]
S = TypeVar("S", bound=ServiceSettings)


def create_service_app(
    settings: S,
    *,
    routers: Sequence[APIRouter],
    subscriptions: Subscriptions[EventContext[S]] | None = None,
    components: ComponentFactory | None = None,
    readiness: Callable[[Resources], dict[str, ReadinessCheck]] | None = None,
    description: str = "",
) -> FastAPI:
    name = settings.service_name
    configure_logging(name, settings.log_level, settings.log_json)
    refuse_unsafe_production(settings)  # before anything is opened, generated or served

    set_service_name(name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.sqlalchemy_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_pool_timeout_seconds,
            statement_cache_size=settings.database_statement_cache_size,
        )
        # A burst of requests using Redis waits for a connection, never fails; a dead Redis costs a
        # command at most the socket timeout, then the feature degrades.
        redis: Redis = Redis.from_pool(
            BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=settings.redis_max_connections,
                timeout=5,
                socket_timeout=settings.redis_socket_timeout_seconds,
                socket_connect_timeout=settings.redis_socket_timeout_seconds,
            )
        )
        resources = Resources(settings, engine, redis)
        app.state.resources = resources
        app.state.session_factory = resources.session_factory
        app.state.redis = redis
        if settings.internal_token_public_key_file is not None:
            app.state.identity_verifier = IdentityVerifier(
                settings.internal_token_public_key_file.read_bytes(), audience=name
            )
        producer, workers = event_components(settings, resources, subscriptions or Subscriptions())
        resources.producer = producer.producer
        # Readiness is this process and its own database. Kafka and Redis are probed into metrics.
        checks: dict[str, ReadinessCheck] = {"database": lambda: _select_one(engine)}
        if readiness is not None:
            checks.update(readiness(resources))
        app.state.readiness_checks = checks
        probes = DependencyProbes(
            name,
            {"kafka": producer.ready, "redis": redis.ping},
            interval_s=settings.dependency_probe_interval_seconds,
        )
        app.state.dependency_probes = probes
        events = KafkaComponents([producer, *workers], name=name)
        to_start: list[Component] = [events, probes, *(components(resources) if components else ())]
        started: list[Component] = []
        try:
            for component in to_start:
                await component.start()
                started.append(component)
            yield
        finally:
            for component in reversed(started):
                await component.stop()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title=name,
        description=description,
        lifespan=lifespan,
        version="1.0.0",
        # Server spans come from the OpenTelemetry instrumentor (configure_tracing) and metrics from
        # Prometheus: FastAPI's own telemetry, which switches itself on once a tracer provider exists,
        # would make a second span and metric per request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_problem_handlers(app)
    install_dependency_handlers(app)
    install_request_context(app, name)
    if settings.otel_enabled:
        configure_tracing(app, name, settings.secret_values())
    app.include_router(health_router)
    for router in routers:
        app.include_router(router, prefix="/api/v1")
    return app


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


class KafkaComponents:
    """The producer, the outbox relay and the consumers, started in order as one component.

    When the broker does not answer at start-up, the process starts without them and a background
    task starts them as soon as it does (backing off up to ``max_backoff_s``): the API serves, and
    its writes wait in the outbox."""

    def __init__(self, components: Sequence[Component], *, name: str, max_backoff_s: float = 30.0) -> None:
        self._components = list(components)
        self._name = name
        self._max_backoff = max_backoff_s
        self._started: list[Component] = []
        self._retry: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return len(self._started) == len(self._components)

    async def start(self) -> None:
        try:
            await self._start_all()
        except Exception as exc:
            log.warning(
                "%s: Kafka not reachable at start-up (%s); serving, and starting the producer, relay "
                "and consumers when it answers",
                self._name,
                type(exc).__name__,
            )
            self._retry = asyncio.create_task(self._keep_trying(), name=f"{self._name}-kafka-start")

    async def _start_all(self) -> None:
        """Start the ones not started yet, in order (a retry resumes at the one that failed)."""
        for component in self._components[len(self._started) :]:
            await component.start()
            self._started.append(component)

    async def _keep_trying(self) -> None:
        backoff = 1.0
        while True:
            await asyncio.sleep(backoff)
            try:
                await self._start_all()
            except Exception as exc:
                log.info("%s: Kafka still not reachable (%s)", self._name, type(exc).__name__)
                backoff = min(backoff * 2, self._max_backoff)
            else:
                log.info("%s: Kafka reachable; producer, relay and consumers started", self._name)
                return

    async def _stop_all(self) -> None:
        """Every component, in reverse (one never started is closed too: an unstarted producer holds a
        client)."""
        for component in reversed(self._components):
            with contextlib.suppress(Exception):
                await component.stop()
        self._started = []

    async def stop(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retry
            self._retry = None
        await self._stop_all()
