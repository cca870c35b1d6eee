"""What the library relies on from a broker, checked on Apache Kafka and on Tansu."""

import asyncio
import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from cheyou_events import ConsumerSettings, Envelope, EventConsumer, create_producer, ensure_topics, to_record
from cheyou_events.testing import effect_counts, eventually, record_effect, tier_changed
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import Broker, Database

TIER_CHANGED = "cheyou.member.tier_changed.v1"


async def started_producer(broker: Broker) -> AIOKafkaProducer:
    producer = create_producer(broker.settings)
    await producer.start()
    return producer


async def produce(producer: AIOKafkaProducer, topic: str, events: list[Envelope[Any]]) -> None:
    sends = []
    for event in events:
        record = to_record(event)
        sends.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
    await asyncio.gather(*sends)


class TestBrokerConformance:
    async def test_topics_are_created_with_their_partition_counts(self, any_broker: Broker) -> None:
        topics = {f"c{uuid.uuid4().hex[:8]}.member.events": 6, f"c{uuid.uuid4().hex[:8]}.notify.events": 3}

        await ensure_topics(any_broker.bootstrap, topics)
        await ensure_topics(any_broker.bootstrap, topics)  # idempotent

        admin = AIOKafkaAdminClient(bootstrap_servers=any_broker.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(list(topics))
        finally:
            await admin.close()
        assert {t["topic"]: len(t["partitions"]) for t in described} == topics

    async def test_offsets_are_committed_per_partition_explicitly(self, any_broker: Broker) -> None:
        topic = f"c{uuid.uuid4().hex[:8]}.member.events"
        await ensure_topics(any_broker.bootstrap, {topic: 3})
        producer = await started_producer(any_broker)
        try:
            for partition in range(3):
                for i in range(5):
                    await producer.send_and_wait(topic, b"{}", key=f"k{i}".encode(), partition=partition)
        finally:
            await producer.stop()
        group = f"g-{uuid.uuid4().hex[:8]}"
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=any_broker.bootstrap, group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest",
        )  # fmt: skip
        await consumer.start()
        try:
            seen = 0
            async with asyncio.timeout(30):
                while seen < 15:
                    seen += sum(len(r) for r in (await consumer.getmany(timeout_ms=200)).values())
            await consumer.commit({TopicPartition(topic, 0): 4, TopicPartition(topic, 2): 2})
            committed = [await consumer.committed(TopicPartition(topic, p)) for p in range(3)]
        finally:
            await consumer.stop()

        assert committed == [4, None, 2]

    async def test_keyed_records_keep_their_order_within_one_partition(self, any_broker: Broker) -> None:
        topic = f"c{uuid.uuid4().hex[:8]}.member.events"
        await ensure_topics(any_broker.bootstrap, {topic: 4})
        producer = await started_producer(any_broker)
        try:
            await produce(producer, topic, [tier_changed(f"M-{i % 20}", i // 20) for i in range(1000)])
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=any_broker.bootstrap, auto_offset_reset="earliest"
        )
        await consumer.start()
        seqs: dict[bytes, list[int]] = {}
        partitions: dict[bytes, set[int]] = {}
        try:
            async with asyncio.timeout(30):
                while sum(len(s) for s in seqs.values()) < 1000:
                    for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                        for r in records:
                            seqs.setdefault(r.key, []).append(json.loads(r.value)["contribution_fen"])
                            partitions.setdefault(r.key, set()).add(tp.partition)
        finally:
            await consumer.stop()

        assert all(s == list(range(50)) for s in seqs.values())
        assert all(len(p) == 1 for p in partitions.values())

    async def test_a_group_rebalancing_while_processing_loses_nothing_and_absorbs_duplicates(
        self, any_broker: Broker, db: Database, consumer_settings: ConsumerSettings
    ) -> None:
        topic = f"c{uuid.uuid4().hex[:8]}.member.events"
        await ensure_topics(any_broker.bootstrap, {topic: 6})
        group = f"g-{uuid.uuid4().hex[:8]}"
        events = [tier_changed(f"M-{i % 50}", i // 50) for i in range(3000)]
        apply = record_effect(group)

        async def slow(session: AsyncSession, event: Envelope[Any]) -> None:
            await asyncio.sleep(0.002)
            await apply(session, event)

        consumer_settings.max_poll_records = 50

        def member(name: str) -> EventConsumer:
            return EventConsumer(
                group_id=group,
                topics=[topic],
                handlers={TIER_CHANGED: slow},
                session_factory=db.sessions,
                bootstrap=any_broker.bootstrap,
                settings=consumer_settings,
                kafka=any_broker.settings,
                client_id=name,
            )

        producer = await started_producer(any_broker)
        members = [member("a")]
        await members[0].start()
        try:
            await produce(producer, topic, events[:1500])
            await eventually(lambda: _applied_at_least(db, 200), what="the first member to make progress")
            members.append(member("b"))
            await members[1].start()  # rebalance while the first is busy
            await produce(producer, topic, events[1500:])
            await eventually(lambda: _applied_at_least(db, 1800), within=60, what="progress with two members")
            members.append(member("c"))
            await members[2].start()
            await members[0].stop()  # leaves in the middle: its partitions move
            await eventually(lambda: _applied_at_least(db, 3000), within=90, what="every event")
        finally:
            await producer.stop()
            for m in members[1:]:
                await m.stop()

        counts = await effect_counts(db.sessions)
        assert set(counts) == {e.id for e in events}, "an event was lost"
        assert set(counts.values()) == {1}, "an event was applied twice"


async def _applied_at_least(db: Database, n: int) -> bool:
    return sum((await effect_counts(db.sessions)).values()) >= n
