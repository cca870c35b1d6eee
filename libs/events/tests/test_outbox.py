"""Outbox + relay against real Postgres and Apache Kafka."""

import asyncio
import json
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from alembic.migration import MigrationContext
from alembic.operations import Operations
from cheyou_devinfra import Infra, ensure_database, ensure_topics
from cheyou_events import (
    OutboxRelay,
    OutboxSettings,
    add_event,
    add_events,
    create_event_tables,
    drop_event_tables,
    event_inbox,
    event_outbox,
)
from cheyou_events.testing import effect_counts, eventually, read_topic, tier_changed
from sqlalchemy import func, insert, inspect, select, text, update
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import Broker, Database, NewConsumer, NewRelay


async def unpublished(db: Database) -> int:
    async with db.sessions() as session:
        return await session.scalar(select(func.count()).where(event_outbox.c.published_at.is_(None))) or 0


class CrashAfterPublish(OutboxRelay):
    """Dies between the publish and the mark, the first time only."""

    crashed = False

    async def _before_mark(self, _event_ids: list[Any]) -> None:
        if not CrashAfterPublish.crashed:
            CrashAfterPublish.crashed = True
            raise RuntimeError("relay killed after publishing")


class TestAddEvent:
    async def test_writes_through_the_callers_transaction_and_never_commits(self, db: Database) -> None:
        event = tier_changed("M-1", 1)

        async with db.sessions() as session:
            await add_event(session, event)
            await session.rollback()

        assert await unpublished(db) == 0

    async def test_stores_the_trace_context_of_the_current_span(self, db: Database) -> None:
        from opentelemetry.sdk.trace import TracerProvider

        tracer = TracerProvider().get_tracer("test")
        with tracer.start_as_current_span("renewal") as span:
            async with db.sessions() as session, session.begin():
                await add_event(session, tier_changed("M-1", 1))

        async with db.sessions() as session:
            traceparent = await session.scalar(select(event_outbox.c.traceparent))
        context = span.get_span_context()
        assert traceparent is not None
        assert traceparent.startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")


