"""Fixtures: a fresh database and fresh topics per test, on the real Postgres and brokers of devinfra."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaProducer
from cheyou_devinfra import Infra, ensure_database
from cheyou_events import ConsumerSettings, KafkaSettings, create_producer, events_metadata
from cheyou_events.settings import BrokerKind
from cheyou_events.testing import effects_metadata
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_FAST_CONSUMER = ConsumerSettings(
    retry_backoff_s=0.1,
    retry_backoff_max_s=0.5,
    poll_timeout_ms=100,
    session_timeout_ms=6_000,
    heartbeat_interval_ms=300,
    aux_topic_partitions=2,
)


@pytest.fixture
def consumer_settings() -> ConsumerSettings:
    """Short backoffs and heartbeats, so retries and rebalances take a second, not ten."""
    return _FAST_CONSUMER.model_copy()


@dataclass(frozen=True)
class Broker:
    bootstrap: str
    kind: BrokerKind

    @property
    def settings(self) -> KafkaSettings:
        return KafkaSettings(bootstrap_servers=self.bootstrap, broker_kind=self.kind, linger_ms=2)


@dataclass(frozen=True)
class Database:
    dsn: str
    """plain postgresql:// (asyncpg, the relay, the CLI)"""
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


def _kind(name: str) -> BrokerKind:
    return "tansu" if name == "tansu" else "apache-kafka" if name == "apache-kafka" else "external"


@pytest.fixture(scope="session")
def kafka(infra: Infra) -> Broker:
    """The session's main broker (Apache Kafka when java and mvn are present)."""
    return Broker(infra.kafka_bootstrap, _kind(infra.broker))


@pytest.fixture(scope="session", params=["apache-kafka", "tansu"])
def any_broker(request: pytest.FixtureRequest, infra: Infra) -> Broker:
    """Each broker the library must work with; reuses the session's broker where it is that kind."""
    if request.param == "tansu":
        if infra.broker == "tansu":
            return Broker(infra.kafka_bootstrap, "tansu")
        return Broker(request.getfixturevalue("tansu_bootstrap"), "tansu")
    if infra.broker == "apache-kafka":
        return Broker(infra.kafka_bootstrap, "apache-kafka")
    return Broker(request.getfixturevalue("apache_kafka_bootstrap"), "apache-kafka")


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def db(infra: Infra) -> AsyncIterator[Database]:
    dsn = await ensure_database(infra.postgres_dsn, _unique("events_"))
    engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=20)
    async with engine.begin() as conn:
        await conn.run_sync(events_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
    yield Database(dsn, engine, async_sessionmaker(engine, expire_on_commit=False))
    await engine.dispose()


@pytest.fixture
def prefix() -> str:
    """A topic prefix of the test's own, so that ``member.events`` is a fresh topic."""
    return _unique("t") + "."


@pytest.fixture
async def producer(kafka: Broker) -> AsyncIterator[AIOKafkaProducer]:
    p = create_producer(kafka.settings)
    await p.start()
    yield p
    await p.stop()
