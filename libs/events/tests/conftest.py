"""Fixtures: a fresh database and fresh topics per test, on the real Postgres and brokers of devinfra; the
test's own ``member.events`` topic and consumer group, a consumer of them and a way to send to them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from aiokafka import AIOKafkaProducer
from cheyou_devinfra import Infra, ensure_database
from cheyou_events import (
    ConsumerSettings,
    Envelope,
    EventConsumer,
    KafkaSettings,
    OutboxRelay,
    OutboxSettings,
    create_producer,
    events_metadata,
    to_record,
)
from cheyou_events.catalogue.member import TierChanged
from cheyou_events.consumer import Handler
from cheyou_events.settings import BrokerKind
from cheyou_events.testing import effect_counts, effects_metadata, read_topic, record_effect
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

    async def holds(self, topic: str, n: int) -> bool:
        """The topic holds at least ``n`` records."""
        return len(await read_topic(self.bootstrap, topic)) >= n


@dataclass(frozen=True)
class Database:
    dsn: str
    """plain postgresql:// (asyncpg, the relay, the CLI)"""
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def applied(self, n: int) -> bool:
        """At least ``n`` effects were recorded (``record_effect``), counting every application."""
        return sum((await effect_counts(self.sessions)).values()) >= n


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


@pytest.fixture
def topic(prefix: str) -> str:
    """The test's own ``member.events`` topic (the test creates it with the partitions it needs)."""
    return f"{prefix}member.events"


@pytest.fixture
def group() -> str:
    """The test's own consumer group."""
    return f"g-{uuid.uuid4().hex[:8]}"


class Send(Protocol):
    async def __call__(self, envelope: Envelope[Any], *, partition: int | None = None) -> None: ...


@pytest.fixture
def send(producer: AIOKafkaProducer, topic: str) -> Send:
    """``await send(envelope)``: the envelope as a record on the test's topic, acknowledged."""

    async def send_(envelope: Envelope[Any], *, partition: int | None = None) -> None:
        record = to_record(envelope)
        await producer.send_and_wait(
            topic, record.value, key=record.key, headers=record.headers, partition=partition
        )

    return send_


class NewConsumer(Protocol):
    def __call__(self, handlers: Mapping[str, Handler] | None = None) -> EventConsumer: ...


@pytest.fixture
def new_consumer(
    db: Database, kafka: Broker, consumer_settings: ConsumerSettings, topic: str, group: str
) -> NewConsumer:
    """``new_consumer(handlers)``: a consumer of the test's group and topic on the suite's database and
    broker, with ``consumer_settings`` as the test left them; by default it records each ``TierChanged``
    (``record_effect(group)``)."""

    def build(handlers: Mapping[str, Handler] | None = None) -> EventConsumer:
        return EventConsumer(
            group_id=group,
            topics=[topic],
            handlers={TierChanged.event_type: record_effect(group)} if handlers is None else handlers,
            session_factory=db.sessions,
            bootstrap=kafka.bootstrap,
            settings=consumer_settings,
            kafka=kafka.settings,
        )

    return build


class NewRelay(Protocol):
    def __call__(
        self, *, relay: type[OutboxRelay] = OutboxRelay, name: str = "outbox-relay", **settings: Any
    ) -> OutboxRelay: ...


@pytest.fixture
def new_relay(db: Database, producer: AIOKafkaProducer, prefix: str) -> NewRelay:
    """``new_relay(**settings)``: an outbox relay (or a ``relay`` subclass) of the test's database, publishing
    under its topic prefix and polling every 0.2 s (a standby too), with these settings changed."""

    def build(
        *, relay: type[OutboxRelay] = OutboxRelay, name: str = "outbox-relay", **settings: Any
    ) -> OutboxRelay:
        fast = OutboxSettings(topic_prefix=prefix, poll_interval_s=0.2, standby_retry_s=0.2, **settings)
        return relay(db.dsn, producer, fast, name=name)

    return build
