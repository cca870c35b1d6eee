from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from cheyou_devinfra import Infra, InfraManager, ensure_topics
from cheyou_devinfra.components import ObjectStore, Tansu


@pytest.fixture(params=["apache-kafka", "tansu"])
def bootstrap(request: pytest.FixtureRequest) -> str:
    if request.param == "tansu":
        value: str = request.getfixturevalue("tansu_bootstrap")
        return value
    infra: Infra = request.getfixturevalue("local_infra")
    assert infra.broker == "apache-kafka"
    return infra.kafka_bootstrap


async def _partitions(bootstrap: str, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics(topics)}
    finally:
        await admin.close()


async def test_ensure_topics_creates_the_requested_partitions_idempotently(bootstrap: str) -> None:
    suffix = uuid.uuid4().hex[:8]
    topics = {f"member.events.{suffix}": 3, f"notify.events.{suffix}": 1}

    await ensure_topics(bootstrap, topics)
    await ensure_topics(bootstrap, topics)  # existing topics are fine

    assert await _partitions(bootstrap, list(topics)) == topics


async def test_produce_consume_round_trip(bootstrap: str) -> None:
    topic = f"roundtrip.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, {topic: 2})
    sent = {f"member-{i}".encode(): f"event-{i}".encode() for i in range(10)}

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in sent.items():
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"g-{topic}", auto_offset_reset="earliest"
    )
    await consumer.start()
    received: dict[bytes, bytes] = {}
    try:
        async with asyncio.timeout(30):
            while len(received) < len(sent):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    received.update(
                        (r.key, r.value) for r in records if r.key is not None and r.value is not None
                    )
    finally:
        await consumer.stop()
    assert received == sent


async def test_kafka_survives_a_crash_on_the_same_port(manager: InfraManager, local_infra: Infra) -> None:
    topic = f"crash.{uuid.uuid4().hex[:8]}"
    await ensure_topics(local_infra.kafka_bootstrap, {topic: 2})

    manager.kafka.kill()
    assert manager.kafka.start() == local_infra.kafka_bootstrap

    assert await _partitions(local_infra.kafka_bootstrap, [topic]) == {topic: 2}


async def test_tansu_on_an_object_store_keeps_records_and_offsets_through_a_crash(tmp_path: Path) -> None:
    """What the soak's Tansu runs on: acknowledged records and a group's committed offset survive a
    SIGKILL of the broker (memory storage would come back empty)."""
    store = ObjectStore(tmp_path / "s3")
    store.start()
    broker = Tansu(tmp_path / "kafka", store=store)
    try:
        broker.start()
        topic = f"durable.{uuid.uuid4().hex[:8]}"
        producer = AIOKafkaProducer(bootstrap_servers=broker.url, acks="all")
        await producer.start()
        try:
            for i in range(20):
                await producer.send_and_wait(topic, f"{i}".encode(), partition=0)
        finally:
            await producer.stop()
        first = await _consume(broker.url, topic, want=8, commit=True)

        broker.kill()
        broker.start()

        rest = await _consume(broker.url, topic, want=12, commit=False)
        assert sorted(first + rest, key=int) == [f"{i}" for i in range(20)]
    finally:
        broker.stop()
        store.stop()


async def _consume(bootstrap: str, topic: str, *, want: int, commit: bool) -> list[str]:
    """Up to ``want`` values from the group ``durable``'s position (committing them when asked)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id="durable",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    values: list[str] = []
    try:
        async with asyncio.timeout(60):
            while len(values) < want:
                batch = await consumer.getmany(timeout_ms=500, max_records=want - len(values))
                values += [r.value.decode() for records in batch.values() for r in records if r.value]
        if commit:
            await consumer.commit()
    finally:
        await consumer.stop()
    return values
