from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from cheyou_devinfra import Infra, InfraManager, ensure_topics


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