class TestRelay:
    async def test_a_crash_after_commit_and_before_publish_publishes_once_after_restart(
        self, db: Database, kafka: Broker, topic: str, new_consumer: NewConsumer, new_relay: NewRelay
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 3})
        dead_relay = new_relay()
        await dead_relay.start()
        await dead_relay.stop()  # the relay process is gone when the service commits
        event = tier_changed("M-1", 1)
        async with db.sessions() as session, session.begin():
            await add_event(session, event)
        await asyncio.sleep(0.5)
        assert await read_topic(kafka.bootstrap, topic) == []

        relay = new_relay()  # the restart
        consumer = new_consumer()
        await relay.start()
        await consumer.start()
        try:
            await eventually(lambda: _applied(db, event.id), what="the effect")
            await eventually(lambda: _zero(unpublished(db)), what="the row marked published")
        finally:
            await consumer.stop()
            await relay.stop()

        records = await read_topic(kafka.bootstrap, topic)
        assert [r.key for r in records] == [b"M-1"]
        assert await effect_counts(db.sessions) == {event.id: 1}

    async def test_a_crash_between_publish_and_mark_republishes_and_the_inbox_absorbs_it(
        self, db: Database, kafka: Broker, topic: str, new_consumer: NewConsumer, new_relay: NewRelay
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 3})
        event = tier_changed("M-1", 1)
        async with db.sessions() as session, session.begin():
            await add_event(session, event)
        CrashAfterPublish.crashed = False
        relay = new_relay(relay=CrashAfterPublish, error_backoff_s=0.1)
        consumer = new_consumer()
        await consumer.start()
        await relay.start()
        try:
            await eventually(lambda: _zero(unpublished(db)), what="the row marked published")
            await eventually(lambda: kafka.holds(topic, 2), what="the second publication")
            await eventually(lambda: _applied(db, event.id), what="the effect")
            await asyncio.sleep(1)  # time for the duplicate to be consumed
        finally:
            await consumer.stop()
            await relay.stop()

        assert CrashAfterPublish.crashed
        ids = [dict(r.headers)["ce_id"] for r in await read_topic(kafka.bootstrap, topic)]
        assert ids == [str(event.id).encode()] * 2
        assert await effect_counts(db.sessions) == {event.id: 1}

    async def test_publishes_in_sequence_order_per_key(
        self, db: Database, kafka: Broker, topic: str, new_relay: NewRelay
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 3})
        events = [tier_changed(f"M-{i % 7}", i) for i in range(700)]
        for start in range(0, len(events), 50):
            async with db.sessions() as session, session.begin():
                await add_events(session, events[start : start + 50])
        relay = new_relay(batch_size=64)

        await relay.start()
        try:
            await eventually(lambda: _zero(unpublished(db)), what="everything published")
        finally:
            await relay.stop()

        seqs: dict[bytes, list[int]] = {}
        for record in await read_topic(kafka.bootstrap, topic):
            seqs.setdefault(record.key, []).append(json.loads(record.value)["contribution_fen"])
        assert sum(len(s) for s in seqs.values()) == 700
        assert all(s == sorted(s) for s in seqs.values())

    async def test_only_one_relay_is_active_and_a_standby_takes_over(
        self, db: Database, kafka: Broker, topic: str, new_relay: NewRelay
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 3})
        first = new_relay(name="first")
        second = new_relay(name="second")
        await first.start()
        await eventually(lambda: _true(first.is_active), what="first relay active")
        await second.start()
        await asyncio.sleep(0.5)
        assert not second.is_active

        await first.stop()
        await eventually(lambda: _true(second.is_active), what="the standby to take over")
        async with db.sessions() as session, session.begin():
            await add_event(session, tier_changed("M-1", 1))
        await eventually(lambda: _zero(unpublished(db)), what="published by the standby")
        await second.stop()

    async def test_notify_wakes_the_relay_without_waiting_for_the_poll(
        self, db: Database, kafka: Broker, producer: AIOKafkaProducer, prefix: str, topic: str
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 3})
        relay = OutboxRelay(db.dsn, producer, OutboxSettings(topic_prefix=prefix, poll_interval_s=60))
        await relay.start()
        await eventually(lambda: _true(relay.is_active), what="relay active")
        await asyncio.sleep(0.3)  # it is now asleep for a minute unless notified
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            async with db.sessions() as session, session.begin():
                await add_event(session, tier_changed("M-1", 1))
            await eventually(lambda: _zero(unpublished(db)), within=5, what="published on NOTIFY")
            assert loop.time() - started < 2
        finally:
            await relay.stop()

    async def test_purges_rows_published_longer_ago_than_the_retention_window(
        self, db: Database, new_relay: NewRelay
    ) -> None:
        expired, published_late, recent = (
            tier_changed("M-1", 1),
            tier_changed("M-2", 1),
            tier_changed("M-3", 1),
        )
        eight_days_ago = func.now() - text("interval '8 days'")
        async with db.sessions() as session, session.begin():
            await add_events(session, [expired, published_late, recent])
            await session.execute(update(event_outbox).values(published_at=func.now()))
            await session.execute(
                update(event_outbox)
                .where(event_outbox.c.id.in_([expired.id, published_late.id]))
                .values(created_at=eight_days_ago)
            )
            await session.execute(
                update(event_outbox)
                .where(event_outbox.c.id == expired.id)
                .values(published_at=eight_days_ago)
            )
        relay = new_relay(retention_days=7)

        await relay.start()  # a relay purges when it becomes active, then every purge_interval_s
        await eventually(lambda: _true(relay.is_active), what="relay active")
        await asyncio.sleep(0.3)
        await relay.stop()

        async with db.sessions() as session:
            left = set((await session.execute(select(event_outbox.c.id))).scalars())
        assert left == {published_late.id, recent.id}

    async def test_purges_inbox_rows_processed_longer_ago_than_the_inbox_retention(
        self, db: Database, new_relay: NewRelay
    ) -> None:
        old, recent = uuid.uuid4(), uuid.uuid4()
        async with db.sessions() as session, session.begin():
            await session.execute(
                insert(event_inbox),
                [
                    {
                        "consumer_group": "g",
                        "event_id": old,
                        "event_type": "t",
                        "processed_at": datetime.now(UTC) - timedelta(days=31),
                    },
                    {
                        "consumer_group": "g",
                        "event_id": recent,
                        "event_type": "t",
                        "processed_at": datetime.now(UTC) - timedelta(days=29),
                    },
                ],
            )
        relay = new_relay(inbox_retention_days=30)

        await relay.start()
        await eventually(lambda: _true(relay.is_active), what="relay active")
        await asyncio.sleep(0.3)
        await relay.stop()

        async with db.sessions() as session:
            left = set((await session.execute(select(event_inbox.c.event_id))).scalars())
        assert left == {recent}


class TestMigrationHelpers:
    async def test_create_and_drop_event_tables_in_a_migration(self, infra: Infra) -> None:
        dsn = await ensure_database(infra.postgres_dsn, f"events_mig_{uuid.uuid4().hex[:8]}")
        async_engine = create_async_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            async with async_engine.begin() as conn:
                await conn.run_sync(lambda c: create_event_tables(Operations(MigrationContext.configure(c))))
                tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
                triggers = await conn.scalar(
                    text("SELECT count(*) FROM pg_trigger WHERE tgname = 'event_outbox_notify'")
                )
            assert {"event_outbox", "event_inbox"} <= tables
            assert triggers == 1

            async with async_engine.begin() as conn:
                await conn.run_sync(lambda c: drop_event_tables(Operations(MigrationContext.configure(c))))
                tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert not {"event_outbox", "event_inbox"} & tables
        finally:
            await async_engine.dispose()


async def _applied(db: Database, event_id: uuid.UUID) -> bool:
    return event_id in await effect_counts(db.sessions)


async def _zero(count: Awaitable[int]) -> bool:
    return await count == 0


async def _true(value: bool) -> bool:
    return value
