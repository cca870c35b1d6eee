"""The consumer runner against real Postgres and Apache Kafka."""

import asyncio
import contextlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.client import AIOKafkaClient
from cheyou_devinfra import ensure_topics
from cheyou_events import ConsumerSettings, Envelope, event_inbox, to_record
from cheyou_events.consumer import (
    H_ATTEMPT,
    H_ATTEMPTS,
    H_DLQ_REASON,
    H_ERROR_CLASS,
    H_ERROR_MESSAGE,
    H_ERROR_TRACEBACK,
)
from cheyou_events.testing import (
    effect_counts,
    eventually,
    header_value,
    read_topic,
    record_effect,
    tier_changed,
)
from prometheus_client import REGISTRY
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import Broker, Database, NewConsumer, Send

TIER_CHANGED = "cheyou.member.tier_changed.v1"


def consumed(group: str, outcome: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "cheyou_events_consumed_total", {"group": group, "type": TIER_CHANGED, "outcome": outcome}
        )
        or 0.0
    )


class TestExactlyOnceEffects:
    async def test_a_consumer_killed_between_its_commit_and_the_offset_commit_changes_nothing_on_redelivery(
        self, db: Database, kafka: Broker, topic: str, group: str, send: Send, new_consumer: NewConsumer
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 1})
        events = [tier_changed("M-1", i) for i in range(3)]
        for event in events:
            await send(event)

        process = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).with_name("consumer_process.py")),
            db.dsn, kafka.bootstrap, group, topic, kafka.kind,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)

        assert process.returncode == -9, output.decode()
        assert await effect_counts(db.sessions) == {e.id: 1 for e in events}  # the transactions committed
        consumer = new_consumer()
        await consumer.start()
        try:
            await eventually(lambda: _at_least(consumed(group, "duplicate"), 3), what="the redelivery")
        finally:
            await consumer.stop()
        assert await effect_counts(db.sessions) == {e.id: 1 for e in events}

    async def test_a_handler_failing_twice_then_succeeding_is_applied_once_through_the_retry_topic(
        self, db: Database, kafka: Broker, topic: str, group: str, send: Send, new_consumer: NewConsumer
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 2})
        calls = 0
        apply = record_effect(group)

        async def flaky(session: AsyncSession, event: Envelope[Any]) -> None:
            nonlocal calls
            calls += 1
            await apply(session, event)  # its write is rolled back with the failure
            if calls <= 2:
                raise ConnectionError(f"merchant API timed out (call {calls})")

        event = tier_changed("M-1", 1)
        await send(event)
        consumer = new_consumer({TIER_CHANGED: flaky})
        await consumer.start()
        try:
            await eventually(lambda: db.applied(1), what="the third attempt")
            await asyncio.sleep(0.5)
        finally:
            await consumer.stop()

        assert calls == 3
        assert await effect_counts(db.sessions) == {event.id: 1}
        retried = await read_topic(kafka.bootstrap, consumer.retry_topic)
        assert [header_value(r, H_ATTEMPT) for r in retried] == ["2", "3"]
        assert header_value(retried[1], H_ERROR_MESSAGE) == "merchant API timed out (call 2)"
        assert await read_topic(kafka.bootstrap, consumer.dlq_topic) == []

    async def test_a_handler_that_always_fails_parks_the_event_on_the_dlq_and_the_partition_flows_on(
        self,
        db: Database,
        kafka: Broker,
        topic: str,
        group: str,
        send: Send,
        new_consumer: NewConsumer,
        consumer_settings: ConsumerSettings,
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 1})
        apply = record_effect(group)

        async def refuses_seq_0(session: AsyncSession, event: Envelope[Any]) -> None:
            if event.data.contribution_fen == 0:
                raise ValueError("tier table has no row for this contribution")
            await apply(session, event)

        poison, *later = [tier_changed("M-1", i) for i in range(5)]
        for event in [poison, *later]:
            await send(event)
        consumer_settings.max_attempts = 3
        consumer = new_consumer({TIER_CHANGED: refuses_seq_0})
        await consumer.start()
        try:
            await eventually(lambda: db.applied(4), what="the later events")
            await eventually(lambda: kafka.holds(consumer.dlq_topic, 1), what="the DLQ record")
        finally:
            await consumer.stop()

        assert await effect_counts(db.sessions) == {e.id: 1 for e in later}
        [dead] = await read_topic(kafka.bootstrap, consumer.dlq_topic)
        original = to_record(poison)
        assert dead.key == original.key
        assert dead.value == original.value
        assert all((name, value) in dead.headers for name, value in original.headers)  # every original header
        assert header_value(dead, H_ERROR_CLASS) == "builtins.ValueError"
        assert header_value(dead, H_ERROR_MESSAGE) == "tier table has no row for this contribution"
        assert "refuses_seq_0" in (header_value(dead, H_ERROR_TRACEBACK) or "")
        assert header_value(dead, H_ATTEMPTS) == "3"
        assert header_value(dead, H_DLQ_REASON) == "handler_failed"

    async def test_malformed_messages_go_straight_to_the_dlq_and_the_partition_flows_on(
        self,
        db: Database,
        kafka: Broker,
        producer: AIOKafkaProducer,
        topic: str,
        send: Send,
        new_consumer: NewConsumer,
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 1})
        good = tier_changed("M-1", 1)
        valid = to_record(tier_changed("M-1", 0))
        headers = dict(valid.headers)
        unknown_type = [(k, b"cheyou.member.exploded.v1" if k == "ce_type" else v) for k, v in valid.headers]
        malformed = [
            (valid.headers, b"{this is not json"),
            (unknown_type, valid.value),
            (valid.headers, json.dumps({**json.loads(valid.value), "to_tier": "diamond"}).encode()),
            ([(k, v) for k, v in valid.headers if k != "ce_id"], valid.value),
            ([], b"hello"),
        ]
        for record_headers, value in malformed:
            await producer.send_and_wait(topic, value, key=b"M-1", headers=record_headers)
        await send(good)
        consumer = new_consumer()
        await consumer.start()
        try:
            await eventually(lambda: db.applied(1), what="the good event behind the poison pills")
            await eventually(lambda: kafka.holds(consumer.dlq_topic, 5), what="5 DLQ records")
        finally:
            await consumer.stop()

        dead = sorted(await read_topic(kafka.bootstrap, consumer.dlq_topic), key=lambda r: r.offset)
        assert sorted(header_value(r, H_DLQ_REASON) or "" for r in dead) == sorted(
            ["invalid_json", "unknown_type", "invalid_payload", "missing_header", "missing_header"]
        )
        assert headers["ce_id"] == valid.headers[1][1]
        assert await effect_counts(db.sessions) == {good.id: 1}

    async def test_types_the_group_does_not_handle_are_acknowledged_and_skipped(
        self, db: Database, kafka: Broker, topic: str, send: Send, new_consumer: NewConsumer
    ) -> None:
        from datetime import UTC, datetime

        from cheyou_events.catalogue import MemberVerified

        await ensure_topics(kafka.bootstrap, {topic: 1})
        other = Envelope.new(
            MemberVerified(member_id="M-1", reviewer_id="R-1", verified_at=datetime.now(UTC)),
            source="member-svc",
        )
        handled = tier_changed("M-1", 1)
        await send(other)
        await send(handled)
        consumer = new_consumer()
        await consumer.start()
        try:
            await eventually(lambda: db.applied(1), what="the handled event")
        finally:
            await consumer.stop()

        assert await read_topic(kafka.bootstrap, consumer.dlq_topic) == []
        async with db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(event_inbox)) == 1


