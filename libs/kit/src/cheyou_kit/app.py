"""``create_service_app``: one FastAPI app built the same way for every service.

The lifespan opens the engine and Redis, loads the identity verifier, then starts the service's
background components (the outbox relay and the Kafka consumers) and stops them in reverse order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from aiokafka import AIOKafkaProducer
from cheyou_events import Handler
from fastapi import APIRouter, FastAPI
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cheyou_kit.db import create_engine, create_session_factory
from cheyou_kit.errors import install_problem_handlers
from cheyou_kit.eventing import event_components
from cheyou_kit.health import router as health_router
from cheyou_kit.identity import IdentityVerifier
from cheyou_kit.observability import configure_logging, configure_tracing, install_request_context
from cheyou_kit.production import refuse_unsafe_production
from cheyou_kit.settings import ServiceSettings


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


def create_service_app(
    settings: ServiceSettings,
    *,
    routers: Sequence[APIRouter],
    handlers: Mapping[str, Handler] | None = None,
    components: ComponentFactory | None = None,
    readiness: Callable[[Resources], dict[str, ReadinessCheck]] | None = None,
    description: str = "",
) -> FastAPI:
    name = settings.service_name
    configure_logging(name, settings.log_level, settings.log_json)
    refuse_unsafe_production(settings)  # before anything is opened, generated or served

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.sqlalchemy_url)
        # Every request checks its identity token in Redis: a burst waits for a connection, never fails.
        redis: Redis = Redis.from_pool(
            BlockingConnectionPool.from_url(
                settings.redis_url, max_connections=settings.redis_max_connections, timeout=5
            )
        )
        resources = Resources(settings, engine, redis)
        app.state.resources = resources
        app.state.session_factory = resources.session_factory
        app.state.redis = redis
        if settings.internal_token_public_key_file is not None:
            app.state.identity_verifier = IdentityVerifier(
                settings.internal_token_public_key_file.read_bytes(), audience=name, redis=redis
            )
        producer, workers = event_components(settings, resources.session_factory, handlers or {})
        resources.producer = producer.producer
        checks: dict[str, ReadinessCheck] = {
            "database": lambda: _select_one(engine),
            "redis": redis.ping,
            "broker": producer.ready,
        }
        if readiness is not None:
            checks.update(readiness(resources))
        app.state.readiness_checks = checks
        started: list[Component] = []
        try:
            for component in [producer, *workers, *(components(resources) if components else ())]:
                await component.start()
                started.append(component)
            yield
        finally:
            for component in reversed(started):
                await component.stop()
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(title=name, description=description, lifespan=lifespan, version="1.0.0")
    install_problem_handlers(app)
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
