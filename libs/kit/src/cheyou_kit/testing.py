"""Test support shared by the services' suites: real databases, real app lifespans, signed identities.

Nothing here fakes our own infrastructure: databases are real Postgres databases migrated with the
service's Alembic scripts, the app runs its real lifespan (engine, Redis, relay, consumer), and events
go through the real broker. A service's ``tests/conftest.py`` is two lines::

    from cheyou_kit.testing import service_fixtures
    identities, service_settings, client, session = service_fixtures(Settings, create_app, ROOT)

A suite's app stops when its suite ends. ``make test`` runs every suite in one pytest process against
one broker, and an app consumes with a group of its own: an app left running would go on acting on the
next suites' events (merchant-svc's app refusing privilege-svc's test coupons, which privilege-svc then
refunded; extra consumers joining a tracing test's trace). So ``client`` — the fixture running the app,
its relay and consumers — is ``scope="package"``: set up for the suite's first test, torn down after
its last, before pytest moves to the next suite. The suite is the conftest's directory; devinfra's
pytest plugin collects such a directory as a package (``cheyou_devinfra.pytest_plugin.Suite``), since
pytest alone would keep a package-scoped fixture of a plain directory for the whole session.
:func:`stops_with_the_suite` turns that silent fallback into an error. A suite's other session-scoped
fixtures (settings, database, sessionmakers) are plain values and run nothing in the background.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from cheyou_events import TOPICS, Envelope, ensure_topics, to_record
from cheyou_events.testing import eventually as eventually  # the suites' poll-until, defined there
from fastapi import FastAPI
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from cheyou_kit.identity import IDENTITY_HEADER, IdentitySigner, Principal, Role, generate_keypair
from cheyou_kit.migrations import upgrade
from cheyou_kit.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


class SuiteInfrastructure(Protocol):
    """What a suite needs of the infrastructure under it. The kit names the need and never imports who
    meets it: devinfra's ``infra`` fixture (``cheyou_devinfra.Infra``) does, for every suite."""

    @property
    def kafka_bootstrap(self) -> str: ...

    def env(self) -> dict[str, str]:
        """The variables that point a service at this infrastructure (``POSTGRES_DSN``, ``REDIS_URL``…)."""
        ...

    async def create_database(self, name: str) -> str:
        """Database ``name``, created if missing; its plain ``postgresql://`` DSN."""
        ...


async def migrated_database(infra: SuiteInfrastructure, service_root: Path, prefix: str) -> str:
    """A new database named ``<prefix>_<random>`` at the service's head revision; returns its asyncpg URL."""
    dsn = await infra.create_database(f"{prefix}_{uuid.uuid4().hex[:10]}")
    url = make_url(dsn).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    await upgrade(service_root, url)
    return url


@asynccontextmanager
async def rollback_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is a savepoint inside one transaction that is rolled back at the end."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


SIGN_ON_SEND = "sign-on-send:"
_unsigned: dict[str, Callable[[str, str, bytes], str]] = {}
"""Placeholder → how to sign it for a request line (``Identities.headers``); filled for the session."""


async def sign_identity(request: httpx.Request) -> None:
    """An httpx request hook: replace an ``Identities.headers`` placeholder with a token signed for this
    request's method, path and query string, as the gateway signs the request it forwards.
    ``app_client`` installs it; a client of a service started otherwise passes it as
    ``event_hooks={"request": [sign_identity]}``."""
    placeholder = request.headers.get(IDENTITY_HEADER, "")
    if placeholder.startswith(SIGN_ON_SEND):
        request.headers[IDENTITY_HEADER] = _unsigned[placeholder](
            request.method, request.url.path, request.url.query
        )


def signing_hook(
    signer: IdentitySigner, principal: Principal, audience: str
) -> Callable[[httpx.Request], Awaitable[None]]:
    """An httpx request hook that signs each request of a client for ``principal``, as the gateway does
    (benchmarks and tools that call one service directly): ``event_hooks={"request": [hook]}``."""

    async def sign(request: httpx.Request) -> None:
        request.headers[IDENTITY_HEADER] = signer.sign(
            principal, audience, method=request.method, path=request.url.path, query=request.url.query
        )

    return sign