class TestCost:
    async def test_the_inbox_insert_is_compiled_once_whatever_the_chunk_size(
        self, db: Database, kafka: Broker, topic: str, send: Send, new_consumer: NewConsumer
    ) -> None:
        # SQLAlchemy has no cache key for a multi-row VALUES and compiles it again on every execution:
        # the inbox rows of a chunk must travel as parameters.
        await ensure_topics(kafka.bootstrap, {topic: 1})
        compilations: list[CacheStats] = []

        def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if "INSERT INTO event_inbox" in statement:
                compilations.append(context.cache_hit)

        for seq in range(200):
            await send(tier_changed(f"M-{seq % 7}", seq))
        sqlalchemy_event.listen(db.engine.sync_engine, "before_cursor_execute", note)
        consumer = new_consumer()
        await consumer.start()
        try:
            await eventually(lambda: db.applied(200), what="200 events")
        finally:
            await consumer.stop()
            sqlalchemy_event.remove(db.engine.sync_engine, "before_cursor_execute", note)

        assert compilations, "no inbox insert seen"
        assert set(compilations) <= {CacheStats.CACHE_HIT, CacheStats.CACHE_MISS}, set(compilations)
        assert compilations.count(CacheStats.CACHE_MISS) == 1


class TestStop:
    async def test_stop_returns_when_aiokafka_swallows_the_depth_monitors_cancellation(
        self, kafka: Broker, topic: str, new_consumer: NewConsumer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # aiokafka's client.close() awaits its own task inside suppress(CancelledError), so a cancellation
        # that lands there is lost. The depth monitor's probe consumer closes after every look: a stop()
        # at that moment used to wait forever (a test timed out at 300 s now and then). The window is
        # widened here so that the stop lands in it every time.
        closing = asyncio.Event()
        close = AIOKafkaClient.close

        async def close_slowly(client: AIOKafkaClient) -> None:
            if client._client_id.endswith("-dlq-depth"):
                closing.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.sleep(0.5)
            await close(client)

        monkeypatch.setattr(AIOKafkaClient, "close", close_slowly)
        await ensure_topics(kafka.bootstrap, {topic: 1})
        consumer = new_consumer()
        await consumer.start()
        await asyncio.wait_for(closing.wait(), timeout=30)

        stopping = asyncio.create_task(consumer.stop())
        done, _ = await asyncio.wait([stopping], timeout=20)  # not wait_for: its cancel would end the hang

        if not done:
            stopping.cancel()
        assert done == {stopping}, "stop() still waiting for the depth monitor after 20 s"


class TestOrdering:
    async def test_10000_events_over_100_keys_keep_per_key_order_with_concurrent_handlers(
        self,
        db: Database,
        kafka: Broker,
        producer: AIOKafkaProducer,
        topic: str,
        group: str,
        new_consumer: NewConsumer,
        consumer_settings: ConsumerSettings,
    ) -> None:
        await ensure_topics(kafka.bootstrap, {topic: 6})
        last_seen: dict[str, int] = {}
        out_of_order: list[tuple[str, int, int]] = []
        running = peak = 0
        apply = record_effect(group)

        async def check_order(session: AsyncSession, event: Envelope[Any]) -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            try:
                key, seq = event.partitionkey, event.data.contribution_fen
                if random.random() < 0.02:
                    await asyncio.sleep(0.002)  # let other keys overtake
                if seq <= last_seen.get(key, -1):
                    out_of_order.append((key, last_seen[key], seq))
                last_seen[key] = seq
                await apply(session, event)
            finally:
                running -= 1

        sends = []
        for seq in range(100):
            for k in range(100):
                record = to_record(tier_changed(f"M-{k}", seq))
                sends.append(await producer.send(topic, record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*sends)
        consumer_settings.max_concurrency = 32
        consumer = new_consumer({TIER_CHANGED: check_order})
        await consumer.start()
        try:
            await eventually(lambda: db.applied(10_000), within=120, what="10,000 events")
        finally:
            await consumer.stop()

        assert out_of_order == []
        assert len(last_seen) == 100
        assert set(last_seen.values()) == {99}
        assert peak > 1, "handlers never ran concurrently"


async def _at_least(value: float, n: float) -> bool:
    return value >= n