class Identities:
    """Signs identity headers the way the gateway does, for requests straight to a service in tests."""

    def __init__(self, directory: Path) -> None:
        private, self.public_key_file = generate_keypair(directory)
        self._signer = IdentitySigner(private.read_bytes())

    def _principal(self, role: Role, subject: str | None, ids: Mapping[str, object]) -> Principal:
        return Principal.model_validate(
            {"subject": subject or f"{role}-{uuid.uuid4().hex[:8]}", "role": role, **ids}
        )

    def headers(self, audience: str, role: Role, subject: str | None = None, **ids: object) -> dict[str, str]:
        """The identity header for any request of the test: a placeholder that the client's
        :func:`sign_identity` hook signs for each request line as it is sent (a token is bound to its
        method, path and query string)."""
        principal = self._principal(role, subject, ids)
        placeholder = f"{SIGN_ON_SEND}{uuid.uuid4().hex}"

        def sign(method: str, path: str, query: bytes) -> str:
            return self._signer.sign(principal, audience, method=method, path=path, query=query)

        _unsigned[placeholder] = sign
        return {IDENTITY_HEADER: placeholder}

    def token(
        self,
        audience: str,
        role: Role,
        subject: str | None = None,
        *,
        method: str,
        path: str,
        query: bytes = b"",
        **ids: object,
    ) -> str:
        """One token, signed for one request line (for tests that send a token where it was not meant)."""
        principal = self._principal(role, subject, ids)
        return self._signer.sign(principal, audience, method=method, path=path, query=query)


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Runs the app's real lifespan and yields an HTTP client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks={"request": [sign_identity]}
        ) as client:
            yield client


async def publish(bootstrap: str, *envelopes: Envelope[Any]) -> None:
    """Put events on the broker the way another service's outbox relay would (binary-mode CloudEvents)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            record = to_record(envelope)
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


def stops_with_the_suite(request: pytest.FixtureRequest) -> None:
    """Fail unless the ``scope="package"`` fixture asking ends with its suite (see the module's doc).

    pytest gives a package-scoped fixture the whole session when its conftest's directory is not
    collected as a package (devinfra's plugin not loaded, a conftest in the rootdir): the app would
    then consume the later suites' events again."""
    if not isinstance(request.node, pytest.Package):
        pytest.fail(
            f"{request.fixturename} must stop with its suite, but pytest scoped it to "
            f"{type(request.node).__name__} {request.node.nodeid!r} (is cheyou_devinfra's plugin loaded?)",
            pytrace=False,
        )


def service_fixtures(
    settings_cls: type[S],
    create_app: Callable[[S], FastAPI],
    root: Path,
    extra_settings: Mapping[str, Any] | None = None,
) -> tuple[Any, Any, Any, Any]:
    """Fixtures of one service's suite: identities, service_settings, client, session.

    Defined per conftest (not in a shared plugin) so each service's fixtures are its own: settings and
    identities for the session, the running app (``client``) for the suite only (see the module's doc).
    ``extra_settings`` override the service's settings for its suite (e.g. retry delays of seconds).
    """

    @pytest.fixture(scope="session")
    def identities(tmp_path_factory: pytest.TempPathFactory) -> Identities:
        return Identities(tmp_path_factory.mktemp("keys"))

    @pytest.fixture(scope="session")
    async def service_settings(infra: SuiteInfrastructure, identities: Identities) -> S:
        await ensure_topics(infra.kafka_bootstrap, dict(TOPICS))  # as the launcher does before start-up
        url = await migrated_database(infra, root, f"{settings_cls.database_name}_test")
        return settings_cls.model_validate(
            {
                **infra.env(),
                "database_url": url,
                "INTERNAL_TOKEN_PUBLIC_KEY_FILE": str(identities.public_key_file),
                "LOG_JSON": False,
                "OTEL_ENABLED": False,
                # Its own group: the platform's processes (tests/e2e) consume the same topics as the
                # service's name, and sharing a group would split the partitions between them.
                "consumer_group": f"{settings_cls.service_name}.test-{uuid.uuid4().hex[:8]}",
                **(extra_settings or {}),
            }
        )

    @pytest.fixture(scope="package")
    async def client(service_settings: S, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
        stops_with_the_suite(request)
        async with app_client(create_app(service_settings)) as http:
            yield http

    @pytest.fixture
    async def session(service_settings: S) -> AsyncIterator[AsyncSession]:
        engine = create_async_engine(service_settings.sqlalchemy_url)
        async with rollback_session(engine) as rolled_back:
            yield rolled_back
        await engine.dispose()

    return identities, service_settings, client, session


async def schema_drift(url: str, *metadata: MetaData) -> list[Any]:
    """What the models declare that the migrated database lacks (or the reverse): empty when in step."""
    engine = create_async_engine(url)

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, list(metadata)))  # type: ignore[arg-type]

    async with engine.connect() as connection:
        drift = await connection.run_sync(compare)
    await engine.dispose()
    return drift
